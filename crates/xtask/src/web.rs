//! The Leptos CSR web app (root Trunk.toml + index.html → dist/) and
//! `cargo xtask serve`.

use anyhow::{Context, Result};

use crate::install;
use crate::util::{cmd, exists, target_dir};

/// Where `stagecraft serve` listens unless told otherwise. Keep in step with
/// the server's default.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// Whether the web app exists yet.
pub fn present() -> bool {
    exists("Trunk.toml")
}

/// `trunk build --release` with npm's wasm-opt first on PATH, offline and
/// without trunk's version check. Runs `cargo fetch` first because offline
/// trunk also passes `--offline` to cargo.
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
        .context("building the web app with trunk")?;
    crate::compress::precompress(&crate::util::project_root().join("dist"))
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
