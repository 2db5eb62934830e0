//! `cargo xtask wasm`: the npm package `stagecraft-validator` from
//! crates/wasm, plus the wasm-bindgen-test runs in Node and in Chromium.
//!
//! Others may call [`build_package`] and [`run_tests`] directly (the `ci` step
//! `wasm` does both).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::install::{self, CHROMEDRIVER, WASM_TARGET};
use crate::util::{
    check_status, cmd, count_running_tests, fmt_bytes, gzip9_size, node_bin_dir, project_root, rel,
    target_dir,
};

/// The bindings crate.
pub const CRATE: &str = "stagecraft-wasm";
/// Cargo profile for size (root Cargo.toml).
pub const PROFILE: &str = "wasm-release";
/// wasm-bindgen `--target` → sub-directory of `crates/wasm/pkg`.
pub const BINDGEN_TARGETS: &[(&str, &str)] =
    &[("web", "web"), ("nodejs", "node"), ("bundler", "bundler")];
/// Features every current wasm engine has and rustc's wasm32 target emits by default.
const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// `crates/wasm`.
pub fn crate_dir() -> PathBuf {
    project_root().join("crates").join("wasm")
}

/// `crates/wasm/pkg`, the npm package directory (git-ignored).
pub fn pkg_dir() -> PathBuf {
    crate_dir().join("pkg")
}

/// Where the wasm-bindgen tests run.
#[derive(Clone, Copy, Debug)]
pub enum Runner {
    /// Node (the default for suites without `run_in_browser`).
    Node,
    /// Headless Chromium through chromedriver (`WASM_BINDGEN_USE_BROWSER=1`).
    Browser,
}

/// Builds the npm package into `crates/wasm/pkg`: cargo build (wasm-release),
/// wasm-bindgen for web/node/bundler, wasm-opt -Oz (npm binaryen), the
/// package.json template, `npm pack`. Prints sizes.
pub fn build_package() -> Result<()> {
    if !crate_dir().join("Cargo.toml").exists() {
        bail!("crates/wasm/Cargo.toml is missing: the {CRATE} crate is not there yet");
    }
    install::wasm_tools()?;

    cmd("cargo")
        .args([
            "build",
            "-p",
            CRATE,
            "--target",
            WASM_TARGET,
            "--profile",
            PROFILE,
        ])
        .run()
        .context("building the wasm crate")?;
    let wasm = target_dir()
        .join(WASM_TARGET)
        .join(PROFILE)
        .join(format!("{}.wasm", CRATE.replace('-', "_")));
    if !wasm.exists() {
        bail!(
            "{} was not produced: does crates/wasm have crate-type = [\"cdylib\", \"rlib\"]?",
            rel(&wasm)
        );
    }

    let pkg = pkg_dir();
    if pkg.exists() {
        fs::remove_dir_all(&pkg).with_context(|| format!("removing old {}", rel(&pkg)))?;
    }
    let wasm_opt = node_bin_dir().join("wasm-opt");
    for (target, sub) in BINDGEN_TARGETS {
        let out = pkg.join(sub);
        cmd("wasm-bindgen")
            .args(["--target", target, "--out-dir"])
            .arg(&out)
            .arg(&wasm)
            .run()
            .with_context(|| format!("wasm-bindgen --target {target}"))?;
        // A stray .gitignore would make `npm pack` leave the files out.
        let _ = fs::remove_file(out.join(".gitignore"));
        for file in files_with_suffix(&out, "_bg.wasm")? {
            cmd(&wasm_opt)
                .arg("-Oz")
                .args(WASM_OPT_FEATURES)
                .arg(&file)
                .arg("-o")
                .arg(&file)
                .run()
                .with_context(|| format!("wasm-opt -Oz {}", rel(&file)))?;
        }
    }

    copy_template_and_pack(&pkg)?;
    print_sizes(&pkg)
}

fn copy_template_and_pack(pkg: &Path) -> Result<()> {
    let template = crate_dir().join("npm").join("package.json");
    if !template.exists() {
        println!(
            "(skipping package.json and `npm pack`: {} is not there yet)",
            rel(&template)
        );
        return Ok(());
    }
    fs::copy(&template, pkg.join("package.json")).context("copying package.json template")?;
    for readme in [
        crate_dir().join("npm").join("README.md"),
        crate_dir().join("README.md"),
    ] {
        if readme.exists() {
            fs::copy(&readme, pkg.join("README.md")).context("copying README.md")?;
            break;
        }
    }
    cmd("npm").arg("pack").dir(pkg).run().context("npm pack")?;
    for tgz in files_with_suffix(pkg, ".tgz")? {
        println!("npm package: {}", rel(&tgz));
    }
    Ok(())
}

/// Raw and `gzip -9` sizes of every .wasm and .js in the package.
pub fn print_sizes(pkg: &Path) -> Result<()> {
    println!("{:<44} {:>12} {:>12}", "file", "raw", "gzip -9");
    for (_, sub) in BINDGEN_TARGETS {
        let dir = pkg.join(sub);
        let mut files = files_with_suffix(&dir, ".wasm")?;
        files.extend(files_with_suffix(&dir, ".js")?);
        for file in files {
            let raw = fs::metadata(&file)?.len();
            let gz = gzip9_size(&file)?;
            println!(
                "{:<44} {:>12} {:>12}",
                rel(&file),
                fmt_bytes(raw),
                fmt_bytes(gz)
            );
        }
    }
    Ok(())
}

/// `cargo test -p stagecraft-wasm --target wasm32-unknown-unknown` in Node or
/// headless Chromium. Fails unless the output shows `running N tests` with
/// N > 0 in total (the runner exits 0 when it silently skips suites).
/// Returns N.
pub fn run_tests(runner: Runner) -> Result<usize> {
    install::wasm_tools()?;
    let mut test = cmd("cargo").args(["test", "-p", CRATE, "--target", WASM_TARGET]);
    if let Runner::Browser = runner {
        test = test
            .env("WASM_BINDGEN_USE_BROWSER", "1")
            .env("CHROMEDRIVER", CHROMEDRIVER);
    }
    let shown = test.display().to_owned();
    let (status, output) = test.run_tee()?;
    check_status(&shown, status)?;
    match count_running_tests(&output) {
        Some(n) if n > 0 => {
            println!("wasm tests ({runner:?}): {n} ran");
            Ok(n)
        }
        _ => bail!(
            "`{shown}` exited 0 but ran no test (no `running N tests` with N > 0): \
             suites were skipped; check wasm_bindgen_test_configure!"
        ),
    }
}

fn files_with_suffix(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if !dir.exists() {
        return Ok(files);
    }
    for entry in fs::read_dir(dir).with_context(|| format!("listing {}", rel(dir)))? {
        let path = entry?.path();
        if path.is_file()
            && path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(suffix))
        {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
