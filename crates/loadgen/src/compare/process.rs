//! The servers under test as child processes: start-up, liveness, and what `/proc` says about
//! their memory and CPU time.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use http::Method;

use super::Options;
use crate::Signer;
use crate::client::{Conn, Endpoint};

/// A server child process, killed when dropped.
pub(super) struct Server {
    pub(super) name: &'static str,
    pub(super) child: Child,
    pub(super) endpoint: Arc<Endpoint>,
    log: PathBuf,
}

impl Server {
    pub(super) fn pid(&self) -> u32 {
        self.child.id()
    }

    pub(super) fn rss_bytes(&self) -> Result<u64> {
        rss_bytes(self.pid())
    }

    fn check_alive(&mut self) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!(
                "{} exited ({status}); log {}:\n{}",
                self.name,
                self.log.display(),
                tail(&self.log)
            );
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// VmRSS of a process, from `/proc/PID/status`.
///
/// # Errors
/// The file is missing or has no VmRSS line.
fn rss_bytes(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or_else(|| anyhow!("no VmRSS for pid {pid}"))?;
    let kb: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .context("parsing VmRSS")?;
    Ok(kb * 1024)
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

pub(super) fn start_emulator(
    opts: &Options,
    state: Option<&Path>,
    dir: &Path,
    name: &'static str,
) -> Result<Server> {
    let log = dir.join(format!("{}.log", name.replace(' ', "-")));
    let mut cmd = Command::new(&opts.stagecraft_bin);
    cmd.args(["emulator", "--addr", "127.0.0.1:0"]).args([
        "--access-key",
        &opts.access_key,
        "--secret-key",
        &opts.secret_key,
    ]);
    if let Some(state) = state {
        cmd.arg("--state").arg(state);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log)?)
        .spawn()
        .with_context(|| format!("starting {} emulator", opts.stagecraft_bin.display()))?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(addr) = line.trim().strip_prefix("listening on ")
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(addr.to_owned());
            }
        }
    });
    let mut server = Server {
        name,
        child,
        endpoint: Arc::new(Endpoint::parse("http://127.0.0.1:1")?),
        log,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(url) => {
                server.endpoint = Arc::new(Endpoint::parse(&url)?);
                return Ok(server);
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) if Instant::now() < deadline => {
                server.check_alive()?;
            }
            Err(_) => {
                server.check_alive()?;
                bail!("{name}: no `listening on` line within 30 s");
            }
        }
    }
}

pub(super) fn start_moto(
    opts: &Options,
    dir: &Path,
    rt: &tokio::runtime::Runtime,
    signer: &Arc<Signer>,
) -> Result<Server> {
    let port = free_port()?;
    let log = dir.join("moto.log");
    let child = Command::new(&opts.moto_server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(dir.join("moto.stdout"))?)
        .stderr(std::fs::File::create(&log)?)
        .spawn()
        .with_context(|| {
            format!(
                "starting {} (pip install -r tests/requirements-bench.txt)",
                opts.moto_server
            )
        })?;
    let mut server = Server {
        name: "moto",
        child,
        endpoint: Arc::new(Endpoint::parse(&format!("http://127.0.0.1:{port}"))?),
        log,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        server.check_alive()?;
        let mut conn = Conn::new(Arc::clone(&server.endpoint), Arc::clone(signer));
        if let Ok(r) = rt.block_on(conn.call(Method::GET, "/restapis", None))
            && r.status.is_success()
        {
            return Ok(server);
        }
        if Instant::now() > deadline {
            bail!(
                "moto_server did not answer GET /restapis within 60 s; log:\n{}",
                tail(&server.log)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// utime + stime of a process in seconds, from `/proc/PID/stat`.
#[must_use]
pub(super) fn cpu_seconds(pid: u32, ticks_per_s: f64) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the `(comm)`: state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / ticks_per_s)
}

pub(super) fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

pub(super) fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}
