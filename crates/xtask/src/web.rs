//! The Leptos CSR web app (root Trunk.toml + index.html → dist/) and
//! `cargo xtask serve`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use base64::Engine as _;
use sha2::{Digest, Sha384};

use crate::util::{cmd, exists, node_bin_dir, rel, target_dir};
use crate::{compress, install, wasm_opt};

/// Where `stagecraft serve` listens unless told otherwise. Keep in step with
/// the server's default.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// Whether the web app exists yet.
pub fn present() -> bool {
    exists("Trunk.toml")
}

/// `trunk build --release` with npm's wasm-opt first on PATH, offline and
/// without trunk's version check. Runs `cargo fetch` first because offline
/// trunk also passes `--offline` to cargo. Trunk's post-build hook runs
/// [`finish_dist`].
pub fn build() -> Result<()> {
    install::wasm_tools()?;
    cmd("cargo")
        .arg("fetch")
        .run()
        .context("cargo fetch (trunk builds offline)")?;
    cmd("trunk")
        .args(["build", "--release"])
        .env("TRUNK_OFFLINE", "true")
        .env("TRUNK_SKIP_VERSION_CHECK", "true")
        .run()
        .context("building the web app with trunk")
}

/// `cargo xtask web-dist`, Trunk's post-build hook (Trunk.toml): in a release build, optimises the
/// app's wasm in the staging directory ([`wasm_opt::optimize`]), minifies its JS glue with terser
/// (Trunk's own minifier gives up on wasm-bindgen's `export default`), puts their new hashes into
/// the staged `index.html`'s `integrity` attributes, and writes the precompressed copies
/// ([`compress::precompress`]). Debug builds are left as Trunk made them.
pub fn finish_dist() -> Result<()> {
    let Some(staging) = std::env::var_os("TRUNK_STAGING_DIR").map(PathBuf::from) else {
        bail!("web-dist is Trunk's post-build hook: TRUNK_STAGING_DIR is not set");
    };
    if std::env::var("TRUNK_PROFILE").as_deref() != Ok("release") {
        println!("web-dist: debug build, left as Trunk made it");
        return Ok(());
    }
    let html = staging.join("index.html");
    let mut page = fs::read_to_string(&html).with_context(|| format!("reading {}", rel(&html)))?;
    let wasm = staged(&staging, "_bg.wasm")?;
    rewrite(&wasm, &mut page, wasm_opt::optimize)?;
    let js = staged(&staging, ".js")?;
    rewrite(&js, &mut page, minify_js)?;
    fs::write(&html, page).with_context(|| format!("writing {}", rel(&html)))?;
    compress::precompress(&staging)
}

/// Runs `change` on `file` and swaps the file's integrity value in `page` for the new one.
fn rewrite(file: &Path, page: &mut String, change: fn(&Path) -> Result<()>) -> Result<()> {
    let before = integrity(file)?;
    change(file)?;
    *page = page.replace(&before, &integrity(file)?);
    Ok(())
}

/// terser, as an ES module: local names shortened, exports and property names kept.
fn minify_js(file: &Path) -> Result<()> {
    let terser = node_bin_dir().join("terser");
    if !terser.exists() {
        bail!("node_modules/.bin/terser is missing: run `cargo xtask install` first");
    }
    let out = file.with_extension("min.js");
    cmd(&terser)
        .arg(file)
        .args(["--module", "--compress", "--mangle", "--output"])
        .arg(&out)
        .run()
        .with_context(|| format!("terser {}", rel(file)))?;
    fs::rename(&out, file).with_context(|| format!("replacing {}", rel(file)))
}

/// The one file in `staging` whose name ends with `suffix`.
fn staged(staging: &Path, suffix: &str) -> Result<PathBuf> {
    let mut found = fs::read_dir(staging)
        .with_context(|| format!("reading {}", rel(staging)))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(suffix));
    match (found.next(), found.next()) {
        (Some(file), None) => Ok(file),
        _ => bail!("expected exactly one *{suffix} in {}", rel(staging)),
    }
}

/// The subresource-integrity value Trunk writes for `file` (`sha384-` + base64).
fn integrity(file: &Path) -> Result<String> {
    let bytes = fs::read(file).with_context(|| format!("reading {}", rel(file)))?;
    let digest = Sha384::digest(&bytes);
    Ok(format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    ))
}

/// Builds the `stagecraft` binary (`release` or debug) and returns its path.
pub fn build_server(release: bool) -> Result<std::path::PathBuf> {
    let mut build = cmd("cargo").arg("build");
    if release {
        build = build.arg("--release");
    }
    build
        .args(["-p", "stagecraft"])
        .run()
        .context("building the stagecraft binary")?;
    let profile = if release { "release" } else { "debug" };
    Ok(target_dir()
        .join(profile)
        .join(format!("stagecraft{}", std::env::consts::EXE_SUFFIX)))
}

/// `cargo xtask serve [ARGS…]`.
pub fn serve(extra: &[String]) -> Result<()> {
    install::run(false)?;
    let web = present();
    if web {
        build()?;
    }
    let bin = build_server(true)?;
    if !web {
        println!(
            "The web app is not there yet (no Trunk.toml): running `stagecraft --help` instead."
        );
        if !extra.is_empty() {
            println!("(ignoring {extra:?} until the web app exists)");
        }
        return Err(cmd(&bin).arg("--help").exec());
    }
    println!(
        "stagecraft: serving the web app on http://{}/",
        listen_addr(extra)
    );
    Err(cmd(&bin).args(["serve", "--demo"]).args(extra).exec())
}

/// The address from `--addr/--listen/--bind A` or `--port N` in the extra
/// args, else [`DEFAULT_ADDR`].
fn listen_addr(args: &[String]) -> String {
    let mut addr = DEFAULT_ADDR.to_owned();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_owned())),
            None => (arg.as_str(), None),
        };
        if !matches!(flag, "--addr" | "--listen" | "--bind" | "--port" | "-p") {
            continue;
        }
        let Some(value) = inline.or_else(|| it.next().cloned()) else {
            break;
        };
        addr = if matches!(flag, "--port" | "-p") {
            let host = DEFAULT_ADDR
                .rsplit_once(':')
                .map_or("127.0.0.1", |(h, _)| h);
            format!("{host}:{value}")
        } else {
            value.replace("0.0.0.0", "127.0.0.1")
        };
    }
    addr
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn integrity_is_trunks_sha384_format() {
        let file = std::env::temp_dir().join(format!("xtask-sri-{}", std::process::id()));
        fs::write(&file, b"abc").unwrap();
        // SHA-384("abc") from FIPS 180-2, base64-encoded.
        assert_eq!(
            integrity(&file).unwrap(),
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
        fs::remove_file(file).unwrap();
    }

    #[test]
    fn url_from_args() {
        assert_eq!(listen_addr(&[]), DEFAULT_ADDR);
        assert_eq!(listen_addr(&args(&["--port", "9000"])), "127.0.0.1:9000");
        assert_eq!(
            listen_addr(&args(&["--addr=0.0.0.0:3000"])),
            "127.0.0.1:3000"
        );
        assert_eq!(listen_addr(&args(&["--verbose"])), DEFAULT_ADDR);
    }
}
