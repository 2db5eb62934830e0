//! `validate_stage_str` over one file, `N` times, for instruction counts (`valgrind --tool=callgrind
//! target/release/examples/validate_loop stage.json N`; docs/benchmarks.md "WASM" uses the documents of
//! crates/wasm/bench/stages.mjs: 2,003 × 10 settings and 5 × 10,000).

fn main() {
    let mut args = std::env::args().skip(1);
    let text = std::fs::read_to_string(args.next().expect("stage.json")).expect("readable file");
    let times: u32 = args.next().map_or(1, |n| n.parse().expect("a count"));
    for _ in 0..times {
        let report = stagecraft_core::validate_stage_str(std::hint::black_box(&text));
        assert!(report.expect("JSON").valid);
    }
}
