//! `cargo xtask install`: idempotent installs of every pinned tool.
//!
//! Each tool is probed first and installed only when missing or at the wrong
//! version, so a second run takes about a second. The pins live here; see
//! shared/toolchain.md for why each one is what it is.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::util::{
    cmd, ensure_tool, first_line, fmt_duration, node_bin_dir, project_root, read_opt,
    version_matches,
};

/// Must equal the workspace's `wasm-bindgen = "=0.2.130"`.
pub const WASM_BINDGEN: &str = "0.2.130";
/// 0.22 needs a newer rustc.
pub const TRUNK: &str = "0.21.14";
/// npm `binaryen@132` (`node_modules/.bin/wasm-opt`); never Debian's 108.
pub const WASM_OPT: &str = "132";
/// The reference peer for benchmarks only (`tests/requirements-bench.txt`).
pub const MOTO: &str = "5.2.5";
/// Rust target for the npm package and the web app.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Debian's Chromium and its driver (for wasm-bindgen-test and Playwright).
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Used by wasm-bindgen-test-runner through `CHROMEDRIVER`.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Installs everything. With `quick`, only what the quick CI steps need
/// (the Python test deps); the Rust target, cargo tools, npm and Chromium
/// checks are skipped.
pub fn run(quick: bool) -> Result<()> {
    let started = Instant::now();
    if quick {
        println!("(--quick: skipping the wasm target, cargo tools, npm and Chromium checks)");
    } else {
        wasm_tools()?;
        chromium().context("installing Chromium and chromedriver")?;
    }
    python_deps().context("installing the Python test dependencies")?;
    println!("install: done in {}", fmt_duration(started.elapsed()));
    Ok(())
}

/// What building the wasm package and the web app needs: the Rust target,
/// wasm-bindgen-cli, trunk and the npm dev dependencies (wasm-opt).
/// Checked once per process; later calls return at once.
pub fn wasm_tools() -> Result<()> {
    static CHECKED: AtomicBool = AtomicBool::new(false);
    if CHECKED.load(Ordering::Relaxed) {
        return Ok(());
    }
    rust_target().context("adding the wasm32 Rust target")?;
    ensure_tool(
        "wasm-bindgen",
        &["wasm-bindgen", "--version"],
        WASM_BINDGEN,
        // Without --locked: its lockfile pins a webpki-roots that is not on crates.io.
        &[
            "cargo",
            "install",
            "wasm-bindgen-cli",
            "--version",
            WASM_BINDGEN,
        ],
    )
    .context("installing wasm-bindgen-cli")?;
    ensure_tool(
        "trunk",
        &["trunk", "--version"],
        TRUNK,
        &["cargo", "install", "trunk", "--version", TRUNK, "--locked"],
    )
    .context("installing trunk")?;
    npm_deps().context("installing the npm dev dependencies (package.json)")?;
    CHECKED.store(true, Ordering::Relaxed);
    Ok(())
}

fn rust_target() -> Result<()> {
    let installed = match cmd("rustup")
        .args(["target", "list", "--installed"])
        .probe()
    {
        Some(list) => list.lines().any(|l| l.trim() == WASM_TARGET),
        None => {
            // No rustup: look in the sysroot directly.
            let sysroot = cmd("rustc").args(["--print", "sysroot"]).read()?;
            Path::new(sysroot.trim())
                .join("lib/rustlib")
                .join(WASM_TARGET)
                .exists()
        }
    };
    if installed {
        println!("✓ rust target {WASM_TARGET} (cached)");
        return Ok(());
    }
    println!("→ rust target {WASM_TARGET}: not installed; adding…");
    cmd("rustup").args(["target", "add", WASM_TARGET]).run()?;
    println!("✓ rust target {WASM_TARGET} (installed)");
    Ok(())
}

/// `npm ci` when node_modules is missing or was installed from another
/// package-lock.json (a copy of the lock is kept in node_modules as a stamp).
fn npm_deps() -> Result<()> {
    let root = project_root();
    let lock = root.join("package-lock.json");
    let stamp = root.join("node_modules").join(".xtask-package-lock.json");
    let Some(npm) = cmd("npm").arg("--version").probe() else {
        bail!("`npm` is required (Node 20 with npm; Debian: apt-get install nodejs npm)");
    };
    let lock_bytes = read_opt(&lock);
    let fresh = lock_bytes.is_some()
        && lock_bytes == read_opt(&stamp)
        && node_bin_dir().join("wasm-opt").exists();
    if fresh {
        println!("✓ npm devDependencies (cached: node_modules matches package-lock.json)");
    } else {
        let why = if !root.join("node_modules").exists() {
            "node_modules missing"
        } else {
            "node_modules stale"
        };
        println!(
            "→ npm devDependencies: {why}; installing with npm {}…",
            npm.trim()
        );
        let started = Instant::now();
        if lock_bytes.is_some() {
            cmd("npm").args(["ci", "--no-audit", "--no-fund"]).run()?;
        } else {
            println!("  (no package-lock.json: running `npm install`; commit the lock it writes)");
            cmd("npm")
                .args(["install", "--no-audit", "--no-fund"])
                .run()?;
        }
        let lock_now = fs::read(&lock).context("reading package-lock.json")?;
        fs::write(&stamp, lock_now).with_context(|| format!("writing {}", stamp.display()))?;
        println!(
            "✓ npm devDependencies (installed in {})",
            fmt_duration(started.elapsed())
        );
    }
    let wasm_opt = node_bin_dir().join("wasm-opt");
    let version = cmd(&wasm_opt).arg("--version").probe().unwrap_or_default();
    if !version_matches(&version, WASM_OPT) {
        bail!(
            "{} reports `{}`, expected binaryen {WASM_OPT}: check package.json",
            wasm_opt.display(),
            first_line(&version)
        );
    }
    println!("✓ wasm-opt {WASM_OPT} (node_modules/.bin, ahead of any system wasm-opt)");
    for pkg in [
        "playwright-core",
        "typescript",
        "ajv",
        "fast-json-patch",
        "terser",
    ] {
        match npm_package_version(pkg) {
            Some(v) => println!("✓ {pkg} {v} (node_modules)"),
            None => bail!("node_modules/{pkg} is missing after npm install"),
        }
    }
    Ok(())
}

/// The `version` field of `node_modules/<pkg>/package.json`.
fn npm_package_version(pkg: &str) -> Option<String> {
    let path = project_root()
        .join("node_modules")
        .join(pkg)
        .join("package.json");
    let text = fs::read_to_string(path).ok()?;
    let after = &text[text.find("\"version\"")? + "\"version\"".len()..];
    let start = after.find('"')? + 1;
    let len = after[start..].find('"')?;
    Some(after[start..start + len].to_owned())
}

/// Debian's chromium + chromium-driver, when either binary is missing.
fn chromium() -> Result<()> {
    if !(Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()) {
        println!("→ chromium + chromium-driver: missing; installing with apt-get…");
        let started = Instant::now();
        let sudo = cmd("id")
            .arg("-u")
            .probe()
            .is_some_and(|uid| uid.trim() != "0");
        let apt = |args: &[&str]| {
            let c = if sudo {
                cmd("sudo").arg("apt-get")
            } else {
                cmd("apt-get")
            };
            c.env("DEBIAN_FRONTEND", "noninteractive").args(args).run()
        };
        apt(&["update"])?;
        apt(&[
            "install",
            "-y",
            "--no-install-recommends",
            "chromium",
            "chromium-driver",
        ])?;
        println!(
            "✓ chromium + chromium-driver (installed in {})",
            fmt_duration(started.elapsed())
        );
    }
    let version = cmd(CHROMIUM).arg("--version").probe().unwrap_or_default();
    let version = version
        .lines()
        .find(|l| l.starts_with("Chromium"))
        .unwrap_or("version unknown");
    println!("✓ {} ({CHROMIUM}, {CHROMEDRIVER})", version.trim());
    Ok(())
}

/// pip install -r tests/requirements.txt when boto3/pytest don't import or
/// `aws` is missing.
fn python_deps() -> Result<()> {
    let probe = || {
        cmd("python3")
            .args([
                "-c",
                "import boto3, pytest; print('boto3', boto3.__version__, 'pytest', pytest.__version__)",
            ])
            .probe()
            .filter(|_| cmd("aws").arg("--version").probe().is_some())
    };
    if let Some(found) = probe() {
        println!("✓ python: {}, awscli (cached)", found.trim());
        return Ok(());
    }
    pip_install("tests/requirements.txt")?;
    match probe() {
        Some(found) => {
            println!("✓ python: {}, awscli (installed)", found.trim());
            Ok(())
        }
        None => bail!(
            "after pip install, `python3 -c 'import boto3, pytest'` or `aws --version` still fails"
        ),
    }
}

/// moto[server] for the proxy benchmark (`tests/requirements-bench.txt`).
/// Not part of `install`: only `cargo xtask bench proxy` needs it.
pub fn bench_python_deps() -> Result<()> {
    let probe = || {
        cmd("python3")
            .args(["-c", "import moto, boto3; print(moto.__version__)"])
            .probe()
    };
    if probe().is_some_and(|v| v.trim() == MOTO) {
        println!("✓ moto {MOTO} (cached)");
        return Ok(());
    }
    pip_install("tests/requirements-bench.txt")?;
    match probe() {
        Some(v) if v.trim() == MOTO => {
            println!("✓ moto {MOTO} (installed)");
            Ok(())
        }
        other => bail!("after pip install, moto reports {other:?}, expected {MOTO}"),
    }
}

fn pip_install(requirements: &str) -> Result<()> {
    let path = project_root().join(requirements);
    if !path.exists() {
        bail!("{requirements} is missing");
    }
    println!("→ python: installing {requirements}…");
    let started = Instant::now();
    cmd("python3")
        .args(["-m", "pip", "install", "--disable-pip-version-check", "-r"])
        .arg(requirements)
        // Harmless in a venv/pyenv; needed for a Debian system Python (PEP 668).
        .env("PIP_BREAK_SYSTEM_PACKAGES", "1")
        .run()
        .with_context(|| format!("pip install -r {requirements}"))?;
    println!(
        "  {requirements} installed in {}",
        fmt_duration(started.elapsed())
    );
    Ok(())
}
