//! The file-based subcommands: `validate`, `diff`, `apply`, `schema`.
//!
//! Exit codes: 0 success (or valid), 1 the input is invalid or the change cannot be made,
//! 2 usage, I/O or JSON syntax errors.

use std::fmt::{Display, Write as _};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde_json::Value;
use stagecraft_core::{PatchOperation, Report, Stage, schema, validate_patch, validate_stage_str};

const INVALID: u8 = 1;
const USAGE: u8 = 2;

/// Output format of `validate`.
#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum Format {
    /// One line per problem: `PATH: MESSAGE [code]`.
    #[default]
    Text,
    /// `{"valid": bool, "errors": [{"path", "code", "message"}]}`.
    Json,
}

/// Check a stage document (GetStage JSON from the API or the AWS CLI).
///
/// Exit status: 0 valid, 1 invalid, 2 unreadable file or JSON syntax error.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The stage JSON file, or `-` for standard input.
    #[arg(default_value = "-")]
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Treat the input as UpdateStage patchOperations (an array, or `{"patchOperations": [...]}`).
    #[arg(long)]
    patch: bool,
}

/// Print the patchOperations that turn BEFORE into AFTER.
///
/// The output works as `aws apigateway update-stage --patch-operations file://ops.json`.
/// Exit status: 0 success, 1 a change UpdateStage cannot make (the message says which API does),
/// 2 unreadable file or invalid JSON.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The current stage (GetStage JSON).
    before: PathBuf,
    /// The desired stage (GetStage JSON).
    after: PathBuf,
}

/// Apply patchOperations to a stage as AWS would and print the resulting stage.
///
/// Exit status: 0 success, 1 AWS would refuse the operations (`BadRequestException: …` on stderr),
/// 2 unreadable file or invalid JSON.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The stage (GetStage JSON).
    stage: PathBuf,
    /// The operations: an array, or `{"patchOperations": [...]}` as the AWS CLI's input JSON has it.
    ops: PathBuf,
}

/// Print the JSON Schema (draft 2020-12) of a stage document.
#[derive(Debug, Args)]
pub struct SchemaArgs {}

/// A failure to read or parse input: exit 2.
struct InputError(String);

fn read(path: &Path) -> Result<String, InputError> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| InputError(format!("cannot read standard input: {e}")))?;
        Ok(text)
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| InputError(format!("cannot read {}: {e}", path.display())))
    }
}

fn parse_json(path: &Path, text: &str) -> Result<Value, InputError> {
    serde_json::from_str(text).map_err(|e| syntax_error(path, (e.line(), e.column()), &e))
}

fn syntax_error(path: &Path, (line, column): (usize, usize), e: &dyn Display) -> InputError {
    InputError(format!(
        "{}: invalid JSON at line {line}, column {column}: {e}",
        display(path)
    ))
}

/// Validates stage text in one streaming pass; a JSON syntax error is an input error.
fn check_stage(path: &Path, text: &str) -> Result<Report, InputError> {
    validate_stage_str(text).map_err(|e| syntax_error(path, (e.line(), e.column()), &e))
}

fn display(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Reads a stage, reporting validation problems as invalid input (exit 1).
fn read_stage(path: &Path) -> Result<Stage, (u8, String)> {
    let text = read(path).map_err(|InputError(m)| (USAGE, m))?;
    let report = check_stage(path, &text).map_err(|InputError(m)| (USAGE, m))?;
    if !report.valid {
        return Err((
            INVALID,
            format!(
                "{} is not a valid stage:\n{}",
                display(path),
                render_text(&report)
            ),
        ));
    }
    serde_json::from_str(&text).map_err(|e| {
        (
            INVALID,
            format!("{} is not a valid stage: {e}", display(path)),
        )
    })
}

fn read_ops(path: &Path) -> Result<Vec<PatchOperation>, (u8, String)> {
    let text = read(path).map_err(|InputError(m)| (USAGE, m))?;
    let mut value = parse_json(path, &text).map_err(|InputError(m)| (USAGE, m))?;
    if let Some(ops) = value.get_mut("patchOperations") {
        value = ops.take();
    }
    let report = validate_patch(&value);
    if !report.valid {
        return Err((
            INVALID,
            format!("BadRequestException: {}", report.errors[0].message),
        ));
    }
    serde_json::from_value(value).map_err(|e| {
        (
            USAGE,
            format!("{}: not a list of patch operations: {e}", display(path)),
        )
    })
}

fn render_text(report: &Report) -> String {
    let mut out = String::new();
    for issue in &report.errors {
        let path = if issue.path.as_str().is_empty() {
            "(document)"
        } else {
            issue.path.as_str()
        };
        let code = serde_json::to_value(issue.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let _ = writeln!(out, "{path}: {} [{code}]", issue.message);
    }
    out
}

fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("{}", message.trim_end_matches('\n'));
    ExitCode::from(code)
}

fn print_json(value: &impl serde::Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

/// `stagecraft validate`.
pub fn validate(args: &ValidateArgs) -> ExitCode {
    let report = read(&args.file).and_then(|text| {
        if args.patch {
            parse_json(&args.file, &text).map(|value| validate_patch(&value))
        } else {
            check_stage(&args.file, &text)
        }
    });
    let report = match report {
        Ok(r) => r,
        Err(InputError(m)) => return fail(USAGE, &m),
    };
    match args.format {
        Format::Json => print_json(&report),
        Format::Text if report.valid => println!("{}: valid", display(&args.file)),
        Format::Text => print!("{}", render_text(&report)),
    }
    if report.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(INVALID)
    }
}

/// `stagecraft diff`.
pub fn diff(args: &DiffArgs) -> ExitCode {
    let stages = read_stage(&args.before).and_then(|b| Ok((b, read_stage(&args.after)?)));
    let (before, after) = match stages {
        Ok(s) => s,
        Err((code, m)) => return fail(code, &m),
    };
    match stagecraft_core::diff(&before, &after) {
        Ok(ops) => {
            print_json(&ops);
            ExitCode::SUCCESS
        }
        Err(e) => fail(
            INVALID,
            &format!("cannot express the change as UpdateStage patchOperations: {e}"),
        ),
    }
}

/// `stagecraft apply`.
pub fn apply(args: &ApplyArgs) -> ExitCode {
    let input = read_stage(&args.stage).and_then(|s| Ok((s, read_ops(&args.ops)?)));
    let (stage, ops) = match input {
        Ok(x) => x,
        Err((code, m)) => return fail(code, &m),
    };
    match stagecraft_core::apply(&stage, &ops) {
        Ok(next) => {
            print_json(&next);
            ExitCode::SUCCESS
        }
        Err(e) => fail(INVALID, &e.to_string()),
    }
}

/// `stagecraft schema`.
pub fn schema(_: &SchemaArgs) -> ExitCode {
    print_json(&schema::stage_schema());
    ExitCode::SUCCESS
}
