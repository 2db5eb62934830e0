//! Small helpers shared by every subcommand: paths, a command builder that
//! echoes what it runs, tool probing (`ensure_tool`) and formatting.

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use std::{env, fs, thread};

use anyhow::{Context, Result, bail};

/// The workspace root (two levels above this crate's manifest).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/xtask sits two levels below the workspace root")
        .to_path_buf()
}

/// `$CARGO` (set by cargo for `cargo run`), else plain `cargo`.
pub fn cargo() -> OsString {
    env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The cargo target directory (`$CARGO_TARGET_DIR`, else `<root>/target`).
pub fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => project_root().join(dir),
        None => project_root().join("target"),
    }
}

/// `~/.cargo/bin` (or `$CARGO_HOME/bin`): where `cargo install` puts tools.
pub fn cargo_bin_dir() -> PathBuf {
    match env::var_os("CARGO_HOME") {
        Some(home) => PathBuf::from(home).join("bin"),
        None => PathBuf::from(env::var_os("HOME").unwrap_or_else(|| "/root".into()))
            .join(".cargo")
            .join("bin"),
    }
}

/// `<root>/node_modules/.bin`, where npm puts wasm-opt (binaryen 132), tsc, ...
pub fn node_bin_dir() -> PathBuf {
    project_root().join("node_modules").join(".bin")
}

/// PATH for every child process: `node_modules/.bin` first (so npm's wasm-opt
/// wins over Debian's broken binaryen), then cargo's bin dir, then the rest.
pub fn child_path() -> OsString {
    let mut dirs = vec![node_bin_dir(), cargo_bin_dir()];
    if let Some(path) = env::var_os("PATH") {
        dirs.extend(env::split_paths(&path));
    }
    env::join_paths(dirs).unwrap_or_else(|_| env::var_os("PATH").unwrap_or_default())
}

/// Variables that `cargo run` sets for the xtask binary itself; they must not
/// leak into the cargo/trunk/pytest processes we start.
fn leaked_cargo_var(key: &OsStr) -> bool {
    let key = key.to_string_lossy();
    key.starts_with("CARGO_PKG_")
        || matches!(
            &*key,
            "CARGO_MANIFEST_DIR"
                | "CARGO_MANIFEST_PATH"
                | "CARGO_CRATE_NAME"
                | "CARGO_BIN_NAME"
                | "CARGO_PRIMARY_PACKAGE"
        )
}

/// A command to run from the project root with [`child_path`] as PATH.
/// `cmd("cargo")` means `$CARGO`.
pub fn cmd(program: impl AsRef<OsStr>) -> Cmd {
    let program = program.as_ref();
    let display = program.to_string_lossy().into_owned();
    let mut inner = if program == "cargo" {
        Command::new(cargo())
    } else {
        Command::new(program)
    };
    inner.current_dir(project_root()).env("PATH", child_path());
    for (key, _) in env::vars_os() {
        if leaked_cargo_var(&key) {
            inner.env_remove(key);
        }
    }
    Cmd { inner, display }
}

/// A `std::process::Command` that remembers how to print itself.
pub struct Cmd {
    inner: Command,
    display: String,
}

impl Cmd {
    /// Adds one argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        let arg = arg.as_ref();
        let shown = arg.to_string_lossy();
        if shown.is_empty() || shown.contains(char::is_whitespace) {
            let _ = write!(self.display, " '{shown}'");
        } else {
            let _ = write!(self.display, " {shown}");
        }
        self.inner.arg(arg);
        self
    }

    /// Adds several arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    /// Sets an environment variable (shown in the echoed command line).
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        let value = value.as_ref();
        self.display = format!("{key}={} {}", value.to_string_lossy(), self.display);
        self.inner.env(key, value);
        self
    }

    /// Runs in `dir` instead of the project root.
    pub fn dir(mut self, dir: impl AsRef<Path>) -> Self {
        let dir = dir.as_ref();
        if let Ok(rel) = dir.strip_prefix(project_root()) {
            self.display = format!("(cd {} && {})", rel.display(), self.display);
        }
        self.inner.current_dir(dir);
        self
    }

    /// The command line as echoed.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// Echoes and runs the command with inherited stdio; fails unless it exits 0.
    pub fn run(self) -> Result<()> {
        let display = self.display.clone();
        let status = self.status()?;
        check_status(&display, status)
    }

    /// Echoes and runs the command with inherited stdio and returns its status.
    /// Fails only if it cannot be started.
    pub fn status(mut self) -> Result<ExitStatus> {
        println!("$ {}", self.display);
        flush();
        self.inner.status().with_context(|| {
            format!(
                "could not start `{}` (is it installed? try `cargo xtask install`)",
                self.display
            )
        })
    }

    /// Runs quietly and returns stdout; fails unless it exits 0.
    pub fn read(mut self) -> Result<String> {
        let out = self
            .inner
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("could not start `{}`", self.display))?;
        if !out.status.success() {
            bail!(
                "`{}` failed ({}): {}",
                self.display,
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs quietly; `Some(stdout + stderr)` if it started and exited 0.
    pub fn probe(mut self) -> Option<String> {
        let out = self.inner.stdin(Stdio::null()).output().ok()?;
        if !out.status.success() {
            return None;
        }
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        Some(text)
    }

    /// Echoes and runs the command, passing its stdout and stderr through
    /// live while also keeping a copy. Returns the status and all output.
    pub fn run_tee(mut self) -> Result<(ExitStatus, String)> {
        println!("$ {}", self.display);
        flush();
        let mut child = self
            .inner
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("could not start `{}`", self.display))?;
        let captured = Arc::new(Mutex::new(String::new()));
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let out_thread = tee_thread(stdout, false, Arc::clone(&captured));
        let err_thread = tee_thread(stderr, true, Arc::clone(&captured));
        let status = child.wait().context("waiting for child process")?;
        let _ = out_thread.join();
        let _ = err_thread.join();
        let text = captured.lock().map(|s| s.clone()).unwrap_or_default();
        Ok((status, text))
    }

    /// Replaces this process with the command (Unix `exec`). Only returns on error.
    #[cfg(unix)]
    pub fn exec(mut self) -> anyhow::Error {
        use std::os::unix::process::CommandExt;
        println!("$ exec {}", self.display);
        flush();
        let err = self.inner.exec();
        anyhow::Error::new(err).context(format!("could not exec `{}`", self.display))
    }

    /// Runs the command and exits with its status (non-Unix fallback for exec).
    #[cfg(not(unix))]
    pub fn exec(self) -> anyhow::Error {
        match self.status() {
            Ok(status) => std::process::exit(status.code().unwrap_or(1)),
            Err(err) => err,
        }
    }
}

fn tee_thread(
    stream: impl Read + Send + 'static,
    is_stderr: bool,
    captured: Arc<Mutex<String>>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if is_stderr {
                let mut err = std::io::stderr().lock();
                let _ = err.write_all(&line);
                let _ = err.flush();
            } else {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(&line);
                let _ = out.flush();
            }
            if let Ok(mut all) = captured.lock() {
                all.push_str(&String::from_utf8_lossy(&line));
            }
        }
    })
}

/// Turns a non-zero exit status into an error naming the command.
pub fn check_status(display: &str, status: ExitStatus) -> Result<()> {
    if status.success() {
        Ok(())
    } else {
        match status.code() {
            Some(code) => bail!("`{display}` exited with status {code}"),
            None => bail!("`{display}` was killed by a signal ({status})"),
        }
    }
}

/// Flushes stdout so our lines appear before the child's.
pub fn flush() {
    let _ = std::io::stdout().flush();
}

/// True if `text` contains `expected` as a whitespace/paren/comma separated
/// token, ignoring a leading `v` (`trunk 0.21.14`, `wasm-opt version 132 (version_132)`).
pub fn version_matches(text: &str, expected: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .map(|tok| tok.strip_prefix('v').unwrap_or(tok))
        .any(|tok| tok == expected)
}

/// The first non-empty line of a tool's `--version` output.
pub fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

/// Makes sure `name` at version `expected` is installed: runs `version_cmd`
/// and, unless its output names `expected`, runs `install_cmd` and checks again.
/// Prints `✓ trunk 0.21.14 (cached)` or how long the install took.
pub fn ensure_tool(
    name: &str,
    version_cmd: &[&str],
    expected: &str,
    install_cmd: &[&str],
) -> Result<()> {
    let probe = || cmd(version_cmd[0]).args(&version_cmd[1..]).probe();
    let found = probe();
    if found
        .as_deref()
        .is_some_and(|v| version_matches(v, expected))
    {
        println!("✓ {name} {expected} (cached)");
        return Ok(());
    }
    let why = match &found {
        Some(text) => format!("found `{}`", first_line(text)),
        None => "not installed".to_owned(),
    };
    let install = cmd(install_cmd[0]).args(&install_cmd[1..]);
    println!("→ {name} {expected}: {why}; installing…");
    let started = Instant::now();
    let shown = install.display().to_owned();
    install
        .run()
        .with_context(|| format!("installing {name} {expected} with `{shown}`"))?;
    match probe() {
        Some(text) if version_matches(&text, expected) => {
            println!(
                "✓ {name} {expected} (installed in {})",
                fmt_duration(started.elapsed())
            );
            Ok(())
        }
        other => bail!(
            "{name}: after `{shown}`, `{}` reports {:?}, expected {expected} \
             (is {} on PATH?)",
            version_cmd.join(" "),
            other.as_deref().map(first_line).unwrap_or("nothing"),
            cargo_bin_dir().display()
        ),
    }
}

/// `1.2s`, `2m05s`.
pub fn fmt_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let whole = d.as_secs();
        format!("{}m{:02}s", whole / 60, whole % 60)
    }
}

/// `1234` → `1.2 KiB`.
pub fn fmt_bytes(n: u64) -> String {
    let n_f = n as f64;
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.1} KiB", n_f / 1024.0)
    } else {
        format!("{:.2} MiB", n_f / (1024.0 * 1024.0))
    }
}

/// Size of `path` after `gzip -9`.
pub fn gzip9_size(path: &Path) -> Result<u64> {
    let out = Command::new("gzip")
        .args(["-9", "-c", "-n"])
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .context("running `gzip -9` (is gzip installed?)")?;
    if !out.status.success() {
        bail!("`gzip -9 -c {}` failed", path.display());
    }
    Ok(out.stdout.len() as u64)
}

/// Path relative to the project root, for messages.
pub fn rel(path: &Path) -> String {
    path.strip_prefix(project_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Whether `rel_path` (relative to the root) exists.
pub fn exists(rel_path: &str) -> bool {
    project_root().join(rel_path).exists()
}

/// Reads a file, or `None` if it does not exist.
pub fn read_opt(path: &Path) -> Option<Vec<u8>> {
    fs::read(path).ok()
}

/// Sums every `running N tests` / `running 1 test` line in test-runner output.
/// Returns `None` if there is no such line at all.
pub fn count_running_tests(output: &str) -> Option<usize> {
    let mut total = None;
    for line in output.lines() {
        let Some(rest) = line.trim().strip_prefix("running ") else {
            continue;
        };
        let Some(num) = rest
            .strip_suffix(" tests")
            .or_else(|| rest.strip_suffix(" test"))
        else {
            continue;
        };
        if let Ok(n) = num.trim().parse::<usize>() {
            *total.get_or_insert(0) += n;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_tokens() {
        assert!(version_matches("trunk 0.21.14\n", "0.21.14"));
        assert!(version_matches("wasm-bindgen 0.2.130", "0.2.130"));
        assert!(version_matches("wasm-opt version 132 (version_132)", "132"));
        assert!(version_matches("v20.20.2", "20.20.2"));
        assert!(!version_matches("trunk 0.21.140", "0.21.14"));
        assert!(!version_matches("wasm-opt version 108", "132"));
    }

    #[test]
    fn running_tests_lines() {
        let out = "running 0 tests\n\nrunning 12 tests\ntest a ... ok\n   running 1 test\n";
        assert_eq!(count_running_tests(out), Some(13));
        assert_eq!(count_running_tests("running 0 tests"), Some(0));
        assert_eq!(count_running_tests("no tests to run!"), None);
        assert_eq!(count_running_tests("running tests"), None);
    }

    #[test]
    fn durations_and_sizes() {
        assert_eq!(fmt_duration(Duration::from_millis(1234)), "1.2s");
        assert_eq!(fmt_duration(Duration::from_secs(125)), "2m05s");
        assert_eq!(fmt_bytes(999), "999 B");
        assert_eq!(fmt_bytes(2048), "2.0 KiB");
    }

    #[test]
    fn root_is_the_workspace() {
        let manifest = fs::read_to_string(project_root().join("Cargo.toml")).unwrap();
        assert!(manifest.contains("[workspace]"));
    }
}
