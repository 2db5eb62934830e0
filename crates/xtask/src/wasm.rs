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
    check_status, cmd, count_running_tests, fmt_bytes, gzip9_size, project_root, rel, target_dir,
};
use crate::wasm_opt;

/// The bindings crate.
pub const CRATE: &str = "stagecraft-wasm";
/// Cargo profile for size (root Cargo.toml).
pub const PROFILE: &str = "wasm-release";
/// wasm-bindgen `--target` → sub-directory of `crates/wasm/pkg`.
pub const BINDGEN_TARGETS: &[(&str, &str)] =
    &[("web", "web"), ("nodejs", "node"), ("bundler", "bundler")];
/// opt-level of the npm build, overriding the profile's `z` (the web app keeps `z`). Measured
/// (docs/benchmarks.md "WASM"): `s` is 2.3-2.8x faster at validate-from-text and 1.7-2.5x at diff than `z`
/// (serde's visitor code needs inlining) for +7.6 KB gzip (125 vs 117.5 KB); `3` is 155 KB.
pub const NPM_OPT_LEVEL: &str = "s";

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

/// Builds the npm package into `crates/wasm/pkg`: cargo build (wasm-release at [`NPM_OPT_LEVEL`]),
/// wasm-bindgen for web/node/bundler, [`wasm_opt::optimize`] (npm binaryen), package.json
/// from `crates/wasm/npm/package.json` with the crate's version, README, `npm pack`.
/// Prints sizes.
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
        .env("CARGO_PROFILE_WASM_RELEASE_OPT_LEVEL", NPM_OPT_LEVEL)
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
        if *sub == "node" {
            commonjs_snippets(&out.join("snippets"))?;
        }
        for file in files_with_suffix(&out, "_bg.wasm")? {
            wasm_opt::optimize(&file)?;
        }
    }

    copy_template_and_pack(&pkg)?;
    print_sizes(&pkg)
}

/// Rewrites the local JS snippets (`crates/wasm/js/*.js`, ES modules) of the CommonJS `node` build,
/// which `require`s them: each `export function name(` becomes `function name(`, and
/// `module.exports` lists the names. The snippets use no other module syntax (checked).
fn commonjs_snippets(dir: &Path) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(dir).with_context(|| format!("listing {}", rel(dir)))? {
        let path = entry?.path();
        if path.is_dir() {
            commonjs_snippets(&path)?;
            continue;
        }
        if path.extension().is_none_or(|e| e != "js") {
            continue;
        }
        let text = fs::read_to_string(&path).with_context(|| format!("reading {}", rel(&path)))?;
        let mut names = Vec::new();
        let mut out = String::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("export function ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                    .collect();
                names.push(name);
                out.push_str(&line["export ".len()..]);
            } else if line.starts_with("export ") || line.starts_with("import ") {
                bail!(
                    "{}: only `export function` is turned into CommonJS: {line}",
                    rel(&path)
                );
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
        out.push_str(&format!("module.exports = {{ {} }};\n", names.join(", ")));
        fs::write(&path, out).with_context(|| format!("writing {}", rel(&path)))?;
    }
    Ok(())
}

/// `(build sub-directory, package.json "type")`: the node build is CommonJS, web and bundler are ESM.
const MODULE_TYPES: &[(&str, &str)] = &[
    ("node", "commonjs"),
    ("web", "module"),
    ("bundler", "module"),
];

/// The crate's version as Cargo sees it (`cargo pkgid` ends in `@0.1.0` or `#0.1.0`).
fn crate_version() -> Result<String> {
    let id = cmd("cargo")
        .args(["pkgid", "-p", CRATE])
        .read()
        .context("cargo pkgid")?;
    let version = id
        .trim()
        .rsplit(['@', '#'])
        .next()
        .unwrap_or_default()
        .to_owned();
    if version.is_empty() || !version.starts_with(|c: char| c.is_ascii_digit()) {
        bail!("cannot read the version of {CRATE} from `cargo pkgid`: {id}");
    }
    Ok(version)
}

fn copy_template_and_pack(pkg: &Path) -> Result<()> {
    let template = crate_dir().join("npm").join("package.json");
    let text = fs::read_to_string(&template)
        .with_context(|| format!("reading the package.json template {}", rel(&template)))?;
    let version = crate_version()?;
    let marker = "\"version\": \"0.0.0\"";
    if !text.contains(marker) {
        bail!(
            "{} must contain {marker} (replaced by the crate version)",
            rel(&template)
        );
    }
    let manifest = text.replacen(marker, &format!("\"version\": \"{version}\""), 1);
    fs::write(pkg.join("package.json"), manifest).context("writing pkg/package.json")?;
    for (sub, kind) in MODULE_TYPES {
        fs::write(
            pkg.join(sub).join("package.json"),
            format!("{{\"type\": \"{kind}\"}}\n"),
        )
        .with_context(|| format!("writing pkg/{sub}/package.json"))?;
    }
    fs::copy(
        crate_dir().join("npm").join("README.md"),
        pkg.join("README.md"),
    )
    .context("copying README.md")?;
    cmd("npm")
        .args(["pack", "--silent"])
        .dir(pkg)
        .run()
        .context("npm pack")?;
    let tgz = tarball()?;
    println!("npm package: {} (version {version})", rel(&tgz));
    Ok(())
}

/// The packed `stagecraft-validator-*.tgz` in `crates/wasm/pkg`.
pub fn tarball() -> Result<PathBuf> {
    files_with_suffix(&pkg_dir(), ".tgz")?
        .into_iter()
        .next()
        .context("crates/wasm/pkg has no .tgz: run `cargo xtask wasm` first")
}

/// Installs the packed tarball into a fresh temporary npm project and runs `node --test` there on
/// `crates/wasm/tests/node/*.test.mjs` (validate, diff, apply, errors, the README example, the
/// TypeScript checks with `tsc --strict`, and the `web` build in headless Chromium). Returns the
/// summary line ("N passed").
pub fn npm_test() -> Result<String> {
    let tgz = tarball()?;
    let dir = std::env::temp_dir().join(format!("stagecraft-npm-test-{}", std::process::id()));
    if dir.exists() {
        fs::remove_dir_all(&dir).ok();
    }
    fs::create_dir_all(dir.join("tests")).context("creating the temporary npm project")?;
    fs::write(
        dir.join("package.json"),
        "{\"name\": \"stagecraft-npm-test\", \"private\": true, \"type\": \"module\"}\n",
    )?;
    let result = (|| {
        cmd("npm")
            .args(["install", "--no-audit", "--no-fund", "--offline"])
            .arg(&tgz)
            .dir(&dir)
            .run()
            .context("npm install of the packed tarball")?;
        let tests = crate_dir().join("tests").join("node");
        for entry in fs::read_dir(&tests).with_context(|| format!("listing {}", rel(&tests)))? {
            let path = entry?.path();
            if path.is_file() {
                fs::copy(
                    &path,
                    dir.join("tests").join(path.file_name().unwrap_or_default()),
                )?;
            }
        }
        let test = cmd("node")
            .args(["--test", "--test-reporter=spec", "tests/"])
            .dir(&dir)
            .env("STAGECRAFT_ROOT", project_root())
            .env("CHROMIUM", install::CHROMIUM);
        let shown = test.display().to_owned();
        let (status, output) = test.run_tee()?;
        check_status(&shown, status)?;
        let count = |key: &str| {
            output
                .lines()
                .filter_map(|l| l.trim().strip_prefix(key))
                .filter_map(|n| n.trim().parse::<usize>().ok())
                .next_back()
        };
        match (count("ℹ pass"), count("ℹ fail")) {
            (Some(pass), Some(0)) if pass > 0 => Ok(format!("{pass} passed")),
            (pass, fail) => bail!("node --test: no passing run (pass {pass:?}, fail {fail:?})"),
        }
    })();
    let _ = fs::remove_dir_all(&dir);
    result
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
    if let Runner::Browser = runner
        && !output.contains("headless tests in Chrome")
    {
        bail!("`{shown}` did not run in headless Chrome (no \"Running headless tests in Chrome\")");
    }
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
