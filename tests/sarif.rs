//! `--diagnostic-format sarif`: one SARIF 2.1.0 document per run for GitHub code scanning,
//! valid against the SARIF schema, with exact regions (columns in code points), related
//! locations and one rule per code used; and the end positions and related places of the
//! JSON lines.
//!
//! The schema `tests/fixtures/sarif-schema-2.1.0.json` is `lib/schemas/sarif-2.1.0-rtm.5.json`
//! of the npm package `@microsoft/jest-sarif` 1.0.0-beta.0 (github.com/microsoft/sarif-js-sdk),
//! unchanged (SHA-256 2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8): the
//! SARIF 2.1.0 schema as published on schemastore.org. Copyright (c) Microsoft Corporation,
//! MIT licence: "Permission is hereby granted, free of charge, to any person obtaining a copy
//! of this software and associated documentation files (the "Software"), to deal in the
//! Software without restriction, including without limitation the rights to use, copy,
//! modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
//! permit persons to whom the Software is furnished to do so, subject to the following
//! conditions: The above copyright notice and this permission notice shall be included in
//! all copies or substantial portions of the Software. THE SOFTWARE IS PROVIDED "AS IS",
//! WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE
//! WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO
//! EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
//! LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
//! CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE."

use std::sync::OnceLock;

use serde_json::Value;

mod common;
use common::{avtale, root};

const FIX: &str = "tests/fixtures/check";

fn fixture(name: &str) -> String {
    format!("{FIX}/{name}")
}

/// `avtale check ARGS...`: exit status and standard output.
fn check(args: &[&str]) -> (i32, String) {
    let out = avtale().arg("check").args(args).output().expect("run avtale");
    let code = out.status.code().expect("exited on its own");
    (code, String::from_utf8(out.stdout).expect("UTF-8"))
}

/// `avtale check --diagnostic-format sarif PATHS...`: exit status and the one document.
fn sarif(paths: &[&str]) -> (i32, Value) {
    let mut args = vec!["--diagnostic-format", "sarif"];
    args.extend_from_slice(paths);
    let (code, out) = check(&args);
    let doc = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not one JSON document ({e}):\n{out}"));
    (code, doc)
}

/// `avtale check --diagnostic-format json PATHS...`: one object per line.
fn json_lines(paths: &[&str]) -> Vec<Value> {
    let mut args = vec!["--diagnostic-format", "json"];
    args.extend_from_slice(paths);
    check(&args)
        .1
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let text = std::fs::read_to_string(root().join("tests/fixtures/sarif-schema-2.1.0.json")).expect("schema");
        // The schema's `language` patterns have a stray `]` that the compiler's check of the
        // schema rejects as a regex; they mean a language tag such as `en` or `en-US`.
        const BROKEN: &str = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
        assert!(text.contains(BROKEN));
        let text = text.replace(BROKEN, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
        let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles")
    })
}

fn assert_valid(doc: &Value) {
    let errors: Vec<String> = validator()
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid SARIF 2.1.0:\n{}\n{doc:#}",
        errors.join("\n")
    );
}

fn results(doc: &Value) -> &Vec<Value> {
    doc["runs"][0]["results"].as_array().expect("results")
}

/// (uri, startLine, startColumn, endLine, endColumn) of a location.
fn place(loc: &Value) -> (&str, u64, u64, u64, u64) {
    let p = &loc["physicalLocation"];
    let r = &p["region"];
    let n = |k: &str| r[k].as_u64().unwrap_or_else(|| panic!("no {k} in {loc}"));
    (
        p["artifactLocation"]["uri"].as_str().expect("uri"),
        n("startLine"),
        n("startColumn"),
        n("endLine"),
        n("endColumn"),
    )
}

/// The column just after the quoted string that starts at `line:column` of a fixture.
fn after_string(name: &str, line: usize, column: usize) -> u64 {
    let text = std::fs::read_to_string(root().join(fixture(name))).expect("fixture");
    let l: Vec<char> = text.lines().nth(line - 1).expect("line").chars().collect();
    assert_eq!(l[column - 1], '"', "a string starts at {name}:{line}:{column}");
    let close = (column..l.len()).find(|&i| l[i] == '"').expect("closing quote");
    (close + 2) as u64
}

#[test]
fn one_valid_document_with_the_run_and_its_rules() {
    let (code, doc) = sarif(&[&fixture("email.toml")]);
    assert_eq!(code, 1);
    assert_valid(&doc);
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = doc["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "avtale");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["rules"].as_array().unwrap().len(), 1);
    assert_eq!(driver["rules"][0]["id"], "email");
    assert!(
        !driver["rules"][0]["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .is_empty()
    );

    let rs = results(&doc);
    assert_eq!(rs.len(), 1);
    let r = &rs[0];
    assert_eq!(r["ruleId"], "email");
    assert_eq!(r["ruleIndex"], 0);
    assert_eq!(r["level"], "error");
    let text = r["message"]["text"].as_str().unwrap();
    assert!(text.contains("kari.nordvik(at)fjordvik.kommune.example"), "{text}");
    assert!(text.contains("kontakt[0].epost"), "{text}");
    assert_eq!(r["locations"].as_array().unwrap().len(), 1);
    let end = after_string("email.toml", 25, 9);
    assert_eq!(
        place(&r["locations"][0]),
        (fixture("email.toml").as_str(), 25, 9, 25, end)
    );
    assert_eq!(
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "kontakt[0].epost"
    );
    assert!(r.get("relatedLocations").is_none());
}

#[test]
fn related_locations_point_at_the_first_use() {
    let (a, b) = (fixture("duplicate-id/a.toml"), fixture("duplicate-id/b.toml"));
    let (code, doc) = sarif(&[&a, &b]);
    assert_eq!(code, 1);
    assert_valid(&doc);
    let rs = results(&doc);
    assert_eq!(rs.len(), 1);
    let r = &rs[0];
    assert_eq!(r["ruleId"], "duplicate-id");
    let end = after_string("duplicate-id/b.toml", 7, 6);
    assert_eq!(place(&r["locations"][0]), (b.as_str(), 7, 6, 7, end));
    let related = r["relatedLocations"].as_array().expect("relatedLocations");
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["id"], 0);
    assert_eq!(related[0]["message"]["text"], "first used here");
    let end = after_string("duplicate-id/a.toml", 7, 6);
    assert_eq!(place(&related[0]), (a.as_str(), 7, 6, 7, end));
}

#[test]
fn columns_count_code_points_not_bytes() {
    let name = fixture("postnummer-after-utf8.toml");
    let (_, doc) = sarif(&[&name]);
    assert_valid(&doc);
    let r = &results(&doc)[0];
    assert_eq!(r["ruleId"], "postnummer");
    // `Tromsø` and `Storgåta` come before the value: 76 characters, 78 bytes.
    let end = after_string("postnummer-after-utf8.toml", 18, 76);
    assert_eq!(end, 82);
    assert_eq!(place(&r["locations"][0]), (name.as_str(), 18, 76, 18, 82));
}

#[test]
fn format_is_an_alias_of_diagnostic_format() {
    let paths = [fixture("duplicate-id/a.toml"), fixture("duplicate-id/b.toml")];
    let long = check(&["--diagnostic-format", "sarif", &paths[0], &paths[1]]);
    let alias = check(&["--format", "sarif", &paths[0], &paths[1]]);
    assert_eq!(long, alias);
    assert_eq!(long.0, 1);
    let (_, help) = check(&["--help"]);
    assert!(help.contains("--diagnostic-format"), "{help}");
    assert!(help.contains("sarif"), "{help}");
}

#[test]
fn every_problem_of_a_run_is_a_result_with_a_described_rule() {
    // All the fixtures at once: far more than the 10 annotations GitHub shows per step.
    let (code, doc) = sarif(&[FIX]);
    assert_eq!(code, 1);
    assert_valid(&doc);
    let lines = json_lines(&[FIX]);
    let rs = results(&doc);
    assert!(rs.len() > 10, "{}", rs.len());
    assert_eq!(rs.len(), lines.len());
    let rules = doc["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "one rule per code: {ids:?}");
    for rule in rules {
        assert_ne!(rule["shortDescription"]["text"], rule["id"], "undescribed rule {rule}");
    }
    for (r, l) in rs.iter().zip(&lines) {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        assert_eq!(r["ruleId"], l["code"]);
        let want = match l["severity"].as_str().unwrap() {
            "info" => "note",
            s => s,
        };
        assert_eq!(r["level"], want);
        let (uri, line, column, end_line, end_column) = place(&r["locations"][0]);
        assert_eq!(uri, l["file"].as_str().unwrap().replace(' ', "%20"));
        assert_eq!(
            (line, column),
            (l["line"].as_u64().unwrap(), l["column"].as_u64().unwrap())
        );
        assert_eq!(
            (end_line, end_column),
            (l["end_line"].as_u64().unwrap(), l["end_column"].as_u64().unwrap())
        );
        assert!((end_line, end_column) >= (line, column), "{r}");
    }
    for level in ["error", "warning", "note"] {
        assert!(rs.iter().any(|r| r["level"] == level), "no {level} result");
    }
}

#[test]
fn a_clean_run_is_a_document_without_results() {
    let (code, doc) = sarif(&["agreements"]);
    assert_eq!(code, 0);
    assert_valid(&doc);
    assert!(results(&doc).is_empty());
    assert!(doc["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().is_empty());
}

#[test]
fn an_absolute_path_becomes_a_file_uri() {
    let abs = root().join(fixture("email.toml"));
    let (_, doc) = sarif(&[abs.to_str().expect("UTF-8 path")]);
    assert_valid(&doc);
    let (uri, ..) = place(&results(&doc)[0]["locations"][0]);
    assert!(uri.starts_with("file:///"), "{uri}");
    assert!(uri.ends_with("/tests/fixtures/check/email.toml"), "{uri}");
}

#[test]
fn json_lines_carry_end_positions_and_related_places() {
    let (a, b) = (fixture("duplicate-id/a.toml"), fixture("duplicate-id/b.toml"));
    let lines = json_lines(&[&a, &b, &fixture("postnummer-after-utf8.toml")]);
    assert_eq!(lines.len(), 2);
    let dup = lines
        .iter()
        .find(|d| d["code"] == "duplicate-id")
        .expect("duplicate-id");
    let end = after_string("duplicate-id/b.toml", 7, 6);
    assert_eq!((&dup["line"], &dup["column"]), (&Value::from(7), &Value::from(6)));
    assert_eq!(
        (&dup["end_line"], &dup["end_column"]),
        (&Value::from(7), &Value::from(end))
    );
    let related = dup["related"].as_array().expect("related");
    assert_eq!(related.len(), 1);
    let want = serde_json::json!({
        "file": a, "line": 7, "column": 6, "end_line": 7,
        "end_column": after_string("duplicate-id/a.toml", 7, 6), "message": "first used here",
    });
    assert_eq!(related[0], want);
    let post = lines.iter().find(|d| d["code"] == "postnummer").expect("postnummer");
    assert_eq!(
        (&post["end_line"], &post["end_column"]),
        (&Value::from(18), &Value::from(82))
    );
    assert_eq!(post["related"], serde_json::json!([]));
    // The version 1 keys come first, in their order; the added keys follow.
    let (_, out) = check(&["--diagnostic-format", "json", &fixture("postnummer-after-utf8.toml")]);
    let keys = common::JSON_KEYS;
    let at: Vec<usize> = keys
        .iter()
        .map(|k| {
            out.find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("no `{k}` in {out}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "keys out of order: {out}");
}

#[test]
fn the_schema_check_has_teeth() {
    let (_, doc) = sarif(&[&fixture("email.toml")]);
    for (pointer, bad) in [
        ("/runs/0/results/0/level", Value::from("info")),
        (
            "/runs/0/results/0/locations/0/physicalLocation/region/startLine",
            Value::from(0),
        ),
        ("/runs/0/columnKind", Value::from("bytes")),
        ("/version", Value::from("2.0.0")),
    ] {
        let mut broken = doc.clone();
        *broken.pointer_mut(pointer).expect("present") = bad;
        assert!(!validator().is_valid(&broken), "{pointer} accepted");
    }
}
