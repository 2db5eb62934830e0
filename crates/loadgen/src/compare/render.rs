//! The comparison as a markdown section and as JSON.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{EMU, EMU_DURABLE, MOTO, Report, SECTION};
use crate::report::utc_date;
use crate::stats::Summary;
use crate::workload::Op;

fn find<'a>(report: &'a Report, op: Op, server: &str, concurrency: usize) -> Option<&'a Summary> {
    report
        .cells
        .iter()
        .find(|c| c.op == op && c.server == server && c.concurrency == concurrency)
        .map(|c| &c.summary)
}

/// Throughput ratio of `server` over moto per concurrency level.
fn ratios(report: &Report, op: Op, server: &str) -> Vec<(usize, f64)> {
    let mut out = Vec::new();
    for c in report
        .cells
        .iter()
        .filter(|c| c.op == op && c.server == server)
    {
        if let Some(m) = find(report, op, MOTO, c.concurrency)
            && m.req_per_s > 0.0
        {
            out.push((c.concurrency, c.summary.req_per_s / m.req_per_s));
        }
    }
    out
}

fn thousands(n: f64) -> String {
    let n = n.round().max(0.0) as u64;
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn ratio(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}×")
    } else {
        format!("{x:.1}×")
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn goal_line(out: &mut String, report: &Report, what: &str, op: Op, server: &str, goal: f64) {
    let rs = ratios(report, op, server);
    let Some(&(worst_c, worst)) = rs.iter().min_by(|a, b| a.1.total_cmp(&b.1)) else {
        let _ = writeln!(out, "| {what} ≥ {goal:.0}× moto | not measured | — |");
        return;
    };
    let all = rs
        .iter()
        .map(|(c, r)| format!("{} at {c}", ratio(*r)))
        .collect::<Vec<_>>()
        .join(", ");
    let verdict = if worst >= goal { "met" } else { "**missed**" };
    let _ = writeln!(
        out,
        "| {what} ≥ {goal:.0}× moto | {all} (worst {} at {worst_c}) | {verdict} |",
        ratio(worst)
    );
}

/// The markdown section (starting with [`SECTION`]).
#[must_use]
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let _ = writeln!(out, "{SECTION}\n");
    let _ = writeln!(
        out,
        "`cargo xtask bench emulator` (`loadgen compare`), {} UTC, {cores} CPU cores, 1-minute load average {} before / \
         {} after (the load client, the servers and any other work share the machine). Each cell: {:.0} s measured after \
         a {:.1} s warm-up. The client (`crates/loadgen`, {} runtime thread(s)) keeps one HTTP/1.1 connection per \
         worker and SigV4-signs every request with `aws-sigv4` (a GET is signed once per second, since its signature \
         cannot change within a second). moto {} (`moto_server`) answers every request with `Connection: close`, so \
         against moto each request opens a new TCP connection, as boto3's do too. update_stage replaces \
         `/*/*/throttling/burstLimit` with an incrementing value, all workers on one stage; with `--state` each update \
         is acknowledged after fsync. Server CPU is user + system time of the server process (all threads, from \
         `/proc/PID/stat`) over the measured window divided by the requests in it: unlike req/s it hardly depends on what \
         else the machine is doing. Whole run: {:.0} s.\n",
        utc_date(report.when),
        report.load.0,
        report.load.1,
        report.duration.as_secs_f64(),
        report.warmup.as_secs_f64(),
        report.threads,
        report.moto_version,
        report.wall.as_secs_f64(),
    );
    for op in [Op::GetStage, Op::UpdateStage] {
        let _ = writeln!(out, "### {}\n", op.name());
        let _ = writeln!(
            out,
            "| concurrency | server | req/s | p50 (µs) | p99 (µs) | errors | server CPU (µs/req) | req/s vs moto | p50: moto ÷ this | CPU/req: moto ÷ this |"
        );
        let _ = writeln!(out, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for cell in report.cells.iter().filter(|c| c.op == op) {
            let s = &cell.summary;
            let moto = find(report, op, MOTO, cell.concurrency);
            let (vs, p50) = match moto {
                Some(m) if cell.server != MOTO && m.req_per_s > 0.0 && s.p50_us > 0 => (
                    ratio(s.req_per_s / m.req_per_s),
                    ratio(f64::from(m.p50_us) / f64::from(s.p50_us)),
                ),
                _ => ("—".to_owned(), "—".to_owned()),
            };
            let moto_cpu = report
                .cells
                .iter()
                .find(|c| c.op == op && c.server == MOTO && c.concurrency == cell.concurrency)
                .and_then(|c| c.server_cpu_us);
            let cpu_ratio = match (moto_cpu, cell.server_cpu_us) {
                (Some(m), Some(t)) if cell.server != MOTO && t > 0.0 => ratio(m / t),
                _ => "—".to_owned(),
            };
            let cpu = cell
                .server_cpu_us
                .map_or_else(|| "?".to_owned(), |c| format!("{c:.1}"));
            let label = if cell.server == MOTO {
                format!("moto {}", report.moto_version)
            } else {
                cell.server.to_owned()
            };
            let _ = writeln!(
                out,
                "| {} | {label} | {} | {} | {} | {} | {cpu} | {vs} | {p50} | {cpu_ratio} |",
                cell.concurrency,
                thousands(s.req_per_s),
                thousands(f64::from(s.p50_us)),
                thousands(f64::from(s.p99_us)),
                s.errors,
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "### Goals\n");
    let _ = writeln!(out, "| goal | measured (req/s ratio per concurrency) | |");
    let _ = writeln!(out, "|---|---|---|");
    goal_line(
        &mut out,
        report,
        "get_stage (in memory)",
        Op::GetStage,
        EMU,
        100.0,
    );
    goal_line(
        &mut out,
        report,
        "update_stage with `--state` (durable)",
        Op::UpdateStage,
        EMU_DURABLE,
        20.0,
    );
    out.push('\n');
    if !report.memory.is_empty() {
        let _ = writeln!(out, "### Memory (VmRSS from /proc/PID/status)\n");
        let _ = writeln!(
            out,
            "| server | after start + 1 API | with N stages | N | per stage | time to create them |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
        for m in &report.memory {
            let label = if m.server == MOTO {
                format!("moto {}", report.moto_version)
            } else {
                m.server.to_owned()
            };
            let per = m.loaded.saturating_sub(m.idle) as f64 / m.stages.max(1) as f64;
            let _ = writeln!(
                out,
                "| {label} | {} | {} | {} | {:.1} KiB | {:.1} s |",
                mib(m.idle),
                mib(m.loaded),
                thousands(m.stages as f64),
                per / 1024.0,
                m.create_seconds
            );
        }
        out.push('\n');
    }
    out
}

/// The report as JSON.
#[must_use]
pub fn to_json(report: &Report) -> Value {
    json!({
        "cells": report.cells.iter().map(|c| {
            let mut v = c.summary.to_json();
            v["op"] = json!(c.op.name());
            v["server"] = json!(c.server);
            v["concurrency"] = json!(c.concurrency);
            v["server_cpu_us_per_req"] = json!(c.server_cpu_us);
            v
        }).collect::<Vec<_>>(),
        "memory": report.memory.iter().map(|m| json!({
            "server": m.server, "idle_bytes": m.idle, "loaded_bytes": m.loaded, "stages": m.stages,
            "create_seconds": m.create_seconds,
        })).collect::<Vec<_>>(),
        "moto_version": report.moto_version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(ratio(123.4), "123×");
        assert_eq!(ratio(2.34), "2.3×");
    }
}
