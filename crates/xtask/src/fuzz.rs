//! `cargo xtask fuzz [--time S] [TARGET…]`: libFuzzer runs of the targets in `fuzz/` with cargo-fuzz.
//!
//! The fuzz crate lives outside the workspace (it needs the nightly toolchain), so workspace commands
//! never build it. Each run starts from a corpus seeded from `tests/fixtures` (written to
//! `fuzz/corpus/TARGET/fixture-*`), runs one libFuzzer process for `--time` seconds without a sanitizer
//! (the code under test forbids `unsafe`), and reports runs, executions per second and crashes.
//! A crash leaves its input in `fuzz/artifacts/TARGET/`; reproduce it with
//! `cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/crash-…`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::util::{cmd, ensure_tool, fmt_duration, project_root};

/// cargo-fuzz, installed into `~/.cargo/bin` on first use.
pub const CARGO_FUZZ: &str = "0.13.2";
/// The toolchain cargo-fuzz builds with (`-Z` flags for coverage instrumentation).
pub const TOOLCHAIN: &str = "nightly";
/// Seconds per target unless `--time` says otherwise.
pub const DEFAULT_SECONDS: u64 = 600;

/// The fuzz targets (`fuzz/fuzz_targets/NAME.rs`) and what each one checks.
pub const TARGETS: &[(&str, &str)] = &[
    (
        "validate_stage_str",
        "any text → a report or a JSON syntax error",
    ),
    ("validate_patch", "any JSON document → a report"),
    (
        "apply",
        "any stage + patch operations → a stage or AWS's error",
    ),
    ("diff", "any two stages → operations or a DiffError"),
    (
        "method_setting_key",
        "key parse/encode round trips, canonical keys re-encode to themselves",
    ),
    (
        "timestamp",
        "ISO-8601 and JSON timestamps → a finite time or nothing",
    ),
    (
        "emulator_request",
        "any method, path, headers, body through the router → no 5xx; a 4xx changes nothing",
    ),
];

/// `--help` text: the targets.
pub fn help() -> String {
    let mut out = format!(
        "Installs cargo-fuzz {CARGO_FUZZ} (cargo install --locked) and the {TOOLCHAIN} toolchain when missing,\n\
         seeds fuzz/corpus/TARGET from tests/fixtures, then runs each TARGET (default: all) for S seconds\n\
         (default {DEFAULT_SECONDS}) in one libFuzzer process, one target at a time. Exit status 1 if any crashed.\n\n\
         Targets (fuzz/fuzz_targets):\n"
    );
    for (name, about) in TARGETS {
        out.push_str(&format!("  {name:<19} {about}\n"));
    }
    out
}

/// Parsed arguments.
#[derive(Debug, PartialEq, Eq)]
pub struct Options {
    /// Seconds per target.
    pub seconds: u64,
    /// Targets to run, in order.
    pub targets: Vec<String>,
}

/// Parses `[--time S] [TARGET…]`.
pub fn parse(args: &[String]) -> Result<Options> {
    let mut seconds = DEFAULT_SECONDS;
    let mut targets = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if let Some(value) = arg.strip_prefix("--time=") {
            seconds = parse_seconds(value)?;
        } else if arg == "--time" {
            let Some(value) = it.next() else {
                bail!("--time needs a number of seconds");
            };
            seconds = parse_seconds(value)?;
        } else if TARGETS.iter().any(|(name, _)| name == arg) {
            targets.push(arg.clone());
        } else {
            bail!(
                "unknown fuzz target or option `{arg}`; targets: {}",
                TARGETS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|(n, _)| (*n).to_owned()).collect();
    }
    Ok(Options { seconds, targets })
}

fn parse_seconds(value: &str) -> Result<u64> {
    match value.parse::<u64>() {
        Ok(s) if s > 0 => Ok(s),
        _ => bail!("--time needs a positive number of seconds, got `{value}`"),
    }
}

/// One target's outcome.
struct Outcome {
    target: String,
    runs: Option<u64>,
    per_second: Option<u64>,
    seconds: u64,
    verdict: Verdict,
}

/// How a libFuzzer run ended.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// It ran for its time and found nothing.
    Clean,
    /// It found an input that fails (the artifact libFuzzer wrote, when it says so).
    Crashed(Option<String>),
    /// It was interrupted (Ctrl-C, `kill`) before its time was up, without a finding.
    Stopped,
}

impl Verdict {
    /// Reads the run's exit status and output. libFuzzer writes every finding (crash, leak,
    /// timeout, out-of-memory) as "Test unit written to PATH", and says "run interrupted" when a
    /// signal stops it; a stop is not a finding.
    fn of(success: bool, output: &str) -> Self {
        let artifact = output
            .lines()
            .find_map(|l| l.split_once("Test unit written to "))
            .map(|(_, path)| path.trim().to_owned());
        if artifact.is_some() {
            Verdict::Crashed(artifact)
        } else if success {
            Verdict::Clean
        } else if output.contains("run interrupted") {
            Verdict::Stopped
        } else {
            Verdict::Crashed(None)
        }
    }

    fn cell(&self) -> String {
        match self {
            Verdict::Clean => "0".to_owned(),
            Verdict::Crashed(artifact) => {
                format!("1 ({})", artifact.as_deref().unwrap_or("see the log"))
            }
            Verdict::Stopped => "0 (stopped early)".to_owned(),
        }
    }
}

/// Installs what is missing, seeds the corpora and runs the targets.
pub fn run(options: &Options) -> Result<()> {
    tools()?;
    let dir = project_root().join("fuzz");
    seed(&dir).context("seeding fuzz/corpus from tests/fixtures")?;
    let started = Instant::now();
    cmd("rustup")
        .args([
            "run",
            TOOLCHAIN,
            "cargo",
            "fuzz",
            "build",
            "--sanitizer",
            "none",
        ])
        .dir(&dir)
        .run()?;
    println!(
        "✓ fuzz targets built in {}",
        fmt_duration(started.elapsed())
    );
    let mut outcomes = Vec::new();
    for target in &options.targets {
        outcomes.push(run_target(&dir, target, options.seconds)?);
    }
    println!("\n| target | runs | exec/s | fuzzing time | crashes |\n|---|---:|---:|---:|---:|");
    for o in &outcomes {
        let shown = |n: Option<u64>| n.map_or("?".to_owned(), |n| n.to_string());
        println!(
            "| {} | {} | {} | {} s | {} |",
            o.target,
            shown(o.runs),
            shown(o.per_second),
            o.seconds,
            o.verdict.cell()
        );
    }
    let crashed: Vec<_> = outcomes
        .iter()
        .filter(|o| matches!(o.verdict, Verdict::Crashed(_)))
        .map(|o| o.target.as_str())
        .collect();
    if !crashed.is_empty() {
        bail!("crashes in: {}", crashed.join(", "));
    }
    Ok(())
}

fn tools() -> Result<()> {
    let toolchains = cmd("rustup")
        .args(["toolchain", "list"])
        .read()
        .context("`rustup` is needed for the nightly toolchain")?;
    if toolchains.lines().any(|l| l.starts_with(TOOLCHAIN)) {
        println!("✓ rust toolchain {TOOLCHAIN} (cached)");
    } else {
        println!("→ rust toolchain {TOOLCHAIN}: not installed; installing…");
        cmd("rustup")
            .args(["toolchain", "install", TOOLCHAIN, "--profile", "minimal"])
            .run()?;
    }
    ensure_tool(
        "cargo-fuzz",
        &["cargo-fuzz", "--version"],
        CARGO_FUZZ,
        &[
            "cargo",
            "install",
            "cargo-fuzz",
            "--version",
            CARGO_FUZZ,
            "--locked",
        ],
    )
    .context("installing cargo-fuzz")
}

fn run_target(dir: &Path, target: &str, seconds: u64) -> Result<Outcome> {
    let corpus = dir.join("corpus").join(target);
    let started = Instant::now();
    let (status, output) = cmd("rustup")
        .args([
            "run",
            TOOLCHAIN,
            "cargo",
            "fuzz",
            "run",
            "--sanitizer",
            "none",
        ])
        .arg(target)
        .arg(&corpus)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg("-max_len=16384")
        .arg("-print_final_stats=1")
        .dir(dir)
        .run_tee()?;
    let fuzzing = started.elapsed();
    println!("{target}: {} of fuzzing ({status})", fmt_duration(fuzzing));
    Ok(Outcome {
        target: target.to_owned(),
        runs: final_runs(&output),
        per_second: stat(&output, "stat::average_exec_per_sec:"),
        seconds: fuzzing.as_secs(),
        verdict: Verdict::of(status.success(), &output),
    })
}

/// The executions libFuzzer reports (`Done N runs in S second(s)` or, on a crash, the final stats).
fn final_runs(output: &str) -> Option<u64> {
    output
        .lines()
        .find_map(|l| {
            l.strip_prefix("Done ")
                .and_then(|rest| rest.split_once(" runs"))
                .and_then(|(n, _)| n.parse().ok())
        })
        .or_else(|| stat(output, "stat::number_of_executed_units:"))
}

fn stat(output: &str, name: &str) -> Option<u64> {
    output
        .lines()
        .find_map(|l| l.trim().strip_prefix(name))
        .and_then(|v| v.trim().parse().ok())
}

/// Writes `fuzz/corpus/TARGET/fixture-N` seeds from `tests/fixtures`.
fn seed(dir: &Path) -> Result<()> {
    let fixtures = project_root().join("tests").join("fixtures");
    let load = |name: &str| -> Result<Vec<Value>> {
        let path = fixtures.join(name);
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let value: Value =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        Ok(value.as_array().cloned().unwrap_or_default())
    };
    let valid = load("valid.json")?;
    let invalid = load("invalid.json")?;
    let diffs = load("diff.json")?;
    let applies = load("apply.json")?;

    let mut stages: Vec<Value> = valid
        .iter()
        .chain(&invalid)
        .filter_map(|c| c.get("document").cloned())
        .collect();
    stages.extend(
        diffs
            .iter()
            .flat_map(|c| [c["before"].clone(), c["after"].clone()]),
    );
    stages.extend(applies.iter().map(|c| c["stage"].clone()));
    let op_lists: Vec<Value> = diffs
        .iter()
        .map(|c| c["ops"].clone())
        .chain(applies.iter().map(|c| c["ops"].clone()))
        .filter(Value::is_array)
        .collect();
    let pair = |a: &Value, b: &Value| format!("{a}\0{b}");

    let mut seeds: Vec<(&str, Vec<String>)> = Vec::new();
    seeds.push((
        "validate_stage_str",
        stages.iter().map(Value::to_string).collect(),
    ));
    seeds.push((
        "validate_patch",
        op_lists
            .iter()
            .map(Value::to_string)
            .chain(
                op_lists
                    .iter()
                    .map(|o| json!({"patchOperations": o}).to_string()),
            )
            .collect(),
    ));
    seeds.push((
        "apply",
        applies
            .iter()
            .map(|c| pair(&c["stage"], &c["ops"]))
            .chain(diffs.iter().map(|c| pair(&c["before"], &c["ops"])))
            .collect(),
    ));
    seeds.push((
        "diff",
        diffs
            .iter()
            .map(|c| pair(&c["before"], &c["after"]))
            .chain(stages.windows(2).map(|w| pair(&w[0], &w[1])))
            .collect(),
    ));
    let keys: Vec<String> = stages
        .iter()
        .filter_map(|s| s.get("methodSettings").and_then(Value::as_object))
        .flat_map(|m| m.keys().cloned())
        .collect();
    seeds.push((
        "method_setting_key",
        keys.iter()
            .cloned()
            .chain(["/pets/{petId}\0get".to_owned(), "*\0*".to_owned()])
            .collect(),
    ));
    let times: Vec<String> = stages
        .iter()
        .flat_map(|s| [s.get("createdDate"), s.get("lastUpdatedDate")])
        .flatten()
        .map(|t| match t {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .chain(
            [
                "2024-03-05T10:20:30+00:00",
                "20240305T102030Z",
                "2024-03-05t10:20:30.123456789-01",
                "2024-03-05 10:20+0130",
            ]
            .map(str::to_owned),
        )
        .collect();
    seeds.push(("timestamp", times));
    seeds.push(("emulator_request", request_seeds(&applies, &stages)));

    for (target, inputs) in seeds {
        let corpus = dir.join("corpus").join(target);
        fs::create_dir_all(&corpus).with_context(|| format!("creating {}", corpus.display()))?;
        for (i, input) in inputs.iter().enumerate() {
            let path: PathBuf = corpus.join(format!("fixture-{i}"));
            fs::write(&path, input).with_context(|| format!("writing {}", path.display()))?;
        }
        println!("✓ {target}: {} seeds from tests/fixtures", inputs.len());
    }
    Ok(())
}

/// Requests for the `emulator_request` target (its text format: `METHOD PATH`, headers, blank line, body).
fn request_seeds(applies: &[Value], stages: &[Value]) -> Vec<String> {
    let request = |method: &str, path: &str, body: &Value| {
        format!("{method} {path}\ncontent-type: application/json\n\n{body}")
    };
    let api = "/restapis/{api}";
    let mut out: Vec<String> = applies
        .iter()
        .map(|c| {
            request(
                "PATCH",
                &format!("{api}/stages/prod"),
                &json!({"patchOperations": c["ops"]}),
            )
        })
        .collect();
    out.extend(stages.iter().take(4).map(|s| {
        let mut body = s.clone();
        body["stageName"] = json!("fuzz");
        request("POST", &format!("{api}/stages"), &body)
    }));
    let empty = Value::Null;
    for (method, path) in [
        ("GET", "/restapis".to_owned()),
        ("POST", "/restapis".to_owned()),
        ("GET", api.to_owned()),
        ("DELETE", api.to_owned()),
        ("GET", format!("{api}/resources?embed=methods")),
        ("POST", format!("{api}/resources/{{resource}}")),
        ("PUT", format!("{api}/resources/{{resource}}/methods/GET")),
        (
            "PUT",
            format!("{api}/resources/{{resource}}/methods/GET/integration"),
        ),
        ("POST", format!("{api}/deployments")),
        ("DELETE", format!("{api}/deployments/{{deployment}}")),
        ("GET", format!("{api}/stages?deploymentId={{deployment}}")),
        ("DELETE", format!("{api}/stages/dev")),
        ("DELETE", format!("{api}/stages/prod/cache/authorizers")),
        ("DELETE", format!("{api}/stages/prod/cache/data")),
        ("POST", format!("{api}/authorizers")),
        ("POST", format!("{api}/authorizers/{{authorizer}}")),
        ("PATCH", format!("{api}/authorizers/{{authorizer}}")),
        (
            "PUT",
            "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2F{api}%2Fstages%2Fprod"
                .to_owned(),
        ),
    ] {
        out.push(request(method, &path, &empty));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn arguments() {
        let all = parse(&[]).unwrap();
        assert_eq!(all.seconds, DEFAULT_SECONDS);
        assert_eq!(all.targets.len(), TARGETS.len());
        let some = parse(&strings(&["--time", "20", "diff", "apply"])).unwrap();
        assert_eq!(
            some,
            Options {
                seconds: 20,
                targets: strings(&["diff", "apply"])
            }
        );
        assert_eq!(parse(&strings(&["--time=5"])).unwrap().seconds, 5);
        assert!(parse(&strings(&["--time", "0"])).is_err());
        assert!(parse(&strings(&["nope"])).is_err());
    }

    #[test]
    fn every_target_has_a_source_file() {
        for (name, _) in TARGETS {
            let path = project_root()
                .join("fuzz/fuzz_targets")
                .join(format!("{name}.rs"));
            assert!(path.exists(), "{} is missing", path.display());
        }
    }

    #[test]
    fn reads_libfuzzer_totals() {
        let done = "#123\tDONE cov: 1\nDone 4567 runs in 20 second(s)\n";
        assert_eq!(final_runs(done), Some(4567));
        let crash = "stat::number_of_executed_units: 89\nstat::average_exec_per_sec:     30\n";
        assert_eq!(final_runs(crash), Some(89));
        assert_eq!(stat(crash, "stat::average_exec_per_sec:"), Some(30));
    }

    #[test]
    fn tells_a_stop_from_a_crash() {
        assert_eq!(
            Verdict::of(true, "Done 5 runs in 1 second(s)\n"),
            Verdict::Clean
        );
        let crash = "==1== ERROR: libFuzzer: deadly signal\n\
                     artifact_prefix='a/'; Test unit written to a/crash-12ab\n";
        assert_eq!(
            Verdict::of(false, crash),
            Verdict::Crashed(Some("a/crash-12ab".to_owned()))
        );
        let stop = "==1== libFuzzer: run interrupted; exiting\n";
        assert_eq!(Verdict::of(false, stop), Verdict::Stopped);
        assert_eq!(
            Verdict::of(false, "error: could not compile"),
            Verdict::Crashed(None)
        );
    }
}
