//! `avtale::scaffold::new_agreement`: the generated file fails `avtale check` with an
//! error for every `FYLL UT` placeholder, and passes with no errors and no warnings once
//! the placeholders are filled in.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use avtale::scaffold::{NewAgreement, PLACEHOLDER, new_agreement};
use chrono::NaiveDate;
use serde_json::Value;

mod common;
use common::toml_to_json;

/// A real organisation number: valid check digit, starts with 9 (no test-range warning).
const ORGNR: &str = "974760673";
/// Another valid one, for the segment owner.
const OWNER_ORGNR: &str = "991825827";

fn opts() -> NewAgreement {
    NewAgreement {
        orgnr: ORGNR.into(),
        navn: "Eksempel kommune".into(),
        id: None,
        dato: NaiveDate::from_ymd_opt(2026, 5, 12).unwrap(),
        segment: false,
        tjeneste: None,
    }
}

/// `avtale check --format json --deny-warnings FILE`: exit status and diagnostics.
fn check(text: &str) -> (i32, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ny-avtale.toml");
    std::fs::write(&file, text).unwrap();
    let out = common::avtale()
        .current_dir(dir.path())
        .timeout(Duration::from_secs(120))
        .args(["check", "--format", "json", "--deny-warnings"])
        .arg(&file)
        .output()
        .expect("run avtale");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let diags = stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let code = out.status.code().unwrap_or_else(|| {
        panic!(
            "avtale was killed by a signal: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, diags)
}

/// A placeholder line: `key = "FYLL UT…"`, or a required key commented out with an
/// empty value, `# key = ""` (under a `# FYLL UT: …` comment).
fn placeholder(line: &str) -> Option<(&str, bool)> {
    let is_key = |k: &str| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if let Some(rest) = line.strip_prefix("# ") {
        let (key, value) = rest.split_once(" = ")?;
        return (is_key(key) && value == "\"\"").then_some((key, true));
    }
    let (key, value) = line.split_once(" = ")?;
    (is_key(key) && value.starts_with(&format!("\"{PLACEHOLDER}"))).then_some((key, false))
}

/// Walks the file's table headers and yields, for every placeholder, its table (as the
/// header names it, e.g. `tjeneste.utleveringsgrunnlag`), its TOML path as diagnostics
/// give it (e.g. `tjeneste[0].utleveringsgrunnlag.henvisning`), its key and whether it is
/// commented out, with the line's index.
fn placeholders(text: &str) -> Vec<(String, String, String, bool, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut table = String::new();
    let mut table_path = String::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(name) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
            let n = counts.entry(name.to_string()).or_default();
            *n += 1;
            table = name.to_string();
            table_path = format!("{name}[{}]", *n - 1);
        } else if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            table = name.to_string();
            let (first, rest) = name.split_once('.').map_or((name, None), |(a, b)| (a, Some(b)));
            let first = match counts.get(first) {
                Some(n) => format!("{first}[{}]", n - 1),
                None => first.to_string(),
            };
            table_path = match rest {
                Some(rest) => format!("{first}.{rest}"),
                None => first,
            };
        } else if let Some((key, commented)) = placeholder(line) {
            if commented {
                let above = text.lines().take(i).collect::<Vec<_>>();
                assert!(
                    above
                        .iter()
                        .rev()
                        .take_while(|l| l.starts_with('#'))
                        .any(|l| l.starts_with(&format!("# {PLACEHOLDER}"))),
                    "the commented-out key on line {} has no `# {PLACEHOLDER}` comment above it",
                    i + 1
                );
            }
            out.push((
                table.clone(),
                format!("{table_path}.{key}"),
                key.to_string(),
                commented,
                i,
            ));
        }
    }
    out
}

/// Replace every placeholder by a valid value (uncommenting the commented-out keys).
fn fill(text: &str, pakke: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for (table, path, key, _, i) in placeholders(text) {
        let value = match (table.as_str(), key.as_str()) {
            ("avtale", "id") => "KA-2026-0123",
            ("virksomhet", "varslingsadresse") => "postmottak@eksempel.no",
            ("virksomhet.postadresse", "adresse") => "Rådhusgata 1",
            ("virksomhet.postadresse", "postnummer") => "0151",
            ("virksomhet.postadresse", "poststed") => "Oslo",
            ("kontakt", "navn") => "Kari Nordmann",
            ("kontakt", "epost") => "kari.nordmann@eksempel.no",
            ("kontakt", "telefon") => "+47 912 34 567",
            ("signatar", "navn") => "Ola Nordmann",
            ("signatar", "tittel") => "Daglig leder",
            ("signatar", "fullmakt") => "daglig_leder",
            ("segment", "id") => "kommunal-sektor",
            ("segment.ansvarlig", "navn") => "Kommunenes Delingsforum SA",
            ("segment.ansvarlig", "organisasjonsnummer") => OWNER_ORGNR,
            ("tjeneste", "rettighetspakke") => pakke,
            ("tjeneste", "formaal") => "Beregne redusert foreldrebetaling i barnehage og SFO",
            ("tjeneste.utleveringsgrunnlag", "type") => "hjemmel",
            ("tjeneste.utleveringsgrunnlag", "henvisning") => "skatteforvaltningsloven § 3-3",
            ("tjeneste.behandlingsgrunnlag", "type") => "lov",
            ("tjeneste.behandlingsgrunnlag", "henvisning") => "barnehageloven § 41",
            _ => panic!("no value for the placeholder at {path} (table {table}, line {})", i + 1),
        };
        lines[i] = format!("{key} = \"{value}\"");
    }
    let mut out = lines.join("\n");
    out.push('\n');
    assert!(
        out.lines().all(|l| l.starts_with('#') || !l.contains(PLACEHOLDER)),
        "a placeholder is left:\n{out}"
    );
    out
}

fn codes(diags: &[Value]) -> Vec<&str> {
    diags.iter().map(|d| d["code"].as_str().unwrap()).collect()
}

/// The generated file fails, with an error at every placeholder; filled in, it passes.
fn round_trip(o: &NewAgreement, pakke: &str) {
    let text = new_agreement(o);
    let holes = placeholders(&text);
    assert!(holes.len() >= 15, "{holes:#?}");

    let (code, diags) = check(&text);
    assert_eq!(code, 1, "the unfilled file must fail: {diags:#?}");
    assert!(!diags.is_empty());
    let errors: Vec<&Value> = diags.iter().filter(|d| d["severity"] == "error").collect();
    for (_, path, _, commented, i) in &holes {
        let hit = errors.iter().find(|d| d["path"] == path.as_str());
        let d = hit.unwrap_or_else(|| panic!("no error for the placeholder at {path} (line {}): {diags:#?}", i + 1));
        if *commented {
            assert_eq!(d["code"], "missing-field", "{d}");
        }
    }
    for code in ["email", "phone", "postnummer", "missing-field", "invalid-value"] {
        assert!(codes(&diags).contains(&code), "no `{code}` error: {diags:#?}");
    }

    // Uncommenting a required key without writing its value is still an error.
    let uncommented: String = text
        .lines()
        .map(|l| match placeholder(l) {
            Some((_, true)) => &l[2..],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let (code, diags) = check(&uncommented);
    assert_eq!(code, 1);
    for (_, path, _, commented, _) in &holes {
        if *commented {
            assert!(
                diags
                    .iter()
                    .any(|d| d["path"] == path.as_str() && d["code"] == "invalid-value"),
                "no invalid-value for the empty {path}: {diags:#?}"
            );
        }
    }

    let filled = fill(&text, pakke);
    let (code, diags) = check(&filled);
    assert!(
        code == 0 && diags.is_empty(),
        "the filled-in file must pass without warnings (exit {code}): {diags:#?}\n{filled}"
    );
}

#[test]
fn default_service_round_trip() {
    let o = opts();
    let text = new_agreement(&o);
    assert!(text.contains("id = \"summertskattegrunnlag\""));
    let (_, diags) = check(&text);
    assert!(
        diags
            .iter()
            .any(|d| d["code"] == "unknown-rights-package" && d["path"] == "tjeneste[0].rettighetspakke"),
        "{diags:#?}"
    );
    assert!(
        diags
            .iter()
            .any(|d| d["code"] == "invalid-value" && d["path"] == "avtale.id"),
        "{diags:#?}"
    );
    round_trip(&o, "kommuneforeldrebetaling");
}

#[test]
fn segment_and_given_id_round_trip() {
    let o = NewAgreement {
        id: Some("KA-2026-0042".into()),
        segment: true,
        ..opts()
    };
    let text = new_agreement(&o);
    assert!(text.contains("id = \"KA-2026-0042\""));
    assert!(text.contains("[segment]"));
    round_trip(&o, "kommuneforeldrebetaling");
}

#[test]
fn other_service_round_trip() {
    let o = NewAgreement {
        tjeneste: Some("inntekt".into()),
        ..opts()
    };
    round_trip(&o, "pensjonskasse");
    let o = NewAgreement {
        tjeneste: Some("folkeregisteret".into()),
        ..opts()
    };
    let text = new_agreement(&o);
    let v: toml::Table = text.parse().unwrap();
    assert_eq!(v["tjeneste"][0]["bruksvilkaar"].as_str(), Some("2024-09"));
    round_trip(&o, "offentligutenhjemmel");
}

#[test]
fn unknown_service_is_reported() {
    let o = NewAgreement {
        tjeneste: Some("inntekter".into()),
        ..opts()
    };
    let (code, diags) = check(&new_agreement(&o));
    assert_eq!(code, 1);
    assert!(codes(&diags).contains(&"unknown-service"), "{diags:#?}");
}

#[test]
fn values_are_escaped() {
    let navn = r#"Nordre "Test" \ Søndre AS"#;
    let id = r#"KA-"1"\2"#;
    let o = NewAgreement {
        navn: navn.into(),
        id: Some(id.into()),
        orgnr: "974 760 673".into(),
        ..opts()
    };
    let text = new_agreement(&o);
    let v: toml::Table = text.parse().unwrap_or_else(|e| panic!("not TOML ({e}):\n{text}"));
    assert_eq!(v["virksomhet"]["navn"].as_str(), Some(navn));
    assert_eq!(v["virksomhet"]["organisasjonsnummer"].as_str(), Some("974 760 673"));
    assert_eq!(v["avtale"]["id"].as_str(), Some(id));
    assert_eq!(
        v["avtale"]["dato"].as_datetime().map(|d| d.to_string()).as_deref(),
        Some("2026-05-12")
    );

    // A name with quotes and a backslash still passes once the rest is filled in (the id,
    // which must name a file, is the only problem left).
    let (code, diags) = check(&fill(&text, "kommuneforeldrebetaling"));
    assert_eq!(code, 1);
    assert_eq!(codes(&diags), ["invalid-value"], "{diags:#?}");
    assert_eq!(diags[0]["path"], "avtale.id");
    let o = NewAgreement { id: None, ..o };
    let (code, diags) = check(&fill(&new_agreement(&o), "kommuneforeldrebetaling"));
    assert!(code == 0 && diags.is_empty(), "{diags:#?}");
}

#[test]
fn generated_file_is_valid_against_the_schema_once_filled() {
    let text = fill(
        &new_agreement(&NewAgreement {
            segment: true,
            ..opts()
        }),
        "kommuneforeldrebetaling",
    );
    let t: toml::Table = text.parse().unwrap();
    let json = toml_to_json(&toml::Value::Table(t));
    let schema: Value = serde_json::from_str(&avtale::input::schema::schema_json()).unwrap();
    let v = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errs: Vec<String> = v.iter_errors(&json).map(|e| e.to_string()).collect();
    assert!(errs.is_empty(), "{errs:#?}");
}

#[test]
fn placeholder_parser_sees_both_forms() {
    assert_eq!(placeholder("epost = \"FYLL UT: e-post\""), Some(("epost", false)));
    assert_eq!(placeholder("# navn = \"\""), Some(("navn", true)));
    assert_eq!(placeholder("# tittel = \"Seksjonsleder\""), None);
    assert_eq!(placeholder("# FYLL UT: navn = \"\""), None);
    assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml").exists());
}

/// The first line is taplo's schema directive, and from `agreements/` its path is the
/// committed schema; nothing in the file says only bokmål can be built.
#[test]
fn schema_directive_and_languages() {
    let text = new_agreement(&opts());
    let first = text.lines().next().unwrap();
    assert_eq!(first, avtale::scaffold::SCHEMA_DIRECTIVE);
    let rel = first.strip_prefix("#:schema ").expect("a #:schema directive");
    let target = common::root().join("agreements").join(rel);
    assert!(target.is_file(), "{} does not exist", target.display());
    assert_eq!(
        std::fs::canonicalize(&target).unwrap(),
        std::fs::canonicalize(common::root().join("schema/avtale.schema.json")).unwrap()
    );
    assert!(!text.contains("Bare nb"), "nb, nn and en can all be built");
    assert!(text.contains("Alle tre kan bygges til PDF"));
}
