//! Native timing of the steps behind the WASM exports (`cargo run --release -p stagecraft-wasm --example
//! profile -- before.json after.json`): where a validate or a diff spends its time.

use std::time::Instant;

fn time<T>(label: &str, mut f: impl FnMut() -> T) {
    let _ = f();
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed().as_millis() < 500 {
        std::hint::black_box(f());
        n += 1;
    }
    println!(
        "{label:<40} {:>10.3} ms",
        start.elapsed().as_secs_f64() * 1e3 / f64::from(n)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let before = std::fs::read_to_string(&args[0]).expect("before.json");
    let after = std::fs::read_to_string(&args[1]).expect("after.json");
    time("from_str::<IgnoredAny> (bare parse)", || {
        serde_json::from_str::<serde::de::IgnoredAny>(&before).unwrap()
    });
    time("from_str::<Value>", || {
        serde_json::from_str::<serde_json::Value>(&before).unwrap()
    });
    let value: serde_json::Value = serde_json::from_str(&before).unwrap();
    time("validate_stage(&Value)", || {
        stagecraft_core::validate_stage(&value)
    });
    time("validate_stage_str", || {
        stagecraft_core::validate_stage_str(&before).unwrap()
    });
    time("from_str::<Stage>", || {
        serde_json::from_str::<stagecraft_core::Stage>(&before).unwrap()
    });
    let b: stagecraft_core::Stage = serde_json::from_str(&before).unwrap();
    let a: stagecraft_core::Stage = serde_json::from_str(&after).unwrap();
    time("diff(&Stage, &Stage)", || {
        stagecraft_core::diff(&b, &a).unwrap()
    });
    let ops = stagecraft_core::diff(&b, &a).unwrap();
    time("to_string(ops)", || serde_json::to_string(&ops).unwrap());
    time("api::diff_texts", || {
        stagecraft_wasm::api::diff_texts(&before, &after).unwrap()
    });
}
