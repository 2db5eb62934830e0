//! Precompressed copies of the web app's assets: `x.wasm.gz` (zopfli, a gzip stream ~4% smaller than
//! `gzip -9`) and `x.wasm.br` (brotli quality 11) beside each `.wasm`, `.js` and `.css` in `dist/`.
//! `stagecraft serve` sends them to browsers that accept the encoding; `index.html` is not
//! compressed (the server rewrites it per process).

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::util::rel;

/// The extensions that get compressed copies.
const EXTENSIONS: &[&str] = &["wasm", "js", "css"];

/// Writes `.gz` and `.br` beside every asset in `dir` and prints their sizes.
pub fn precompress(dir: &Path) -> Result<()> {
    let started = Instant::now();
    let mut entries: Vec<_> = fs::read_dir(dir)
        .with_context(|| format!("reading {}", rel(dir)))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e))
        })
        .collect();
    entries.sort();
    let (mut raw_total, mut gz_total, mut br_total) = (0, 0, 0);
    for path in &entries {
        let raw = fs::read(path).with_context(|| format!("reading {}", rel(path)))?;
        let gz = gzip(&raw)?;
        let br = brotli(&raw)?;
        write_beside(path, "gz", &gz)?;
        write_beside(path, "br", &br)?;
        println!(
            "  {:<48} {:>9} raw {:>9} gzip {:>9} br",
            rel(path),
            raw.len(),
            gz.len(),
            br.len()
        );
        raw_total += raw.len();
        gz_total += gz.len();
        br_total += br.len();
    }
    println!(
        "✓ precompressed {} assets in {:.1}s: {raw_total} raw → {gz_total} gzip, {br_total} br",
        entries.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A gzip stream made by zopfli (readable by any gzip decoder).
fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 2);
    zopfli::compress(
        zopfli::Options::default(),
        zopfli::Format::Gzip,
        data,
        &mut out,
    )
    .context("zopfli")?;
    Ok(out)
}

/// Brotli at quality 11 with a 4 MiB window (what browsers decode).
fn brotli(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 2);
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        writer.write_all(data).context("brotli")?;
    }
    Ok(out)
}

fn write_beside(path: &Path, suffix: &str, bytes: &[u8]) -> Result<()> {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    fs::write(&name, bytes).with_context(|| format!("writing {}", Path::new(&name).display()))
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::process::{Command, Stdio};

    use super::*;

    #[test]
    fn both_encodings_decode_to_the_input() {
        let data: Vec<u8> = (0..5_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();

        let gz = gzip(&data).unwrap();
        let mut gunzip = Command::new("gzip")
            .arg("-dc")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("gzip is installed");
        gunzip.stdin.take().unwrap().write_all(&gz).unwrap();
        let out = gunzip.wait_with_output().unwrap();
        assert!(out.status.success());
        assert_eq!(out.stdout, data);

        let br = brotli(&data).unwrap();
        let mut back = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, data);
        assert!(br.len() < data.len() / 4 && gz.len() < data.len() / 4);
    }
}
