//! wasm-opt (npm binaryen) for the release WASM builds, plus one step of our own: the function order.
//!
//! `-Oz` leaves the functions in link order, but a gzip (deflate) stream only finds repeats within a
//! 32 KiB window, and a Rust WASM module has many near-identical functions (one per generic
//! instantiation) spread across it. So [`optimize`] runs `-Oz` keeping names, orders the optimised
//! functions with [`similarity_order`], writes that order into the name section as sortable names and
//! lets binaryen's `--reorder-functions-by-name` apply it (dropping the names). On the web app this cuts
//! the gzip size by ~5 % at no cost at run time (the code is unchanged, only its position moves).

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use wasmparser::{KnownCustom, Parser, Payload};

use crate::util::{cmd, node_bin_dir, rel};

/// Features every current wasm engine has and rustc's wasm32 target emits by default.
const FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Facts about our modules that let binaryen fold more: a module's own memory starts zeroed, and
/// Rust's wasm32 layout puts the 1 MiB stack first, so the lowest 1 KiB is only reached by a stack that
/// is already overflowing.
const ASSUMPTIONS: &[&str] = &["--zero-filled-memory", "--low-memory-unused"];

/// Length of the byte strings compared by [`similarity_order`]. This and the next two constants
/// were tuned on the web app (gzip of the result; 6 beat 4, 5, 7 and 8; 5 recent beat 1, 3 and 8).
const GRAM: usize = 6;

/// Byte strings found in more functions than this are too common to say two functions are alike.
const COMMON: usize = 200;

/// How many of the last placed functions the next one is compared with.
const CONTEXT: usize = 5;

/// Optimises `file` in place: `wasm-opt -Oz`, then the functions in [`similarity_order`]. The result
/// has no name section.
pub fn optimize(file: &Path) -> Result<()> {
    let wasm_opt = node_bin_dir().join("wasm-opt");
    if !wasm_opt.exists() {
        bail!("node_modules/.bin/wasm-opt is missing: run `cargo xtask install` first");
    }
    let named = file.with_extension("named.wasm");
    cmd(&wasm_opt)
        .arg("-Oz")
        .args(FEATURES)
        .args(ASSUMPTIONS)
        .arg("-g")
        .arg(file)
        .arg("-o")
        .arg(&named)
        .run()
        .with_context(|| format!("wasm-opt -Oz {}", rel(file)))?;
    let optimised = fs::read(&named).with_context(|| format!("reading {}", rel(&named)))?;
    fs::write(&named, with_order_names(&optimised)?)?;
    // Only re-encode: the stack-IR passes at -Oz's levels write the bodies as compactly as -Oz did.
    let reordered = cmd(&wasm_opt)
        .args(FEATURES)
        .args([
            "--reorder-functions-by-name",
            "--optimize-level=2",
            "--shrink-level=2",
        ])
        .args(["--generate-stack-ir", "--optimize-stack-ir"])
        .args(["--strip-debug", "--strip-producers"])
        .arg(&named)
        .arg("-o")
        .arg(file)
        .run()
        .with_context(|| format!("wasm-opt --reorder-functions-by-name {}", rel(file)));
    let _ = fs::remove_file(&named);
    reordered
}

/// `module` with its name section replaced by names that sort in [`similarity_order`].
fn with_order_names(module: &[u8]) -> Result<Vec<u8>> {
    let mut imported = 0_u32;
    let mut bodies = Vec::new();
    let mut out = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload.context("parsing the optimised module")?;
        match &payload {
            Payload::ImportSection(imports) => {
                for import in imports.clone().into_imports() {
                    if matches!(import?.ty, wasmparser::TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(&module[body.range()]),
            Payload::CustomSection(c) if matches!(c.as_known(), KnownCustom::Name(_)) => continue,
            _ => {}
        }
        if let Some((id, range)) = payload.as_section() {
            out.section(&wasm_encoder::RawSection {
                id,
                data: &module[range],
            });
        }
    }
    if bodies.is_empty() {
        bail!("the module has no functions");
    }
    let mut rank = vec![0; bodies.len()];
    for (position, function) in similarity_order(&bodies).into_iter().enumerate() {
        rank[function] = position;
    }
    let mut functions = wasm_encoder::NameMap::new();
    for (index, position) in (imported..).zip(rank) {
        functions.append(index, &format!("f{position:07}"));
    }
    let mut names = wasm_encoder::NameSection::new();
    names.functions(&functions);
    out.section(&names);
    Ok(out.finish())
}

/// An order of `items` (indices into it) in which each item is followed by the remaining one most
/// like the last [`CONTEXT`] placed: the one sharing the most distinct [`GRAM`]-byte strings with them
/// (the latest counts 1, the one before 1/2, then 1/3, …), divided by the square root of its own
/// count so that long items do not win by size alone. Starts with item 0; an item sharing nothing
/// with the recent ones is followed by the lowest remaining index. Deterministic.
fn similarity_order(items: &[&[u8]]) -> Vec<usize> {
    let grams: Vec<Vec<&[u8]>> = items
        .iter()
        .map(|item| {
            let mut g: Vec<&[u8]> = item.windows(GRAM).collect();
            g.sort_unstable();
            g.dedup();
            g
        })
        .collect();
    let mut owners: HashMap<&[u8], Vec<usize>> = HashMap::new();
    for (i, g) in grams.iter().enumerate() {
        for &gram in g {
            owners.entry(gram).or_default().push(i);
        }
    }
    let size: Vec<f64> = grams
        .iter()
        .map(|g| (g.len() as f64 + 1.0).sqrt())
        .collect();
    let mut placed = vec![false; items.len()];
    let mut score = vec![0.0_f64; items.len()];
    let mut order = Vec::with_capacity(items.len());
    let mut current = 0;
    loop {
        placed[current] = true;
        order.push(current);
        if order.len() == items.len() {
            return order;
        }
        let mut touched = Vec::new();
        for (age, &recent) in order.iter().rev().take(CONTEXT).enumerate() {
            let weight = 1.0 / (age as f64 + 1.0);
            for gram in &grams[recent] {
                let owners = &owners[gram];
                if owners.len() > COMMON {
                    continue;
                }
                for &j in owners.iter().filter(|&&j| !placed[j]) {
                    if score[j] == 0.0 {
                        touched.push(j);
                    }
                    score[j] += weight;
                }
            }
        }
        let best = touched.iter().copied().max_by(|&a, &b| {
            (score[a] / size[a])
                .total_cmp(&(score[b] / size[b]))
                .then(b.cmp(&a))
        });
        for &j in &touched {
            score[j] = 0.0;
        }
        current = best.unwrap_or_else(|| placed.iter().position(|p| !p).expect("one is left"));
    }
}

#[cfg(test)]
mod tests {
    use wasmparser::Name;

    use super::*;

    #[test]
    fn similar_items_end_up_next_to_each_other() {
        let a = b"local.get 0 i32.load offset=8 call 17 drop".as_slice();
        let b = b"i64.const 1234567 f64.convert br_table 3 4 5".as_slice();
        let a2 = b"local.get 0 i32.load offset=8 call 23 drop".as_slice();
        let c = b"memory.copy memory.fill unreachable return!".as_slice();
        let b2 = b"i64.const 1234567 f64.convert br_table 3 4 6".as_slice();
        let order = similarity_order(&[a, b, a2, c, b2]);
        assert_eq!(order, [0, 2, 1, 4, 3]);
    }

    #[test]
    fn every_item_appears_once() {
        let items: Vec<Vec<u8>> = (0..300_u32)
            .map(|i| (0..(i % 37) * 5).map(|k| ((k * i) % 7) as u8).collect())
            .collect();
        let refs: Vec<&[u8]> = items.iter().map(Vec::as_slice).collect();
        let mut order = similarity_order(&refs);
        assert_eq!(order, similarity_order(&refs), "deterministic");
        order.sort_unstable();
        assert_eq!(order, (0..300).collect::<Vec<_>>());
    }

    #[test]
    fn names_follow_the_order_and_everything_else_is_kept() {
        let module = small_module();
        let renamed = with_order_names(&module).unwrap();
        let mut names = Vec::new();
        let mut code = Vec::new();
        for payload in Parser::new(0).parse_all(&renamed) {
            match payload.unwrap() {
                Payload::CustomSection(c) => {
                    if let KnownCustom::Name(reader) = c.as_known() {
                        for name in reader {
                            if let Name::Function(map) = name.unwrap() {
                                for n in map {
                                    let n = n.unwrap();
                                    names.push((n.index, n.name.to_owned()));
                                }
                            }
                        }
                    }
                }
                Payload::CodeSectionEntry(body) => code.push(renamed[body.range()].to_vec()),
                _ => {}
            }
        }
        // Functions 0 and 2 are identical, so 2 comes right after 0.
        assert_eq!(
            names,
            [
                (0, "f0000000".into()),
                (1, "f0000002".into()),
                (2, "f0000001".into())
            ]
        );
        assert_eq!(code.len(), 3);
        let exports = Parser::new(0)
            .parse_all(&renamed)
            .filter_map(|p| match p.unwrap() {
                Payload::ExportSection(e) => Some(e.into_iter().count()),
                _ => None,
            })
            .sum::<usize>();
        assert_eq!(exports, 1);
    }

    /// Three functions, the first and last alike, and an export.
    fn small_module() -> Vec<u8> {
        use wasm_encoder::{
            CodeSection, ExportKind, ExportSection, Function, FunctionSection, Instruction, Module,
            TypeSection, ValType,
        };
        let mut types = TypeSection::new();
        types.ty().function([], [ValType::I32]);
        let mut funcs = FunctionSection::new();
        let mut code = CodeSection::new();
        for value in [70_000_007, 9, 70_000_007] {
            funcs.function(0);
            let mut f = Function::new([]);
            f.instruction(&Instruction::I32Const(value))
                .instruction(&Instruction::Drop)
                .instruction(&Instruction::I32Const(value))
                .instruction(&Instruction::End);
            code.function(&f);
        }
        let mut exports = ExportSection::new();
        exports.export("a", ExportKind::Func, 0);
        let mut module = Module::new();
        module
            .section(&types)
            .section(&funcs)
            .section(&exports)
            .section(&code);
        module.finish()
    }
}
