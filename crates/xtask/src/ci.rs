//! `cargo xtask ci`: the named steps in [`STEPS`], in order, with a banner per
//! step and a summary table at the end.
//!
//! To add a step, add one row to [`STEPS`]: a name, a line of help, whether
//! `--quick` runs it, the file that switches it on (or `None`) and a function
//! `fn(&Ctx) -> Result<String>` (the string is an optional note for the table).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::install::{self, CHROMIUM};
use crate::util::{check_status, cmd, exists, fmt_duration};
use crate::{wasm, web};

/// What a step gets to look at.
pub struct Ctx {
    /// `--quick`: skip slow install checks (the install step only checks Python deps).
    pub quick: bool,
}

/// One row of the CI table.
pub struct Step {
    /// Name shown in banners and the summary, and used by `--only`/`--skip`.
    pub name: &'static str,
    /// One line for `cargo xtask ci --help`.
    pub about: &'static str,
    /// Also run under `--quick`.
    pub quick: bool,
    /// Run only if this path (relative to the root) exists; otherwise "skipped".
    pub needs: Option<&'static str>,
    /// Stop the whole run if this step fails (later steps show "not run").
    pub fatal: bool,
    /// The work. `Ok(note)`: passed (the note goes in the table, may be empty).
    pub run: fn(&Ctx) -> Result<String>,
}

/// Every CI step, in the order they run.
pub const STEPS: &[Step] = &[
    Step {
        name: "install",
        about: "pinned tools (cargo xtask install); --quick: Python deps only",
        quick: true,
        needs: None,
        fatal: true,
        run: |ctx| install::run(ctx.quick).map(|()| String::new()),
    },
    Step {
        name: "fmt",
        about: "cargo fmt --all -- --check",
        quick: true,
        needs: None,
        fatal: false,
        run: |_| {
            cmd("cargo").args(["fmt", "--all", "--", "--check"]).run()?;
            Ok(String::new())
        },
    },
    Step {
        name: "clippy",
        about: "cargo clippy --workspace --all-targets -- -D warnings; then (not --quick) the wasm and web crates for wasm32",
        quick: true,
        needs: None,
        fatal: false,
        run: |ctx| {
            cmd("cargo")
                .args([
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ])
                .run()?;
            if ctx.quick {
                return Ok("native only (--quick)".into());
            }
            // The WASM exports and the browser-only code compile only for wasm32 (whose target
            // `--quick` does not install).
            cmd("cargo")
                .args([
                    "clippy",
                    "-p",
                    "stagecraft-wasm",
                    "-p",
                    "stagecraft-web",
                    "--target",
                    install::WASM_TARGET,
                    "--",
                    "-D",
                    "warnings",
                ])
                .run()?;
            Ok(String::new())
        },
    },
    Step {
        name: "test",
        about: "cargo test --workspace",
        quick: true,
        needs: None,
        fatal: false,
        run: |_| {
            cmd("cargo").args(["test", "--workspace"]).run()?;
            Ok(String::new())
        },
    },
    Step {
        name: "wasm",
        about: "npm package (cargo xtask wasm) + wasm-bindgen tests in Node and Chromium",
        quick: false,
        needs: Some("crates/wasm/Cargo.toml"),
        fatal: false,
        run: |_| {
            wasm::build_package()?;
            let node = wasm::run_tests(wasm::Runner::Node).context("wasm tests in Node")?;
            let browser =
                wasm::run_tests(wasm::Runner::Browser).context("wasm tests in Chromium")?;
            Ok(format!("{node} tests in Node, {browser} in Chromium"))
        },
    },
    Step {
        name: "npm-test",
        about: "packed stagecraft-validator installed in a temp npm project: node --test crates/wasm/tests/node/",
        quick: false,
        needs: Some("crates/wasm/tests/node"),
        fatal: false,
        run: |_| wasm::npm_test(),
    },
    Step {
        name: "pytest",
        about: "python3 -m pytest tests/emulator -q (STAGECRAFT_BIN = debug build)",
        quick: true,
        needs: Some("tests/emulator"),
        fatal: false,
        run: |_| {
            let bin = web::build_server(false)?;
            let pytest = cmd("python3")
                .args(["-m", "pytest", "tests/emulator", "-q"])
                .env("STAGECRAFT_BIN", &bin);
            let shown = pytest.display().to_owned();
            let status = pytest.status()?;
            // Exit 5: pytest collected no tests. Say so rather than fail.
            if status.code() == Some(5) {
                return Ok("no tests collected".to_owned());
            }
            check_status(&shown, status)?;
            Ok(String::new())
        },
    },
    Step {
        name: "web",
        about: "trunk build --release of the web app (Trunk.toml)",
        quick: false,
        needs: Some("Trunk.toml"),
        fatal: false,
        run: |_| web::build().map(|()| String::new()),
    },
    Step {
        name: "e2e",
        about: "node --test tests/e2e/ (Playwright + Chromium, STAGECRAFT_BIN = debug build)",
        quick: false,
        needs: Some("tests/e2e"),
        fatal: false,
        run: |_| {
            let bin = web::build_server(false)?;
            cmd("node")
                .args(["--test", "tests/e2e/"])
                .env("STAGECRAFT_BIN", &bin)
                .env("CHROMIUM", CHROMIUM)
                .run()?;
            Ok(String::new())
        },
    },
];

/// Options of `cargo xtask ci`.
#[derive(Default)]
pub struct Options {
    /// `--quick`.
    pub quick: bool,
    /// `--only a,b`: run just these steps.
    pub only: Vec<String>,
    /// `--skip a,b`: leave these out.
    pub skip: Vec<String>,
}

enum Outcome {
    Ok(String),
    Failed(String),
    Skipped(String),
    NotRun,
}

/// Runs the steps; fails (exit 1) if any step failed.
pub fn run(opts: &Options) -> Result<()> {
    for name in opts.only.iter().chain(&opts.skip) {
        if !STEPS.iter().any(|s| s.name == name) {
            bail!("unknown ci step `{name}`; steps: {}", step_names());
        }
    }
    let ctx = Ctx { quick: opts.quick };
    let total = Instant::now();
    let mut results: Vec<(&str, Outcome, Option<Duration>)> = Vec::new();
    let mut stop = false;
    for (i, step) in STEPS.iter().enumerate() {
        let skip_reason = if !opts.only.is_empty() && !opts.only.iter().any(|n| n == step.name) {
            Some("not in --only".to_owned())
        } else if opts.skip.iter().any(|n| n == step.name) {
            Some("--skip".to_owned())
        } else if opts.quick && !step.quick {
            Some("--quick".to_owned())
        } else {
            step.needs
                .filter(|path| !exists(path))
                .map(|path| format!("no {path}"))
        };
        if stop {
            results.push((step.name, Outcome::NotRun, None));
            continue;
        }
        if let Some(reason) = skip_reason {
            results.push((step.name, Outcome::Skipped(reason), None));
            continue;
        }
        banner(&format!(
            "[{}/{}] {}: {}",
            i + 1,
            STEPS.len(),
            step.name,
            step.about
        ));
        let started = Instant::now();
        let result = (step.run)(&ctx);
        let took = started.elapsed();
        let outcome = match result {
            Ok(note) => Outcome::Ok(note),
            Err(err) => {
                eprintln!("error: ci step `{}`: {err:#}", step.name);
                if step.fatal {
                    stop = true;
                }
                Outcome::Failed(format!("{err:#}"))
            }
        };
        results.push((step.name, outcome, Some(took)));
    }

    banner("summary");
    let mut table = String::new();
    let _ = writeln!(table, "{:<10} {:<8} {:>8}  note", "step", "result", "time");
    let mut failed = Vec::new();
    for (name, outcome, took) in &results {
        let took = took.map_or_else(|| "-".to_owned(), fmt_duration);
        let (result, note) = match outcome {
            Outcome::Ok(note) => ("ok", note.clone()),
            Outcome::Failed(err) => {
                failed.push(*name);
                ("FAILED", first_error_line(err))
            }
            Outcome::Skipped(why) => ("skipped", why.clone()),
            Outcome::NotRun => ("not run", "an earlier fatal step failed".to_owned()),
        };
        let _ = writeln!(table, "{name:<10} {result:<8} {took:>8}  {note}");
    }
    print!("{table}");
    println!("total {}", fmt_duration(total.elapsed()));
    if failed.is_empty() {
        let ran = results
            .iter()
            .filter(|(_, o, _)| matches!(o, Outcome::Ok(_)))
            .count();
        println!("ci: ok (ran {ran}, skipped {})", results.len() - ran);
        Ok(())
    } else {
        bail!("ci: FAILED steps: {}", failed.join(", "))
    }
}

fn first_error_line(err: &str) -> String {
    let line = err.lines().next().unwrap_or("");
    if line.chars().count() > 100 {
        format!("{}…", line.chars().take(100).collect::<String>())
    } else {
        line.to_owned()
    }
}

fn banner(title: &str) {
    println!("\n━━━━ {title} ━━━━");
    crate::util::flush();
}

/// `install, fmt, …` for messages.
pub fn step_names() -> String {
    STEPS.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
}

/// The step list for `cargo xtask ci --help`.
pub fn steps_help() -> String {
    let mut out = String::new();
    for s in STEPS {
        let mut flags = Vec::new();
        if s.quick {
            flags.push("quick".to_owned());
        }
        if let Some(path) = s.needs {
            flags.push(format!("if {path} exists"));
        }
        if s.fatal {
            flags.push("stops the run on failure".to_owned());
        }
        let _ = writeln!(out, "  {:<10} {}", s.name, s.about);
        if !flags.is_empty() {
            let _ = writeln!(out, "  {:<10} ({})", "", flags.join("; "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_names_are_unique_and_install_comes_first() {
        let mut names: Vec<_> = STEPS.iter().map(|s| s.name).collect();
        assert_eq!(names[0], "install");
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), STEPS.len());
    }

    #[test]
    fn quick_runs_only_the_fast_steps() {
        let quick: Vec<_> = STEPS.iter().filter(|s| s.quick).map(|s| s.name).collect();
        assert_eq!(quick, ["install", "fmt", "clippy", "test", "pytest"]);
    }
}
