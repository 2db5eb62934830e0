//! Criterion benchmarks of validate, parse, diff and apply at 10 to 10,000 method settings.
//!
//! Run with `cargo xtask bench core`; the table goes in `docs/benchmarks.md`.

#![allow(missing_docs)] // criterion_group! generates an undocumented function

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};
use stagecraft_core::validate::stage_from_str;
use stagecraft_core::{Stage, apply, diff, validate_stage, validate_stage_str};

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

/// A GetStage document with `n` method-setting entries (`*/*` plus `n - 1` overrides).
fn document(n: usize, ttl: u64) -> Value {
    let mut settings = serde_json::Map::new();
    for i in 0..n {
        let key = if i == 0 {
            "*/*".to_owned()
        } else {
            format!("~1resource{i}~1{{id}}/GET")
        };
        settings.insert(
            key,
            json!({
                "metricsEnabled": i % 2 == 0, "loggingLevel": "INFO", "dataTraceEnabled": false,
                "throttlingBurstLimit": 5000, "throttlingRateLimit": 10000.0, "cachingEnabled": true,
                "cacheTtlInSeconds": if i % 10 == 0 { ttl } else { 300 }, "cacheDataEncrypted": false,
                "requireAuthorizationForCacheControl": true,
                "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER"
            }),
        );
    }
    json!({
        "deploymentId": "dep1", "stageName": "prod", "cacheClusterEnabled": false,
        "cacheClusterStatus": "NOT_AVAILABLE", "tracingEnabled": false, "methodSettings": settings,
        "variables": {"backend": "example.com"}, "createdDate": 1_700_000_000
    })
}

fn benches(c: &mut Criterion) {
    for n in SIZES {
        let before_doc = document(n, 300);
        let before: Stage = serde_json::from_value(before_doc.clone()).unwrap();
        // One entry in ten changes its TTL.
        let after: Stage = serde_json::from_value(document(n, 60)).unwrap();
        let ops = diff(&before, &after).unwrap();

        let mut group = c.benchmark_group("core");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("validate", n), &before_doc, |b, doc| {
            b.iter(|| validate_stage(doc))
        });
        let text = before_doc.to_string();
        group.bench_with_input(BenchmarkId::new("validate_text", n), &text, |b, text| {
            b.iter(|| validate_stage_str(text))
        });
        group.bench_with_input(BenchmarkId::new("parse", n), &text, |b, text| {
            b.iter(|| Stage::from_json(text))
        });
        group.bench_with_input(BenchmarkId::new("read", n), &text, |b, text| {
            b.iter(|| stage_from_str(text))
        });
        group.bench_with_input(
            BenchmarkId::new("diff", n),
            &(&before, &after),
            |b, (x, y)| b.iter(|| diff(x, y)),
        );
        group.bench_with_input(
            BenchmarkId::new("apply", n),
            &(&before, &ops),
            |b, (s, o)| b.iter(|| apply(s, o)),
        );
        group.finish();
    }
}

criterion_group!(core, benches);
criterion_main!(core);
