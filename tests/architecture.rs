//! The shape of the code, read from `src/`: the layers import one way only, no module
//! imports another that imports it back, only the command line knows clap and exit
//! statuses, nothing prints behind the commands' back, and no function does the work of a
//! module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod common;

/// The layers, lowest first; a module may use its own layer's modules and those below.
const LAYERS: &[&[&str]] = &[
    &["base"],
    &["catalog"],
    &["input"],
    &["document"],
    &["batch", "review", "verify", "scaffold"],
    &["serve"],
    &["commands"],
    &["cli"],
];

/// Longest function body allowed outside tests, in lines.
const MAX_FUNCTION_LINES: usize = 80;

struct Module {
    file: PathBuf,
    /// The code without comments and without its test module.
    code: String,
}

/// Every module of the library by its path (`document::view`), from `src/`.
fn modules() -> BTreeMap<String, Module> {
    let src = common::root().join("src");
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.expect("walk src");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).expect("inside src");
        let mut parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        if parts == ["lib"] || parts == ["main"] {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("read source");
        out.insert(
            parts.join("::"),
            Module {
                file: rel.to_path_buf(),
                code: without_tests(&without_comments(&text)),
            },
        );
    }
    out
}

fn without_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn without_tests(text: &str) -> String {
    match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_string(),
        None => text.to_string(),
    }
}

/// The modules a module's code names: `crate::a::b::Item` names the longest known prefix,
/// `crate::a::{b, c::D}` each of its members, `super::x` a sibling.
fn imports(name: &str, code: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let parent: Vec<&str> = {
        let mut p: Vec<&str> = name.split("::").collect();
        p.pop();
        p
    };
    for (prefix, base) in [("crate::", Vec::new()), ("super::", parent)] {
        let mut rest = code;
        while let Some(i) = rest.find(prefix) {
            let before = rest[..i].chars().last();
            rest = &rest[i + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let path: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let mut segments: Vec<String> = base.iter().map(|s| s.to_string()).collect();
            segments.extend(path.split("::").filter(|s| !s.is_empty()).map(str::to_string));
            let target = longest_known(&segments, known);
            if let Some(t) = &target {
                out.insert(t.clone());
            }
            // A group: `crate::a::{b, c::D}`.
            let after = &rest[path.len()..];
            if path.ends_with("::") && after.starts_with('{') {
                let group: String = after[1..].chars().take_while(|c| *c != '}').collect();
                for member in group.split(',') {
                    let mut s = segments.clone();
                    s.extend(member.trim().split("::").map(str::to_string));
                    if let Some(t) = longest_known(&s, known) {
                        out.insert(t);
                    }
                }
            }
        }
    }
    out.remove(name);
    out
}

fn longest_known(segments: &[String], known: &BTreeSet<String>) -> Option<String> {
    (1..=segments.len())
        .rev()
        .map(|n| segments[..n].join("::"))
        .find(|candidate| known.contains(candidate))
}

fn layer_of(module: &str) -> usize {
    let top = module.split("::").next().unwrap_or_default();
    LAYERS
        .iter()
        .position(|layer| layer.contains(&top))
        .unwrap_or_else(|| panic!("module `{module}` is in no layer; add its top-level module to LAYERS"))
}

fn graph() -> (BTreeMap<String, Module>, BTreeMap<String, BTreeSet<String>>) {
    let modules = modules();
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let edges = modules
        .iter()
        .map(|(name, m)| (name.clone(), imports(name, &m.code, &known)))
        .collect();
    (modules, edges)
}

#[test]
fn the_module_reader_sees_imports() {
    let known: BTreeSet<String> = ["a", "a::b", "a::c", "d"].iter().map(|s| s.to_string()).collect();
    let found = imports(
        "a::c",
        "use crate::a::{b, X};\nuse super::b::Y;\nfn f() { crate::d::g(); }",
        &known,
    );
    let expected: BTreeSet<String> = ["a", "a::b", "d"].iter().map(|s| s.to_string()).collect();
    assert_eq!(found, expected);
}

#[test]
fn layers_import_downward_only() {
    let (_, edges) = graph();
    let mut wrong = Vec::new();
    for (from, tos) in &edges {
        for to in tos {
            let (lf, lt) = (layer_of(from), layer_of(to));
            let same_top = from.split("::").next() == to.split("::").next();
            if lt > lf || (lt == lf && !same_top) {
                wrong.push(format!("{from} → {to}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layers:\n{}", wrong.join("\n"));
}

#[test]
fn no_import_cycles() {
    let (_, edges) = graph();
    // Depth-first search; a module met again while still on the path closes a cycle.
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(i) = path.iter().position(|p| p == node) {
            cycles.push(format!("{} → {node}", path[i..].join(" → ")));
            return;
        }
        if !done.insert(node.to_string()) {
            return;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            visit(next, edges, path, done, cycles);
        }
        path.pop();
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        visit(node, &edges, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn only_the_command_line_knows_clap_and_exit_statuses() {
    let mut wrong = Vec::new();
    for (name, m) in modules() {
        if name == "cli" || name.starts_with("cli::") {
            continue;
        }
        for needle in ["clap", "crate::cli", "EXIT_", "process::exit"] {
            if m.code.contains(needle) {
                wrong.push(format!("{} uses `{needle}`", m.file.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn nothing_prints_behind_the_commands_back() {
    // Commands write through their console; the library below them writes nothing.
    let mut wrong = Vec::new();
    for (name, m) in modules() {
        for needle in [
            "println!",
            "print!",
            "eprintln!",
            "eprint!",
            "dbg!",
            "io::stdout()",
            "io::stderr()",
        ] {
            if m.code.contains(needle) && !name.starts_with("cli") {
                wrong.push(format!("{} uses `{needle}`", m.file.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Functions longer than the limit: (lines, file, first line, name).
fn long_functions(file: &Path, code: &str) -> Vec<(usize, String, usize, String)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let signature = trimmed
            .strip_prefix("pub ")
            .or_else(|| trimmed.strip_prefix("pub(crate) "))
            .unwrap_or(trimmed);
        let Some(rest) = signature.strip_prefix("fn ") else {
            continue;
        };
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let closing = format!("{indent}}}");
        if let Some(end) = lines[i + 1..].iter().position(|l| *l == closing) {
            let n = end + 2;
            if n > MAX_FUNCTION_LINES {
                out.push((n, file.display().to_string(), i + 1, name));
            }
        }
    }
    out
}

#[test]
fn no_function_does_the_work_of_a_module() {
    let mut long = Vec::new();
    for m in modules().values() {
        long.extend(long_functions(&m.file, &m.code));
    }
    long.sort();
    let shown: Vec<String> = long
        .iter()
        .map(|(n, f, l, name)| format!("{f}:{l}: `{name}` has {n} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines:\n{}",
        shown.join("\n")
    );
}

#[test]
fn the_function_length_reader_counts_lines() {
    let code = format!("fn short() {{\n}}\n\nfn long() {{\n{}}}\n", "    x();\n".repeat(90));
    let found = long_functions(Path::new("x.rs"), &code);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].3, "long");
    assert_eq!(found[0].0, 92);
}
