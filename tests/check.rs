//! Integration tests for `avtale check`: every rule code with its position, segment files
//! (CSV and `[[medlem]]`), the four output formats, exit codes, and hostile input.
//!
//! Fixtures live in `tests/fixtures/check/`; each is a shipped example from `agreements/`
//! with one thing changed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::Value;

mod common;
use common::{avtale, root};

/// Fixture directory, relative to the package root (the binary runs there).
const FIX: &str = "tests/fixtures/check";

/// Every rule code of FORMAT §4.
const ALL_CODES: &[&str] = &[
    "toml-syntax",
    "format-version",
    "unknown-key",
    "missing-field",
    "invalid-type",
    "invalid-value",
    "orgnr-format",
    "orgnr-checksum",
    "orgnr-test-range",
    "email",
    "phone",
    "postnummer",
    "url",
    "date-order",
    "duplicate-id",
    "unknown-service",
    "unknown-rights-package",
    "duplicate-service",
    "basis-not-allowed",
    "missing-own-statute",
    "consent-redirect",
    "requires-service",
    "unknown-terms-version",
    "terms-withdrawn",
    "terms-superseded",
    "missing-contact-role",
    "missing-signatory",
    "delegation-reference",
    "processor-service",
    "segment-owner-self",
    "short-purpose",
    "basis-combination",
    "processor-required",
    "platform-without-segment",
    "placeholder",
    "sample-terms",
];

// ---------------------------------------------------------------------------------------
// Helpers

fn fixture(name: &str) -> String {
    format!("{FIX}/{name}")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let out = avtale().args(args).output().expect("run avtale");
    Run {
        code: out.status.code().unwrap_or_else(|| {
            panic!(
                "avtale was killed by a signal: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        }),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// `avtale check --format json PATHS...`: the run and its diagnostics, one JSON object per line.
fn check_json<S: AsRef<str>>(paths: &[S]) -> (Run, Vec<Value>) {
    let mut args = vec!["check".to_string(), "--format".into(), "json".into()];
    args.extend(paths.iter().map(|p| p.as_ref().to_string()));
    let r = run(&args);
    let diags = r
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    (r, diags)
}

fn s<'a>(d: &'a Value, key: &str) -> &'a str {
    d[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string in {d}"))
}

fn n(d: &Value, key: &str) -> u64 {
    d[key]
        .as_u64()
        .unwrap_or_else(|| panic!("`{key}` is not a number in {d}"))
}

fn codes(diags: &[Value]) -> Vec<&str> {
    diags.iter().map(|d| s(d, "code")).collect()
}

fn find<'a>(diags: &'a [Value], code: &str) -> &'a Value {
    diags
        .iter()
        .find(|d| s(d, "code") == code)
        .unwrap_or_else(|| panic!("no `{code}` diagnostic in {diags:#?}"))
}

/// The process ended on its own with "invalid" or "trouble", and did not panic.
fn assert_no_panic(r: &Run) {
    assert!(
        r.code == 1 || r.code == 2,
        "exit status {} (want 1 or 2); stderr: {}",
        r.code,
        r.stderr
    );
    assert!(
        !r.stderr.contains("panicked") && !r.stdout.contains("panicked"),
        "{}",
        r.stderr
    );
}

/// 1-based line and character column of the `nth` (0-based) occurrence of `needle`.
fn position_of(text: &str, needle: &str, nth: usize) -> (u64, u64) {
    let at = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` occurs fewer than {} times", nth + 1))
        .0;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..at].chars().count() + 1;
    (line as u64, column as u64)
}

/// Copy a shipped example into `dir` under `name`, replacing `from` (which must occur
/// exactly once) with `to`.
fn copy_with(example: &str, dir: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let text = std::fs::read_to_string(root().join(example)).expect("read example");
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once in {example}");
    let path = dir.join(name);
    std::fs::write(&path, text.replace(from, to)).expect("write copy");
    path
}

fn mod11_check_digit(prefix: &[u32; 8]) -> u32 {
    let weights = [3, 2, 7, 6, 5, 4, 3, 2];
    let sum: u32 = prefix.iter().zip(weights).map(|(d, w)| d * w).sum();
    match 11 - sum % 11 {
        11 => 0,
        c => c, // 10 means no valid number has this prefix
    }
}

// ---------------------------------------------------------------------------------------
// 1. Every rule code: fixture, code, severity, position and TOML path

/// (paths, code, severity, line, column, TOML path, other codes the change also causes).
/// The expected diagnostic is in the last of the (space-separated) paths.
type Case = (
    &'static str,
    &'static str,
    &'static str,
    u64,
    u64,
    &'static str,
    &'static [&'static str],
);

#[rustfmt::skip]
const CASES: &[Case] = &[
    ("toml-syntax.toml",                        "toml-syntax",            "error",    8, 10, "",                                             &[]),
    ("format-version.toml",                     "format-version",         "error",    4, 10, "format",                                       &[]),
    ("format-missing.toml",                     "format-version",         "error",    1,  1, "format",                                       &[]),
    ("unknown-key.toml",                        "unknown-key",            "error",   16,  1, "virksomhet.organisasjonsnumer",                &["missing-field"]),
    ("missing-field.toml",                      "missing-field",          "error",   14,  1, "virksomhet.varslingsadresse",                  &[]),
    ("invalid-type.toml",                       "invalid-type",           "error",   10,  8, "avtale.dato",                                  &[]),
    ("invalid-value.toml",                      "invalid-value",          "error",    8, 10, "avtale.spraak",                                &[]),
    ("orgnr-format.toml",                       "orgnr-format",           "error",   16, 23, "virksomhet.organisasjonsnummer",               &[]),
    ("orgnr-checksum.toml",                     "orgnr-checksum",         "error",   16, 23, "virksomhet.organisasjonsnummer",               &[]),
    ("orgnr-test-range.toml",                   "orgnr-test-range",       "warning", 17, 23, "virksomhet.organisasjonsnummer",               &[]),
    ("email.toml",                              "email",                  "error",   25,  9, "kontakt[0].epost",                             &[]),
    ("phone.toml",                              "phone",                  "error",   33, 11, "kontakt[1].telefon",                           &[]),
    ("postnummer.toml",                         "postnummer",             "error",   18, 56, "virksomhet.postadresse.postnummer",            &[]),
    // Columns count characters: `Tromsø` and `Storgåta` come before the value.
    ("postnummer-after-utf8.toml",              "postnummer",             "error",   18, 76, "virksomhet.postadresse.postnummer",            &[]),
    // postnummer.toml with CRLF line endings, and with a byte order mark: same position. The BOM
    // takes no column on line 1.
    ("crlf-postnummer.toml",                    "postnummer",             "error",   18, 56, "virksomhet.postadresse.postnummer",            &[]),
    ("bom-postnummer.toml",                     "postnummer",             "error",   18, 56, "virksomhet.postadresse.postnummer",            &[]),
    ("bom-format-version.toml",                 "format-version",         "error",    1, 10, "format",                                       &[]),
    ("url.toml",                                "url",                    "error",   72,  3, "tjeneste[0].retur_url[1]",                     &[]),
    ("date-order.toml",                         "date-order",             "error",   11, 14, "avtale.gyldig_fra",                            &[]),
    ("date-order-processor.toml",               "date-order",             "error",   55, 23, "databehandler[0].databehandleravtale",         &[]),
    ("duplicate-id/a.toml duplicate-id/b.toml", "duplicate-id",           "error",    7,  6, "avtale.id",                                    &[]),
    ("unknown-service.toml",                    "unknown-service",        "error",   54,  6, "tjeneste[0].id",                               &[]),
    ("unknown-rights-package.toml",             "unknown-rights-package", "error",   63, 19, "tjeneste[0].rettighetspakke",                  &[]),
    ("duplicate-service.toml",                  "duplicate-service",      "error",   84,  6, "tjeneste[1].id",                               &[]),
    ("basis-not-allowed.toml",                  "basis-not-allowed",      "error",   70,  8, "tjeneste[0].utleveringsgrunnlag.type",         &[]),
    // A missing value: the place is its table's header.
    ("missing-own-statute.toml",                "missing-own-statute",    "error",   61,  1, "tjeneste[0].utleveringsgrunnlag.egen_hjemmel", &[]),
    ("consent-redirect.toml",                   "consent-redirect",       "error",   63,  1, "tjeneste[0].retur_url",                        &[]),
    ("consent-redirect-statutory.toml",         "consent-redirect",       "error",   68, 13, "tjeneste[0].retur_url",                        &[]),
    ("requires-service.toml",                   "requires-service",       "error",   84,  6, "tjeneste[1].id",                               &[]),
    ("unknown-terms-version.toml",              "unknown-terms-version",  "error",   59, 18, "vilkaar.delingsvilkaar",                       &[]),
    ("terms-withdrawn.toml",                    "terms-withdrawn",        "error",   56, 16, "tjeneste[0].bruksvilkaar",                     &[]),
    // Bruksvilkår apply in their current version: a superseded pin is information only.
    ("terms-superseded.toml",                   "terms-superseded",       "info",    64, 16, "tjeneste[0].bruksvilkaar",                     &[]),
    // Delingsvilkår stay pinned: a superseded one is a warning.
    ("terms-superseded-delingsvilkaar.toml",    "terms-superseded",       "warning", 59, 18, "vilkaar.delingsvilkaar",                       &[]),
    ("missing-contact-role.toml",               "missing-contact-role",   "error",    1,  1, "kontakt",                                      &[]),
    ("missing-signatory.toml",                  "missing-signatory",      "error",    1,  1, "signatar",                                     &[]),
    ("delegation-reference.toml",               "delegation-reference",   "error",   46, 12, "signatar[0].fullmakt",                         &[]),
    ("processor-service.toml",                  "processor-service",      "error",   56, 39, "databehandler[0].tjenester[1]",                &[]),
    ("segment-owner-self.toml",                 "segment-owner-self",     "warning", 49, 74, "segment.ansvarlig.organisasjonsnummer",        &[]),
    ("short-purpose.toml",                      "short-purpose",          "error",   65, 11, "tjeneste[0].formaal",                          &[]),
    ("basis-combination.toml",                  "basis-combination",      "error",   74,  8, "tjeneste[0].behandlingsgrunnlag.type",         &[]),
    ("processor-required.toml",                 "processor-required",     "error",   67, 14, "tjeneste[0].tilkobling",                       &[]),
    ("platform-without-segment.toml",           "platform-without-segment", "error", 67, 14, "tjeneste[0].tilkobling",                       &[]),
    // To be signed: an error, and the sample terms the shipped catalogue has are warned about.
    ("placeholder.toml",                        "placeholder",            "error",   38, 10, "kontakt[2].tittel",                            &["sample-terms", "sample-terms"]),
    ("placeholder-draft.toml",                  "placeholder",            "warning", 38, 10, "kontakt[2].tittel",                            &[]),
    ("sample-terms.toml",                       "sample-terms",           "warning", 59, 18, "vilkaar.delingsvilkaar",                       &["sample-terms"]),
];

#[test]
fn every_rule_code_has_a_case() {
    for code in ALL_CODES {
        assert!(CASES.iter().any(|c| c.1 == *code), "no fixture triggers `{code}`");
    }
}

#[test]
fn each_fixture_reports_its_code_at_the_offending_value() {
    let mut failures = Vec::new();
    for &(paths, code, severity, line, column, path, also) in CASES {
        let args: Vec<String> = paths.split(' ').map(fixture).collect();
        let expected_file = args.last().expect("a path").clone();
        let (r, diags) = check_json(&args);

        let found = diags.iter().any(|d| {
            s(d, "code") == code
                && s(d, "severity") == severity
                && s(d, "file") == expected_file
                && n(d, "line") == line
                && n(d, "column") == column
                && s(d, "path") == path
        });
        if !found {
            failures.push(format!(
                "{paths}: want {severity}[{code}] at {expected_file}:{line}:{column} (`{path}`), got:\n{}",
                r.stdout
            ));
            continue;
        }
        // The one change causes exactly this problem (and the listed consequences).
        let mut got = codes(&diags);
        got.sort_unstable();
        let mut want: Vec<&str> = also.iter().copied().chain([code]).collect();
        want.sort_unstable();
        if got != want {
            failures.push(format!("{paths}: want only {want:?}, got {got:?}"));
        }
        let any_error = diags.iter().any(|d| s(d, "severity") == "error");
        let want_exit = if severity == "error" || any_error { 1 } else { 0 };
        if r.code != want_exit {
            failures.push(format!("{paths}: exit {} (want {want_exit})", r.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn unknown_key_typo_suggests_the_nearest_key() {
    let (_, diags) = check_json(&[fixture("unknown-key.toml")]);
    let d = find(&diags, "unknown-key");
    assert!(s(d, "message").contains("organisasjonsnumer"), "{d}");
    assert_eq!(s(d, "help"), "did you mean `organisasjonsnummer`?");
}

#[test]
fn unknown_service_typo_suggests_the_nearest_service() {
    let (_, diags) = check_json(&[fixture("unknown-service.toml")]);
    let d = find(&diags, "unknown-service");
    assert!(s(d, "message").contains("folkeregistret"), "{d}");
    assert_eq!(s(d, "help"), "did you mean `folkeregisteret`?");
}

#[test]
fn unknown_rights_package_lists_the_offered_packages() {
    let (_, diags) = check_json(&[fixture("unknown-rights-package.toml")]);
    let help = s(find(&diags, "unknown-rights-package"), "help");
    for p in ["sbl", "kommuneforeldrebetaling", "nav", "laanekassen", "udi"] {
        assert!(help.contains(&format!("`{p}`")), "`{p}` missing from help: {help}");
    }
}

#[test]
fn crlf_and_bom_fixtures_really_have_them() {
    // Guards the CRLF/BOM cases above against line-ending normalisation by tools.
    let crlf = std::fs::read(root().join(fixture("crlf-postnummer.toml"))).expect("read");
    assert!(crlf.windows(2).filter(|w| w == b"\r\n").count() > 50);
    assert!(!crlf.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'));
    for f in ["bom-postnummer.toml", "bom-format-version.toml", "bom-valid.toml"] {
        let bytes = std::fs::read(root().join(fixture(f))).expect("read");
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{f} has no BOM");
    }
}

// ---------------------------------------------------------------------------------------
// 2. Segment files

#[test]
fn segment_csv_problems_point_at_the_csv_cell() {
    let csv_path = fixture("segment-csv/medlemmer.csv");
    let csv = std::fs::read_to_string(root().join(&csv_path)).expect("read CSV");
    let (r, diags) = check_json(&[fixture("segment-csv/kommuner.toml")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("checked 1 file, 3 agreements: 2 errors"),
        "{}",
        r.stderr
    );
    assert_eq!(diags.len(), 2, "{}", r.stdout);

    // Row 2 (line 3) has a bad e-mail after `Havnøy`, `Rådhuset` and `Rådgiver` (columns
    // count characters, not bytes).
    let email = find(&diags, "email");
    assert_eq!(s(email, "file"), csv_path);
    assert_eq!(s(email, "severity"), "error");
    assert_eq!(s(email, "path"), "kontakt.forretning.epost");
    assert_eq!((n(email, "line"), n(email, "column")), (3, 163));
    assert_eq!(
        (n(email, "line"), n(email, "column")),
        position_of(&csv, "lise.bakken(at)havnoy", 0)
    );

    // Row 3 (line 4) has an organisation number with a wrong check digit.
    let orgnr = find(&diags, "orgnr-checksum");
    assert_eq!(s(orgnr, "file"), csv_path);
    assert_eq!(s(orgnr, "path"), "virksomhet.organisasjonsnummer");
    assert_eq!((n(orgnr, "line"), n(orgnr, "column")), (4, 31));
    assert_eq!(
        (n(orgnr, "line"), n(orgnr, "column")),
        position_of(&csv, "316987169", 0)
    );
}

#[test]
fn segment_member_tables_problems_point_into_the_member() {
    let file = fixture("segment-medlem/kommuner.toml");
    let text = std::fs::read_to_string(root().join(&file)).expect("read");
    let (r, diags) = check_json(&[&file]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("checked 1 file, 2 agreements: 2 errors"),
        "{}",
        r.stderr
    );
    assert_eq!(diags.len(), 2, "{}", r.stdout);

    // The second member's own postcode.
    let post = find(&diags, "postnummer");
    assert_eq!(s(post, "file"), file);
    assert_eq!(s(post, "path"), "medlem[1].virksomhet.postadresse.postnummer");
    assert_eq!((n(post, "line"), n(post, "column")), (76, 65));
    assert_eq!((n(post, "line"), n(post, "column")), position_of(&text, "\"885\"", 0));

    // The second member has no technical contact: its `[[medlem]]` header is the place.
    let role = find(&diags, "missing-contact-role");
    assert_eq!(s(role, "file"), file);
    assert!(s(role, "message").contains("teknisk"), "{role}");
    assert_eq!((n(role, "line"), n(role, "column")), (69, 1));
    assert_eq!(
        (n(role, "line"), n(role, "column")),
        position_of(&text, "[[medlem]]\n", 1)
    );
}

// ---------------------------------------------------------------------------------------
// 3. Output formats

#[test]
fn short_format_is_one_line_per_diagnostic() {
    let file = fixture("postnummer.toml");
    let r = run(&["check", "--format", "short", &file]);
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stdout);
    let prefix = format!("{file}:18:56: error[postnummer]: ");
    assert!(lines[0].starts_with(&prefix), "{}", lines[0]);
    assert!(
        lines[0][prefix.len()..].contains("`693` is not a 4-digit postcode"),
        "{}",
        lines[0]
    );

    let warn = fixture("orgnr-test-range.toml");
    let r = run(&["check", "--format", "short", &warn]);
    assert!(
        r.stdout
            .starts_with(&format!("{warn}:17:23: warning[orgnr-test-range]: ")),
        "{}",
        r.stdout
    );

    // Every line of a file with many problems has the shape `file:line:col: severity[code]: message`.
    let r = run(&["check", "--format", "short", &fixture("empty.toml")]);
    assert!(r.stdout.lines().count() > 3, "{}", r.stdout);
    for line in r.stdout.lines() {
        let mut parts = line.splitn(4, ':');
        let (f, l, c, rest) = (parts.next(), parts.next(), parts.next(), parts.next());
        assert_eq!(f, Some(fixture("empty.toml").as_str()), "{line}");
        assert!(l.is_some_and(|l| l.parse::<u32>().is_ok_and(|v| v >= 1)), "{line}");
        assert!(c.is_some_and(|c| c.parse::<u32>().is_ok_and(|v| v >= 1)), "{line}");
        let rest = rest.expect("message part");
        let (sev, tail) = rest.trim_start().split_once('[').expect("severity[code]");
        assert!(sev == "error" || sev == "warning", "{line}");
        let (code, msg) = tail.split_once("]: ").expect("]: message");
        assert!(ALL_CODES.contains(&code), "{line}");
        assert!(!msg.is_empty(), "{line}");
    }
}

#[test]
fn github_format_is_workflow_commands() {
    let file = fixture("postnummer.toml");
    let r = run(&["check", "--format", "github", &file]);
    assert_eq!(r.code, 1);
    let line = r.stdout.lines().next().expect("one command");
    assert!(line.starts_with(&format!("::error file={file},")), "{line}");
    for part in ["line=18", "col=56", "title=postnummer"] {
        assert!(line.contains(part), "`{part}` missing: {line}");
    }
    assert!(line.contains("::`693` is not a 4-digit postcode"), "{line}");

    let warn = fixture("segment-owner-self.toml");
    let r = run(&["check", "--format", "github", &warn]);
    assert_eq!(r.code, 0);
    let line = r.stdout.lines().next().expect("one command");
    assert!(line.starts_with(&format!("::warning file={warn},")), "{line}");
    for part in ["line=49", "col=74", "title=segment-owner-self"] {
        assert!(line.contains(part), "`{part}` missing: {line}");
    }
    // The help goes into the message, with the newline escaped: one command per line.
    let r = run(&["check", "--format", "github", &fixture("unknown-key.toml")]);
    let typo = r
        .stdout
        .lines()
        .find(|l| l.contains("title=unknown-key"))
        .expect("unknown-key command");
    assert!(typo.ends_with("%0Ahelp: did you mean `organisasjonsnummer`?"), "{typo}");
}

#[test]
fn human_format_shows_code_source_line_and_caret() {
    let file = fixture("postnummer.toml");
    let r = run(&["check", "--format", "human", &file]);
    assert_eq!(r.code, 1);
    let out = &r.stdout;
    assert!(out.contains("error[postnummer]"), "{out}");
    assert!(out.contains(&format!("{file}:18:56")), "{out}");
    let source = r#"postadresse = { adresse = "Postboks 120", postnummer = "693", poststed = "Fjordvik" }"#;
    let lines: Vec<&str> = out.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.ends_with(source))
        .unwrap_or_else(|| panic!("source line missing: {out}"));
    // The caret line follows and its carets stand under `"693"` (the gutters are equally wide).
    let caret_line = lines[i + 1];
    let value_at = source.find("\"693\"").expect("value");
    let source_col = lines[i].chars().count() - source.chars().count() + source[..value_at].chars().count();
    let caret_col = caret_line.chars().position(|c| c == '^').expect("a caret");
    assert_eq!(caret_col, source_col, "\n{}\n{}", lines[i], caret_line);
    assert!(caret_line.contains("^^^^^"), "{caret_line}");
    assert!(out.contains("help: write the postcode"), "{out}");
}

#[test]
fn human_is_the_default_format() {
    let r = run(&["check", &fixture("postnummer.toml")]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("error[postnummer]") && r.stdout.contains('^'),
        "{}",
        r.stdout
    );
}

#[test]
fn json_objects_have_exactly_the_contract_keys() {
    let (r, diags) = check_json(&[
        fixture("empty.toml"),
        fixture("unknown-key.toml"),
        fixture("terms-superseded.toml"),
        fixture("terms-superseded-delingsvilkaar.toml"),
    ]);
    assert_eq!(r.code, 1);
    assert!(diags.len() > 5);
    // Contract version 1: these keys, the last three added after the first release.
    let mut want = common::JSON_KEYS;
    want.sort_unstable();
    for d in &diags {
        let obj = d.as_object().expect("an object per line");
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, want, "{d}");
        assert!(ALL_CODES.contains(&s(d, "code")), "{d}");
        assert!(["error", "warning", "info"].contains(&s(d, "severity")), "{d}");
        assert!(n(d, "line") >= 1 && n(d, "column") >= 1, "{d}");
        assert!(!s(d, "message").is_empty(), "{d}");
        assert!(d["help"].is_string() || d["help"].is_null(), "{d}");
        assert!(
            (n(d, "end_line"), n(d, "end_column")) >= (n(d, "line"), n(d, "column")),
            "{d}"
        );
        assert!(d["related"].is_array(), "{d}");
    }
    assert!(diags.iter().any(|d| s(d, "severity") == "warning"));
    assert!(diags.iter().any(|d| s(d, "severity") == "info"));
}

// ---------------------------------------------------------------------------------------
// 4. Exit codes

#[test]
fn shipped_examples_exit_zero_with_a_clean_summary() {
    let r = run(&["check", "agreements"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.trim().is_empty(), "{}", r.stdout);
    assert!(r.stderr.contains(": 0 errors, 0 warnings"), "{}", r.stderr);
    assert!(r.stderr.contains("checked 5 files"), "{}", r.stderr);
}

#[test]
fn errors_exit_one() {
    let r = run(&["check", &fixture("email.toml")]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("1 error, 0 warnings"), "{}", r.stderr);
}

#[test]
fn warnings_exit_zero_unless_denied() {
    let f = fixture("orgnr-test-range.toml");
    let r = run(&["check", &f]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("0 errors, 1 warning"), "{}", r.stderr);
    let r = run(&["check", "--deny-warnings", &f]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn nonexistent_path_exits_two() {
    let r = run(&["check", &fixture("does-not-exist.toml")]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("does-not-exist.toml"), "{}", r.stderr);
    // Also when good files are checked alongside.
    let r = run(&["check", "agreements", &fixture("does-not-exist.toml")]);
    assert_eq!(r.code, 2);
}

#[test]
fn broken_catalogue_exits_two() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Valid TOML, but without the mandatory `delingsvilkaar` terms document.
    let broken = dir.path().join("katalog.toml");
    std::fs::write(
        &broken,
        "format = 1\nversjon = \"2026-01\"\n\n[vilkaar]\n\n[tjeneste]\n",
    )
    .expect("write");
    let broken = broken.to_str().expect("UTF-8 temp path");
    let r = run(&["check", "--catalogue", broken, "agreements"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("catalogue"), "{}", r.stderr);
    assert!(r.stderr.contains("delingsvilkaar"), "{}", r.stderr);

    // Not TOML at all.
    std::fs::write(broken, "this is [not toml").expect("write");
    let r = run(&["check", "--catalogue", broken, "agreements"]);
    assert_eq!(r.code, 2, "{}", r.stderr);

    // The flag itself works: the shipped catalogue given explicitly is fine.
    let r = run(&["check", "--catalogue", "templates/katalog.toml", "agreements"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn unknown_flag_exits_two() {
    let r = run(&["check", "--frobnicate", "agreements"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--frobnicate"), "{}", r.stderr);
    let r = run(&["check", "--format", "xml", "agreements"]);
    assert_eq!(r.code, 2);
}

#[test]
fn one_bad_file_among_good_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::copy(
        root().join("agreements/nordlys-sparebank.toml"),
        d.join("a-nordlys.toml"),
    )
    .expect("copy");
    std::fs::copy(root().join(fixture("email.toml")), d.join("b-bad.toml")).expect("copy");
    std::fs::copy(
        root().join("agreements/statens-kjoeretoeyetat.toml"),
        d.join("c-statens.toml"),
    )
    .expect("copy");
    let (r, diags) = check_json(&[d.to_str().expect("UTF-8 temp path")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("checked 3 files, 3 agreements: 1 error, 0 warnings"),
        "{}",
        r.stderr
    );
    assert_eq!(codes(&diags), ["email"]);
    assert!(s(&diags[0], "file").ends_with("b-bad.toml"), "{}", diags[0]);
}

// ---------------------------------------------------------------------------------------
// 5. Bad input never panics

#[test]
fn not_utf8_is_a_located_syntax_error() {
    let (r, diags) = check_json(&[fixture("not-utf8.toml")]);
    assert_no_panic(&r);
    assert_eq!(r.code, 1);
    assert_eq!(codes(&diags), ["toml-syntax"]);
    // The bad bytes follow `navn = "Fjordvik kommune` on line 15.
    assert_eq!((n(&diags[0], "line"), n(&diags[0], "column")), (15, 25));
}

#[test]
fn not_toml_is_a_syntax_error() {
    let (r, diags) = check_json(&[fixture("not-toml.toml")]);
    assert_no_panic(&r);
    assert_eq!(r.code, 1);
    assert!(!diags.is_empty());
    assert!(codes(&diags).iter().all(|c| *c == "toml-syntax"), "{}", r.stdout);
    assert_eq!(n(&diags[0], "line"), 1);
}

#[test]
fn empty_file_is_reported_not_panicked() {
    let (r, diags) = check_json(&[fixture("empty.toml")]);
    assert_no_panic(&r);
    assert_eq!(r.code, 1);
    let d = find(&diags, "format-version");
    assert_eq!((n(d, "line"), n(d, "column")), (1, 1));
    find(&diags, "missing-signatory");
    // The human form can show a diagnostic in an empty file.
    let r = run(&["check", &fixture("empty.toml")]);
    assert_no_panic(&r);
    assert!(r.stdout.contains("error[format-version]"), "{}", r.stdout);
}

#[test]
fn huge_file_is_refused_quickly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("stor.toml");
    let line = format!("# {}\n", "x".repeat(1022));
    let mut text = String::with_capacity(50 * 1024 * 1024);
    text.push_str("format = 1\n");
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(&line);
    }
    std::fs::write(&big, &text).expect("write 50 MB");
    drop(text);
    let start = Instant::now();
    let r = run(&["check", big.to_str().expect("UTF-8 temp path")]);
    let took = start.elapsed();
    assert_no_panic(&r);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("stor.toml"), "{}", r.stderr);
    assert!(r.stderr.contains("limit of 4 MiB"), "{}", r.stderr);
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn deep_nesting_is_a_syntax_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let arrays = dir.path().join("arrays.toml");
    std::fs::write(&arrays, format!("a = {}{}\n", "[".repeat(10_000), "]".repeat(10_000))).expect("write");
    let tables = dir.path().join("tables.toml");
    std::fs::write(
        &tables,
        format!("a = {}1{}\n", "{ b = ".repeat(10_000), " }".repeat(10_000)),
    )
    .expect("write");
    for f in [arrays, tables] {
        let (r, diags) = check_json(&[f.to_str().expect("UTF-8 temp path")]);
        assert_no_panic(&r);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert_eq!(codes(&diags), ["toml-syntax"], "{}", f.display());
    }
}

#[test]
fn directory_without_agreements_exits_two() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("README.md"), "# nothing here\n").expect("write");
    std::fs::write(dir.path().join("katalog.toml"), "format = 1\n").expect("write");
    let r = run(&["check", dir.path().to_str().expect("UTF-8 temp path")]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no agreement files"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"));
}

#[test]
fn byte_order_mark_is_accepted() {
    let r = run(&["check", "--deny-warnings", &fixture("bom-valid.toml")]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("1 agreement: 0 errors, 0 warnings"), "{}", r.stderr);
}

#[test]
fn crlf_positions_match_lf_positions() {
    let (_, lf) = check_json(&[fixture("postnummer.toml")]);
    let (r, crlf) = check_json(&[fixture("crlf-postnummer.toml")]);
    assert_eq!(r.code, 1);
    assert_eq!(codes(&crlf), ["postnummer"]);
    assert_eq!(
        (n(&crlf[0], "line"), n(&crlf[0], "column")),
        (n(&lf[0], "line"), n(&lf[0], "column"))
    );
    assert_eq!(n(&crlf[0], "line"), 18);
}

// ---------------------------------------------------------------------------------------
// 6. Organisation numbers

proptest! {
    #[test]
    fn orgnr_mod11_check_digit(prefix in proptest::array::uniform8(0u32..10)) {
        let check = mod11_check_digit(&prefix);
        let digits: String = prefix.iter().map(|d| char::from_digit(*d, 10).expect("digit")).collect();
        if check == 10 {
            // No check digit makes such a number valid.
            for last in 0..10 {
                let number = format!("{digits}{last}");
                prop_assert!(!avtale::input::rules::orgnr_checksum_ok(&number), "{}", number);
            }
        } else {
            let number = format!("{digits}{check}");
            prop_assert!(avtale::input::rules::orgnr_checksum_ok(&number), "{}", number);
            for last in (0..10).filter(|d| *d != check) {
                let number = format!("{digits}{last}");
                prop_assert!(!avtale::input::rules::orgnr_checksum_ok(&number), "{}", number);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn orgnr_checked_by_the_binary(rest in proptest::array::uniform7(0u32..10), wrong in 1u32..10) {
        let prefix = [9, rest[0], rest[1], rest[2], rest[3], rest[4], rest[5], rest[6]];
        let check = mod11_check_digit(&prefix);
        prop_assume!(check != 10);
        let digits: String = prefix.iter().map(|d| char::from_digit(*d, 10).expect("digit")).collect();
        let dir = tempfile::tempdir().expect("tempdir");
        let from = "\"315 298 407\"";

        let good = copy_with("agreements/fjordvik-kommune.toml", dir.path(), "good.toml", from, &format!("\"{digits}{check}\""));
        let (r, diags) = check_json(&[good.to_str().expect("UTF-8 temp path")]);
        prop_assert_eq!(r.code, 0, "{}", r.stdout);
        prop_assert!(diags.is_empty(), "{}", r.stdout);

        let bad_digit = (check + wrong) % 10;
        let bad = copy_with("agreements/fjordvik-kommune.toml", dir.path(), "bad.toml", from, &format!("\"{digits}{bad_digit}\""));
        let (r, diags) = check_json(&[bad.to_str().expect("UTF-8 temp path")]);
        prop_assert_eq!(r.code, 1);
        prop_assert_eq!(codes(&diags), ["orgnr-checksum"]);
        prop_assert_eq!((n(&diags[0], "line"), n(&diags[0], "column")), (16, 23));
    }
}

// ---------------------------------------------------------------------------------------
// 7. Every shipped example passes on its own, warnings denied

#[test]
fn every_shipped_example_passes_deny_warnings() {
    let mut checked = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(root().join("agreements"))
        .expect("agreements/")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if !(p.is_dir() || p.extension().is_some_and(|x| x == "toml")) {
            continue;
        }
        let target = p.to_str().expect("UTF-8 path");
        let r = run(&["check", "--deny-warnings", target]);
        assert_eq!(r.code, 0, "{target}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.trim().is_empty(), "{target}: {}", r.stdout);
        assert!(r.stderr.contains("0 errors, 0 warnings"), "{}", r.stderr);
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} examples found");
    let r = run(&["check", "--deny-warnings", "agreements"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

// ---------------------------------------------------------------------------------------
// Regressions

#[test]
fn segment_csv_with_crlf_points_at_the_cell() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = std::fs::read_to_string(root().join(fixture("segment-csv/medlemmer.csv"))).expect("read");
    std::fs::write(dir.path().join("medlemmer.csv"), csv.replace('\n', "\r\n")).expect("write");
    std::fs::copy(
        root().join(fixture("segment-csv/kommuner.toml")),
        dir.path().join("kommuner.toml"),
    )
    .expect("copy");
    let (_, diags) = check_json(&[dir.path().join("kommuner.toml").to_str().expect("UTF-8 temp path")]);
    let email = find(&diags, "email");
    assert_eq!((n(email, "line"), n(email, "column")), (3, 163), "{email}");
    let orgnr = find(&diags, "orgnr-checksum");
    assert_eq!((n(orgnr, "line"), n(orgnr, "column")), (4, 31), "{orgnr}");
}

#[test]
fn hexadecimal_format_is_read_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = copy_with(
        "agreements/fjordvik-kommune.toml",
        dir.path(),
        "hex.toml",
        "\nformat = 1\n",
        "\nformat = 0x0b01\n",
    );
    let (r, diags) = check_json(&[f.to_str().expect("UTF-8 temp path")]);
    assert_eq!(codes(&diags), ["format-version"], "{}", r.stdout);
}

#[test]
fn member_csv_must_stay_beside_the_segment_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let seg = std::fs::read_to_string(root().join("agreements/segment-kommuner/kommuner.toml")).expect("read");
    let f = dir.path().join("seg.toml");
    std::fs::write(
        &f,
        seg.replace("medlemmer = \"kommuner.csv\"", "medlemmer = \"/etc/hostname\""),
    )
    .expect("write");
    let (r, diags) = check_json(&[f.to_str().expect("UTF-8 temp path")]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let d = find(&diags, "invalid-value");
    assert!(
        d["message"]
            .as_str()
            .unwrap_or("")
            .contains("inside the segment file's directory"),
        "{d}"
    );
}

#[test]
fn blank_conditional_references_count_as_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = std::fs::read_to_string(root().join("agreements/statens-kjoeretoeyetat.toml")).expect("read");
    let blanked: String = src
        .lines()
        .map(|l| {
            if l.starts_with("egen_hjemmel") {
                "egen_hjemmel = \"  \"".to_string()
            } else {
                l.to_string()
            }
        })
        .map(|l| l + "\n")
        .collect();
    assert_ne!(src, blanked, "the example has egen_hjemmel");
    let f = dir.path().join("a.toml");
    std::fs::write(&f, blanked).expect("write");
    let (_, diags) = check_json(&[f.to_str().expect("UTF-8 temp path")]);
    find(&diags, "missing-own-statute");
}
