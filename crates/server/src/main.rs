//! `stagecraft`: make Amazon API Gateway stage changes safe.
//!
//! Subcommands: `validate`, `diff`, `apply` and `schema` work on GetStage JSON files; the servers
//! (`emulator`, `serve`) live in their own modules.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;
mod emulator;
mod logging;
mod serve;

/// Validate, diff and apply Amazon API Gateway stage changes with AWS's exact rules.
#[derive(Debug, Parser)]
#[command(name = "stagecraft", version, about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Validate(cli::ValidateArgs),
    Diff(cli::DiffArgs),
    Apply(cli::ApplyArgs),
    Schema(cli::SchemaArgs),
    Emulator(emulator::Args),
    Serve(serve::ServeArgs),
}

fn main() -> ExitCode {
    let args = Args::parse();
    match args.command {
        Command::Validate(a) => cli::validate(&a),
        Command::Diff(a) => cli::diff(&a),
        Command::Apply(a) => cli::apply(&a),
        Command::Schema(a) => cli::schema(&a),
        Command::Emulator(a) => emulator::run(a),
        Command::Serve(a) => serve::run(a),
    }
}
