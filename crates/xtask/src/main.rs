//! stagecraft's project automation: `cargo xtask <command>`.
//!
//! Only cargo is needed to start; `cargo xtask install` brings in the rest.
//! Subcommands are listed in [`COMMANDS`]; CI steps in `ci::STEPS`;
//! benchmarks in `bench::BENCHES`.

mod bench;
mod ci;
mod compress;
mod fuzz;
mod install;
mod util;
mod wasm;
mod wasm_opt;
mod web;

use std::process::ExitCode;

use anyhow::{Result, bail};

/// A subcommand: name, usage, one-line summary, longer help.
struct Command {
    name: &'static str,
    usage: &'static str,
    about: &'static str,
    help: fn() -> String,
}

const COMMANDS: &[Command] = &[
    Command {
        name: "install",
        usage: "cargo xtask install",
        about: "install every pinned tool (skips what is already there)",
        help: || {
            format!(
                "Idempotent: each tool is probed first and installed only when missing or at another version.\n\n\
                 \x20 rust target      {target} (rustup)\n\
                 \x20 wasm-bindgen     {wb} (cargo install wasm-bindgen-cli, into ~/.cargo/bin)\n\
                 \x20 trunk            {trunk} (cargo install --locked)\n\
                 \x20 npm devDeps      npm ci from package-lock.json (binaryen {opt} = node_modules/.bin/wasm-opt,\n\
                 \x20                  playwright-core, typescript, ajv, fast-json-patch, terser)\n\
                 \x20 chromium         Debian chromium + chromium-driver (apt-get) if {chromium} is missing\n\
                 \x20 python           tests/requirements.txt (boto3, awscli, pytest) if they don't import\n\n\
                 moto {moto} (tests/requirements-bench.txt) is installed by `cargo xtask bench proxy|emulator` only.\n\
                 Child processes get node_modules/.bin first on PATH, then ~/.cargo/bin.",
                target = install::WASM_TARGET,
                wb = install::WASM_BINDGEN,
                trunk = install::TRUNK,
                opt = install::WASM_OPT,
                chromium = install::CHROMIUM,
                moto = install::MOTO,
            )
        },
    },
    Command {
        name: "ci",
        usage: "cargo xtask ci [--quick] [--only STEP,…] [--skip STEP,…]",
        about: "run the CI steps and print a summary table (what .ci/run calls)",
        help: || {
            format!(
                "Runs the steps below in order, with a banner each and a table at the end.\n\
                 A failing step does not stop the others (except install); the exit code is 1 if any failed.\n\n\
                 Options:\n\
                 \x20 --quick         only the steps marked quick; install checks Python deps only\n\
                 \x20 --only a,b      run only these steps\n\
                 \x20 --skip a,b      leave these steps out\n\n\
                 Steps (crates/xtask/src/ci.rs, STEPS):\n{}",
                ci::steps_help()
            )
        },
    },
    Command {
        name: "serve",
        usage: "cargo xtask serve [ARGS…]",
        about: "build the web app and the server, then run `stagecraft serve --demo ARGS…`",
        help: || {
            format!(
                "install, then `trunk build --release` (if Trunk.toml exists), `cargo build --release -p stagecraft`,\n\
                 then exec `target/release/stagecraft serve --demo ARGS…` and print the URL (default http://{}/).\n\
                 Until the web app exists it runs `stagecraft --help` instead.\n\
                 Use `cargo xtask serve -- --help` to pass --help to the server.",
                web::DEFAULT_ADDR
            )
        },
    },
    Command {
        name: "wasm",
        usage: "cargo xtask wasm",
        about: "build the npm package stagecraft-validator into crates/wasm/pkg",
        help: || {
            format!(
                "cargo build -p {krate} --target {target} --profile {profile}, then wasm-bindgen for\n\
                 web, nodejs and bundler (crates/wasm/pkg/{{web,node,bundler}}), wasm-opt -Oz (npm binaryen {opt})\n\
                 on each _bg.wasm, copies crates/wasm/npm/package.json (+ README) into pkg and runs `npm pack`.\n\
                 Prints raw and gzip -9 sizes of every .wasm and .js.",
                krate = wasm::CRATE,
                target = install::WASM_TARGET,
                profile = wasm::PROFILE,
                opt = install::WASM_OPT,
            )
        },
    },
    Command {
        name: "web-dist",
        usage: "cargo xtask web-dist",
        about: "finish a Trunk release build (Trunk's post-build hook, see Trunk.toml)",
        help: || {
            "Run by `trunk build --release` through the post_build hook in Trunk.toml, with TRUNK_STAGING_DIR\n\
             and TRUNK_PROFILE set: wasm-opt -Oz on the app's _bg.wasm with its functions ordered so that\n\
             similar code sits together (smaller gzip/brotli; crates/xtask/src/wasm_opt.rs), the new\n\
             sha384 written into index.html's integrity attribute, then .gz (zopfli) and .br (brotli 11)\n\
             copies of every .wasm, .js and .css. Debug builds (`trunk serve`) are left alone."
                .to_owned()
        },
    },
    Command {
        name: "bench",
        usage: "cargo xtask bench <core|wasm|proxy|dataplane|emulator|authorizer|web|all> [ARGS…]",
        about: "run a benchmark (ARGS go to the benchmark)",
        help: || {
            format!(
                "Targets (crates/xtask/src/bench.rs, BENCHES):\n{}",
                bench::help()
            )
        },
    },
    Command {
        name: "fuzz",
        usage: "cargo xtask fuzz [--time S] [TARGET…]",
        about: "run the libFuzzer targets in fuzz/ (cargo-fuzz, nightly)",
        help: fuzz::help,
    },
];

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_help(arg: &str) -> bool {
    matches!(arg, "-h" | "--help" | "help")
}

fn run(args: Vec<String>) -> Result<()> {
    let Some((name, rest)) = args.split_first() else {
        print!("{}", usage());
        return Ok(());
    };
    if is_help(name) {
        match rest.first().and_then(|n| find(n)) {
            Some(command) => print_help(command),
            None => print!("{}", usage()),
        }
        return Ok(());
    }
    let Some(command) = find(name) else {
        bail!("unknown command `{name}`\n\n{}", usage());
    };
    // `--help` before any `--` asks for our help; after `--` it is passed on.
    let ours = rest.iter().take_while(|a| *a != "--");
    if ours.clone().any(|a| matches!(a.as_str(), "-h" | "--help")) {
        print_help(command);
        return Ok(());
    }
    match command.name {
        "install" => {
            no_args(command, rest)?;
            install::run(false)
        }
        "ci" => ci::run(&parse_ci(rest)?),
        "serve" => web::serve(&pass_through(rest)),
        "wasm" => {
            no_args(command, rest)?;
            wasm::build_package()
        }
        "web-dist" => {
            no_args(command, rest)?;
            web::finish_dist()
        }
        "fuzz" => fuzz::run(&fuzz::parse(rest)?),
        "bench" => {
            let Some((target, args)) = rest.split_first() else {
                bail!(
                    "which benchmark? usage: {}\n\n{}",
                    command.usage,
                    (command.help)()
                );
            };
            bench::run(target, &pass_through(args))
        }
        other => unreachable!("command `{other}` is in COMMANDS but not dispatched"),
    }
}

fn find(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name == name)
}

fn no_args(command: &Command, rest: &[String]) -> Result<()> {
    if let Some(extra) = rest.first() {
        bail!("unexpected argument `{extra}`; usage: {}", command.usage);
    }
    Ok(())
}

/// Drops one leading `--` so `serve -- --help` passes `--help` on.
fn pass_through(args: &[String]) -> Vec<String> {
    match args.split_first() {
        Some((first, rest)) if first == "--" => rest.to_vec(),
        _ => args.to_vec(),
    }
}

fn parse_ci(args: &[String]) -> Result<ci::Options> {
    let mut opts = ci::Options::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_owned())),
            None => (arg.as_str(), None),
        };
        match flag {
            "--quick" if inline.is_none() => opts.quick = true,
            "--only" | "--skip" => {
                let Some(value) = inline.or_else(|| it.next().cloned()) else {
                    bail!(
                        "{flag} needs a comma-separated list of steps: {}",
                        ci::step_names()
                    );
                };
                let list = value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned);
                if flag == "--only" {
                    opts.only.extend(list);
                } else {
                    opts.skip.extend(list);
                }
            }
            _ => bail!(
                "unexpected argument `{arg}`; usage: {}",
                find("ci").map_or("", |c| c.usage)
            ),
        }
    }
    Ok(opts)
}

fn usage() -> String {
    let mut out = String::from(
        "stagecraft project tasks\n\nUsage: cargo xtask <COMMAND> [ARGS…]\n\nCommands:\n",
    );
    for c in COMMANDS {
        out.push_str(&format!("  {:<9} {}\n", c.name, c.about));
    }
    out.push_str("  help      this list; `cargo xtask help <COMMAND>` or `cargo xtask <COMMAND> --help` for more\n");
    out
}

fn print_help(command: &Command) {
    println!(
        "{}\n\nUsage: {}\n\n{}",
        command.about,
        command.usage,
        (command.help)()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn every_command_has_help_and_is_listed() {
        let text = usage();
        for c in COMMANDS {
            assert!(text.contains(c.name));
            assert!(!(c.help)().is_empty());
        }
    }

    #[test]
    fn ci_flags() {
        let o = parse_ci(&strings(&["--quick", "--only", "fmt,test", "--skip=e2e"])).unwrap();
        assert!(o.quick);
        assert_eq!(o.only, ["fmt", "test"]);
        assert_eq!(o.skip, ["e2e"]);
        assert!(parse_ci(&strings(&["--fast"])).is_err());
    }

    #[test]
    fn pass_through_drops_one_separator() {
        assert_eq!(pass_through(&strings(&["--", "--help"])), ["--help"]);
        assert_eq!(pass_through(&strings(&["--port", "1"])), ["--port", "1"]);
    }
}
