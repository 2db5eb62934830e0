//! The servers' log (`stagecraft serve`, `stagecraft emulator`): `tracing` events to stderr.
//!
//! By default stagecraft's own events at `info` and above are shown and other crates' none;
//! `RUST_LOG` replaces that (`RUST_LOG=debug`, `RUST_LOG=stagecraft=warn,hyper=debug`), and
//! `--quiet` shows only stagecraft's warnings and errors. What a command prints as its result
//! (the URL it listens on, `validate`'s report, a start-up error) is not a log and stays as it is.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Stagecraft's own crates, at `level`.
fn own(level: &str) -> EnvFilter {
    EnvFilter::new(format!("stagecraft={level},stagecraft_emulator={level}"))
}

/// Installs the stderr subscriber; a second call changes nothing.
pub fn init(quiet: bool) {
    let filter = if quiet {
        own("warn")
    } else {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| own("info"))
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}
