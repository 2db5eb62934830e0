//! `cargo xtask bench <core|wasm|proxy|dataplane|emulator|authorizer|web|all>`: one row per benchmark in
//! [`BENCHES`]. A row whose script is not written yet fails with
//! "not available yet: <path> missing".

use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::install;
use crate::util::{cmd, exists, fmt_duration};
use crate::{wasm, web};

/// One benchmark target.
pub struct Bench {
    /// `cargo xtask bench <name>`.
    pub name: &'static str,
    /// One line for `--help`.
    pub about: &'static str,
    /// The file that must exist (relative to the root) before this can run.
    pub needs: &'static str,
    /// Runs it; gets the arguments after the bench name.
    pub run: fn(&[String]) -> Result<()>,
}

/// Every benchmark, in the order `all` runs them.
pub const BENCHES: &[Bench] = &[
    Bench {
        name: "core",
        about: "criterion benches of stagecraft-core (cargo bench -p stagecraft-core)",
        needs: "crates/core/Cargo.toml",
        run: |args| {
            cmd("cargo")
                .args(["bench", "-p", "stagecraft-core"])
                .args(args)
                .run()
        },
    },
    Bench {
        name: "wasm",
        about: "the npm package in Node (builds it, then node crates/wasm/bench/run.mjs)",
        needs: "crates/wasm/bench/run.mjs",
        run: |args| {
            wasm::build_package()?;
            cmd("node")
                .arg("crates/wasm/bench/run.mjs")
                .args(args)
                .run()
        },
    },
    Bench {
        name: "proxy",
        about: "stagecraft serve's added latency: GetStage direct to `stagecraft emulator` vs through `stagecraft serve --endpoint` (cargo bench -p stagecraft --bench proxy; writes the Proxy section of docs/benchmarks.md)",
        needs: "crates/server/benches/proxy.rs",
        run: |args| {
            cmd("cargo")
                .args(["bench", "-p", "stagecraft", "--bench", "proxy", "--"])
                .args(args)
                .run()
        },
    },
    Bench {
        name: "dataplane",
        about: "the emulator's data plane: a cache hit, an uncached MOCK and an HTTP_PROXY vs the direct call, emulator CPU per request, effective-settings lookups at 10..10,000 keys (cargo bench -p stagecraft --bench dataplane; writes the Data plane section of docs/benchmarks.md)",
        needs: "crates/server/benches/dataplane.rs",
        run: |args| {
            cmd("cargo")
                .args(["bench", "-p", "stagecraft", "--bench", "dataplane", "--"])
                .args(args)
                .run()
        },
    },
    Bench {
        name: "emulator",
        about: "stagecraft emulator vs moto 5.2.5: get_stage/update_stage at 1/8/64, RSS with 10,000 stages (loadgen compare → docs/benchmarks.md)",
        needs: "crates/loadgen/Cargo.toml",
        run: |args| {
            install::bench_python_deps()?;
            let bin = web::build_server(true)?;
            cmd("cargo")
                .args([
                    "run",
                    "--release",
                    "-p",
                    "stagecraft-loadgen",
                    "--bin",
                    "loadgen",
                    "--",
                    "compare",
                ])
                .arg("--stagecraft-bin")
                .arg(&bin)
                .args(args)
                .run()
        },
    },
    Bench {
        name: "authorizer",
        about: "a data-plane request with a cached TOKEN authorizer vs the same MOCK method without one, CPU per request (cargo bench -p stagecraft-emulator --bench authorizer; table for docs/benchmarks.md)",
        needs: "crates/emulator/benches/authorizer.rs",
        run: |args| {
            cmd("cargo")
                .args([
                    "bench",
                    "-p",
                    "stagecraft-emulator",
                    "--bench",
                    "authorizer",
                    "--",
                ])
                .args(args)
                .run()
        },
    },
    Bench {
        name: "web",
        about: "the web app in Chromium (trunk build, then node tests/bench/web.mjs, STAGECRAFT_BIN = release build)",
        needs: "tests/bench/web.mjs",
        run: |args| {
            if web::present() {
                web::build()?;
            }
            let bin = web::build_server(true)?;
            cmd("node")
                .arg("tests/bench/web.mjs")
                .args(args)
                .env("STAGECRAFT_BIN", &bin)
                .env("CHROMIUM", install::CHROMIUM)
                .run()
        },
    },
];

fn run_one(bench: &Bench, args: &[String]) -> Result<()> {
    if !exists(bench.needs) {
        bail!("not available yet: {} missing", bench.needs);
    }
    (bench.run)(args).with_context(|| format!("bench {}", bench.name))
}

/// `cargo xtask bench TARGET [ARGS…]`. `all` runs every benchmark whose file
/// exists, lists the missing ones, and fails if any that ran failed.
pub fn run(target: &str, args: &[String]) -> Result<()> {
    if target != "all" {
        let Some(bench) = BENCHES.iter().find(|b| b.name == target) else {
            bail!("unknown bench `{target}`; choose one of: {}, all", names());
        };
        return run_one(bench, args);
    }
    if !BENCHES.iter().any(|b| exists(b.needs)) {
        bail!(
            "not available yet: no benchmark has its file ({})",
            BENCHES
                .iter()
                .map(|b| b.needs)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut failed = Vec::new();
    let mut lines = Vec::new();
    for bench in BENCHES {
        if !exists(bench.needs) {
            lines.push(format!(
                "{:<8} not available yet: {} missing",
                bench.name, bench.needs
            ));
            continue;
        }
        println!("\n━━━━ bench {} ━━━━", bench.name);
        let started = Instant::now();
        let result = run_one(bench, args);
        let took = fmt_duration(started.elapsed());
        match result {
            Ok(()) => lines.push(format!("{:<8} ok ({took})", bench.name)),
            Err(err) => {
                eprintln!("error: {err:#}");
                lines.push(format!("{:<8} FAILED ({took}): {err}", bench.name));
                failed.push(bench.name);
            }
        }
    }
    println!("\n━━━━ bench summary ━━━━");
    for line in lines {
        println!("{line}");
    }
    if failed.is_empty() {
        Ok(())
    } else {
        bail!("benchmarks FAILED: {}", failed.join(", "))
    }
}

/// `core, wasm, …`.
pub fn names() -> String {
    BENCHES
        .iter()
        .map(|b| b.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The target list for `cargo xtask bench --help`.
pub fn help() -> String {
    let mut out = String::new();
    for b in BENCHES {
        out.push_str(&format!(
            "  {:<8} {}\n  {:<8} (needs {})\n",
            b.name, b.about, "", b.needs
        ));
    }
    out.push_str("  all      every benchmark above whose file exists\n");
    out
}
