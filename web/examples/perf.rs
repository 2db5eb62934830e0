//! Times the edit model's per-keystroke work at 1,000 overrides (native; the browser bench is tests/bench/web.mjs).
#![allow(missing_docs)]
use std::time::Instant;

use serde_json::{Map, Value, json};
use stagecraft_core::{Setting, Stage};
use stagecraft_web::edit::EditModel;

fn main() {
    let mut ms = Map::new();
    let full = |ttl: i64| {
        json!({"metricsEnabled": false, "dataTraceEnabled": false, "throttlingBurstLimit": 5000,
        "throttlingRateLimit": 10000.0, "cachingEnabled": false, "cacheTtlInSeconds": ttl,
        "cacheDataEncrypted": false, "requireAuthorizationForCacheControl": true,
        "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER"})
    };
    ms.insert("*/*".into(), full(300));
    for i in 0..1000 {
        ms.insert(format!("~1r{i:04}/GET"), full(10 + i));
    }
    let stage: Stage = serde_json::from_value(
        json!({"stageName": "bench", "deploymentId": "d", "methodSettings": Value::Object(ms)}),
    )
    .unwrap();
    let mut m = EditModel::new(stage);
    let ttl = Setting::by_field("cacheTtlInSeconds").unwrap();
    let n = 200;
    let t = Instant::now();
    for i in 0..n {
        m.set_setting("~1r0100/GET", ttl, &(100 + i).to_string());
    }
    println!("set_setting (valid): {:?} per keystroke", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n {
        m.set_setting("~1r0100/GET", ttl, "4000");
    }
    println!("set_setting (4000): {:?} per keystroke", t.elapsed() / n);
    m.set_setting("~1r0100/GET", ttl, "77");
    let d = m.draft().clone();
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(stagecraft_core::validate_stage(&d));
    }
    println!("validate_stage: {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(<Stage as serde::Deserialize>::deserialize(&d).unwrap());
    }
    println!("Stage::deserialize(&Value): {:?}", t.elapsed() / n);
    let s = <Stage as serde::Deserialize>::deserialize(&d).unwrap();
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(stagecraft_core::diff(m.base(), &s).unwrap());
    }
    println!("diff: {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(stagecraft_web::merge::changes(m.base_doc(), m.draft()));
    }
    println!("changes: {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(m.analysis().clone());
    }
    println!("analysis clone: {:?}", t.elapsed() / n);
}

#[allow(dead_code)]
fn unused() {}
