//! The JSON Schema of agreement and segment files (`schema/avtale.schema.json`): the
//! committed file is the generated one, every shipped example is valid against it, and
//! unknown keys, wrong enumeration values and malformed values are not.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

mod common;
use common::{root, toml_to_json};

fn schema() -> Value {
    serde_json::from_str(&avtale::input::schema::schema_json()).expect("the schema is JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema())
        .expect("the schema compiles")
}

fn parse(text: &str) -> Value {
    let t: toml::Table = text.parse().expect("valid TOML");
    toml_to_json(&toml::Value::Table(t))
}

fn read(path: &Path) -> Value {
    parse(&std::fs::read_to_string(path).expect("readable"))
}

fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn example_files() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root().join("agreements"))
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("readable").into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    out.sort();
    out
}

#[test]
fn committed_schema_is_up_to_date() {
    let path = root().join("schema/avtale.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == avtale::input::schema::schema_json(),
        "{} is out of date; regenerate it with `cargo run -- schema > schema/avtale.schema.json`",
        path.display()
    );
}

#[test]
fn schema_is_valid_draft_07() {
    let s = schema();
    assert_eq!(s["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(s["$id"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(s["title"].as_str().is_some_and(|t| !t.is_empty()));
    jsonschema::meta::validate(&s).expect("valid against the draft-07 meta-schema");
}

#[test]
fn every_example_is_valid() {
    let v = validator();
    let files = example_files();
    assert!(files.len() >= 5, "examples found: {files:?}");
    let mut segment_files = 0;
    for f in &files {
        let instance = read(f);
        if instance.get("felles").is_some() {
            segment_files += 1;
        }
        let errs = errors(&v, &instance);
        assert!(
            errs.is_empty(),
            "{} is not valid against the schema:\n{}",
            f.display(),
            errs.join("\n")
        );
    }
    assert!(segment_files >= 1, "no segment file among the examples");
}

#[test]
fn documented_medlem_example_is_valid() {
    // docs/format.md §3.7: a segment file with `[[medlem]]` tables.
    let text = r#"
format = 1

[segment]
id = "kommunal-sektor"
ansvarlig = { navn = "Kommunenes Delingsforum SA", organisasjonsnummer = "317041128" }

[felles.avtale]
status = "til_signering"
dato = 2026-03-02
testdata = true

[felles.vilkaar]
delingsvilkaar = "2022-05"

[[felles.tjeneste]]
id = "summertskattegrunnlag"
rettighetspakke = "kommuneforeldrebetaling"
bruksvilkaar = "2024-09"
formaal = "Beregne redusert foreldrebetaling i barnehage og SFO"
tilkobling = "leverandoer"
utleveringsgrunnlag = { type = "hjemmel", henvisning = "skatteforvaltningsloven § 3-3" }
behandlingsgrunnlag = { type = "lov", henvisning = "barnehageloven § 41 (illustrativ)" }

[[medlem]]
avtale = { id = "KA-2026-S001" }
virksomhet = { navn = "Bjørkevik kommune", organisasjonsnummer = "345568158", organisasjonsform = "KOMM", postadresse = { adresse = "Postboks 10", postnummer = "8381", poststed = "Bjørkevik" }, varslingsadresse = "postmottak@bjorkevik.kommune.example" }

[[medlem.kontakt]]
rolle = "forretning"
navn = "Hanne Solli"
epost = "hanne.solli@bjorkevik.kommune.example"

[[medlem.kontakt]]
rolle = "teknisk"
navn = "Ola Berntsen"
epost = "ola.berntsen@bjorkevik.kommune.example"

[[medlem.signatar]]
navn = "Randi Vik"
tittel = "Ordfører"
fullmakt = "ordfoerer"
"#;
    let errs = errors(&validator(), &parse(text));
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

/// The Fjordvik example with one change applied to its JSON form.
fn fjordvik_with(change: impl FnOnce(&mut Value)) -> Value {
    let mut v = read(&root().join("agreements/fjordvik-kommune.toml"));
    change(&mut v);
    v
}

fn kommuner_with(change: impl FnOnce(&mut Value)) -> Value {
    let mut v = read(&root().join("agreements/segment-kommuner/kommuner.toml"));
    change(&mut v);
    v
}

#[track_caller]
fn assert_rejected(instance: &Value, what: &str) {
    assert!(!validator().is_valid(instance), "the schema accepts {what}");
}

#[test]
fn unknown_keys_are_rejected() {
    assert_rejected(&fjordvik_with(|v| v["ukjent"] = json!(1)), "an unknown top-level key");
    assert_rejected(
        &fjordvik_with(|v| v["virksomhet"]["organisasjonsnumer"] = json!("974760673")),
        "a misspelt key in [virksomhet]",
    );
    assert_rejected(
        &fjordvik_with(|v| v["virksomhet"]["postadresse"]["land"] = json!("Norge")),
        "an unknown key in postadresse",
    );
    assert_rejected(
        &fjordvik_with(|v| v["tjeneste"][0]["behandlingsgrunnlag"]["egen_hjemmel"] = json!("x")),
        "egen_hjemmel in behandlingsgrunnlag",
    );
    assert_rejected(
        &kommuner_with(|v| v["felles"]["segment"] = json!({})),
        "segment under felles",
    );
    assert_rejected(
        &kommuner_with(|v| v["medlem_liste"] = json!("x")),
        "an unknown key in a segment file",
    );
    assert_rejected(
        &fjordvik_with(|v| v["medlemmer"] = json!("kommuner.csv")),
        "`medlemmer` in an agreement file",
    );
}

#[test]
fn wrong_enum_values_are_rejected() {
    assert_rejected(
        &fjordvik_with(|v| v["avtale"]["status"] = json!("Til signering")),
        "status `Til signering`",
    );
    assert_rejected(&fjordvik_with(|v| v["avtale"]["spraak"] = json!("no")), "spraak `no`");
    assert_rejected(
        &fjordvik_with(|v| v["kontakt"][0]["rolle"] = json!("leder")),
        "rolle `leder`",
    );
    assert_rejected(
        &fjordvik_with(|v| v["signatar"][0]["fullmakt"] = json!("ordfører")),
        "fullmakt `ordfører`",
    );
    assert_rejected(
        &fjordvik_with(|v| v["databehandler"][0]["rolle"] = json!("leverandoer")),
        "databehandler.rolle `leverandoer`",
    );
    assert_rejected(
        &fjordvik_with(|v| v["tjeneste"][0]["miljoe"] = json!(["prod"])),
        "miljoe `prod`",
    );
    assert_rejected(
        &fjordvik_with(|v| v["tjeneste"][0]["tilkobling"] = json!("api")),
        "tilkobling `api`",
    );
    assert_rejected(
        &fjordvik_with(|v| v["tjeneste"][0]["utleveringsgrunnlag"]["type"] = json!("samtykk")),
        "utleveringsgrunnlag.type `samtykk`",
    );
    assert_rejected(
        &fjordvik_with(|v| v["tjeneste"][0]["behandlingsgrunnlag"]["type"] = json!("hjemmel")),
        "behandlingsgrunnlag.type `hjemmel`",
    );
    assert_rejected(
        &kommuner_with(|v| v["felles"]["avtale"]["status"] = json!("klar")),
        "felles.avtale.status `klar`",
    );
}

#[test]
fn malformed_values_and_missing_keys_are_rejected() {
    assert_rejected(&fjordvik_with(|v| v["format"] = json!(2)), "format 2");
    assert_rejected(&fjordvik_with(|v| v["format"] = json!("1")), "format \"1\"");
    assert_rejected(
        &fjordvik_with(|v| v["virksomhet"]["organisasjonsnummer"] = json!("97476067")),
        "an 8-digit organisation number",
    );
    assert_rejected(
        &fjordvik_with(|v| v["virksomhet"]["organisasjonsnummer"] = json!(974760673)),
        "an organisation number as an integer",
    );
    assert_rejected(
        &fjordvik_with(|v| v["virksomhet"]["postadresse"]["postnummer"] = json!("150")),
        "a 3-digit postcode",
    );
    assert_rejected(
        &fjordvik_with(|v| v["avtale"]["dato"] = json!("16.02.2026")),
        "a date that is not ISO",
    );
    assert_rejected(
        &fjordvik_with(|v| v["avtale"]["id"] = json!("KA 2026/1")),
        "an id with a space and a slash",
    );
    assert_rejected(
        &fjordvik_with(|v| v["kontakt"][0]["epost"] = json!("FYLL UT")),
        "an e-mail address without @",
    );
    assert_rejected(
        &fjordvik_with(|v| v["kontakt"][0]["telefon"] = json!("912-34-567")),
        "a phone with dashes",
    );
    assert_rejected(
        &fjordvik_with(|v| v["tjeneste"][0]["formaal"] = json!("Kort")),
        "a short purpose",
    );
    assert_rejected(
        &fjordvik_with(|v| v["virksomhet"]["navn"] = json!("  ")),
        "a blank name",
    );
    assert_rejected(
        &fjordvik_with(|v| {
            v["virksomhet"].as_object_mut().unwrap().remove("varslingsadresse");
        }),
        "a missing varslingsadresse",
    );
    assert_rejected(
        &fjordvik_with(|v| {
            v.as_object_mut().unwrap().remove("tjeneste");
        }),
        "an agreement without services",
    );
    assert_rejected(
        &fjordvik_with(|v| {
            v["kontakt"].as_array_mut().unwrap().retain(|k| k["rolle"] != "teknisk");
        }),
        "an agreement without a technical contact",
    );
    assert_rejected(
        &fjordvik_with(|v| v["signatar"][0]["fullmakt"] = json!("delegert")),
        "delegated authority without a reference",
    );
    assert_rejected(
        &fjordvik_with(|v| v["signatar"][0]["fullmakt_referanse"] = json!("Vedtak 1/26")),
        "a reference without delegated authority",
    );
    assert!(
        validator().is_valid(&fjordvik_with(|v| {
            v["signatar"][0]["fullmakt"] = json!("delegert");
            v["signatar"][0]["fullmakt_referanse"] = json!("Vedtak 1/26");
        })),
        "delegated authority with a reference is valid"
    );
    assert_rejected(
        &fjordvik_with(|v| v["tjeneste"][0]["retur_url"] = json!(["http://bank.example/retur"])),
        "a plain http return address",
    );
    assert_rejected(
        &fjordvik_with(|v| v["tjeneste"][0]["miljoe"] = json!([])),
        "an empty miljoe",
    );
    assert_rejected(
        &fjordvik_with(|v| v["tjeneste"][0]["miljoe"] = json!(["test", "test"])),
        "a repeated miljoe",
    );
    assert_rejected(
        &fjordvik_with(|v| v["databehandler"][0]["tjenester"] = json!([])),
        "an empty databehandler.tjenester",
    );
    assert_rejected(
        &kommuner_with(|v| {
            v.as_object_mut().unwrap().remove("medlemmer");
        }),
        "a segment file without members",
    );
    assert_rejected(
        &kommuner_with(|v| v["medlem"] = json!([{ "avtale": { "id": "KA-1" } }])),
        "members both in CSV and as [[medlem]]",
    );
}

/// The schema's e-mail and phone patterns agree with the rules `avtale check` applies.
#[test]
fn patterns_agree_with_the_rules() {
    let s = schema();
    let pattern = |def: &str, key: &str| {
        let p = s["definitions"][def]["properties"][key]["pattern"].clone();
        assert!(p.is_string(), "no pattern for {def}.{key}");
        jsonschema::validator_for(&json!({ "type": "string", "pattern": p })).expect("pattern compiles")
    };
    let email = pattern("Kontakt", "epost");
    for e in [
        "a.b@c.example",
        "postmottak@fjordvik.kommune.example",
        "x@a-b.no",
        "a@b",
        "a b@c.no",
        "@c.no",
        "a@-b.no",
        "a@b-.no",
        "a@b..no",
        "a@.b.no",
        "a@@b.no",
        "a@b.no.",
        "a<b@c.no",
        "a@b;c.no",
        "ø@æ.no",
        "FYLL UT: e-postadresse",
    ] {
        assert_eq!(
            email.is_valid(&json!(e)),
            avtale::input::rules::plausible_email(e),
            "schema and rules disagree on e-mail {e:?}"
        );
    }
    let phone = pattern("Kontakt", "telefon");
    for p in [
        "+47 912 34 567",
        "912 34 567",
        "57712045",
        "+4712345",
        "+1234567890123456",
        "+123456789012345",
        "1234",
        "+47 12",
        "912-34-567",
        " 912 34 567 ",
        "+ 47 91234567",
        "FYLL UT: telefonnummer",
    ] {
        assert_eq!(
            phone.is_valid(&json!(p)),
            avtale::input::rules::plausible_phone(p),
            "schema and rules disagree on phone {p:?}"
        );
    }
}

/// Each mistake is its own error at its own place, not one error about the whole document
/// (a root `oneOf` between agreement and segment files gave one).
#[test]
fn each_mistake_is_reported_where_it_is() {
    let instance = fjordvik_with(|v| {
        let org = v["virksomhet"]
            .as_object_mut()
            .unwrap()
            .remove("organisasjonsnummer")
            .unwrap();
        v["virksomhet"]["organisasjonsnumer"] = org;
        v["avtale"]["status"] = json!("klar");
    });
    let v = validator();
    let errs: Vec<(String, String)> = v
        .iter_errors(&instance)
        .map(|e| (e.instance_path().to_string(), e.to_string()))
        .collect();
    assert!(
        errs.iter().all(|(path, _)| !path.is_empty()),
        "an error about the whole document: {errs:?}"
    );
    assert!(
        errs.iter()
            .any(|(path, msg)| path == "/virksomhet" && msg.contains("organisasjonsnumer")),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|(path, msg)| path == "/avtale/status" && msg.contains("klar")),
        "{errs:?}"
    );
    assert!(schema().get("oneOf").is_none());
}

#[test]
fn catalogue_values_are_checked() {
    assert_rejected(
        &fjordvik_with(|v| v["tjeneste"][0]["id"] = json!("skattekort")),
        "a service the catalogue does not have",
    );
    assert_rejected(
        &fjordvik_with(|v| v["tjeneste"][0]["id"] = json!("inntekt")),
        "inntekt with kommuneforeldrebetaling, a package it does not offer",
    );
    assert_rejected(
        &fjordvik_with(|v| v["tjeneste"][0]["rettighetspakke"] = json!("ukjent")),
        "a rights package no service offers",
    );
    assert_rejected(
        &fjordvik_with(|v| v["tjeneste"][0]["bruksvilkaar"] = json!("2023-06")),
        "a freg version pinned for an iskr service",
    );
    assert_rejected(
        &fjordvik_with(|v| v["vilkaar"]["delingsvilkaar"] = json!("2022-06")),
        "an unknown delingsvilkår version",
    );
    assert_rejected(
        &fjordvik_with(|v| v["tjeneste"][0]["utleveringsgrunnlag"]["type"] = json!("samtykke")),
        "consent for a statutory package",
    );
    assert_rejected(
        &fjordvik_with(|v| v["tjeneste"][0]["retur_url"] = json!(["https://x.example/retur"])),
        "retur_url for a statutory package",
    );
    assert_rejected(
        &fjordvik_with(|v| v["databehandler"][0]["tjenester"] = json!(["skattekort"])),
        "a data processor for an unknown service",
    );
    assert_rejected(
        &kommuner_with(|v| v["felles"]["tjeneste"][0]["rettighetspakke"] = json!("sbl2")),
        "an unknown package in felles.tjeneste",
    );
    // The Folkeregisteret package that needs the consumer's own statute.
    let freg = read(&root().join("agreements/statens-kjoeretoeyetat.toml"));
    let mut without = freg.clone();
    without["tjeneste"][0]["utleveringsgrunnlag"]
        .as_object_mut()
        .unwrap()
        .remove("egen_hjemmel");
    assert!(validator().is_valid(&freg));
    assert_rejected(&without, "offentligmedhjemmel without egen_hjemmel");
    // A superseded version is allowed (a warning in `avtale check`), a withdrawn one is not.
    assert!(validator().is_valid(&fjordvik_with(|v| v["tjeneste"][0]["bruksvilkaar"] = json!("2023-01"))));
    let mut withdrawn = freg;
    withdrawn["tjeneste"][0]["bruksvilkaar"] = json!("2019-01");
    assert_rejected(&withdrawn, "a withdrawn terms version");
}

#[test]
fn catalogue_values_have_descriptions() {
    let s = schema();
    let id = &s["definitions"]["Tjeneste"]["properties"]["id"];
    let values = id["enum"].as_array().expect("service ids are an enum");
    let docs = id["x-taplo"]["docs"]["enumValues"]
        .as_array()
        .expect("taplo's value docs");
    assert_eq!(values.len(), docs.len());
    assert!(values.contains(&json!("inntekt")));
    assert!(docs.iter().all(|d| d.as_str().is_some_and(|d| !d.is_empty())));
    let dv = &s["definitions"]["Vilkaar"]["properties"]["delingsvilkaar"];
    assert_eq!(dv["enum"][0], "2022-05", "the current version first");
    assert!(
        dv["x-taplo"]["docs"]["enumValues"][0]
            .as_str()
            .unwrap()
            .contains("gjeldende")
    );
    assert!(dv["description"].as_str().unwrap().contains("erstattet"));
    let spraak = s["definitions"]["Avtale"]["properties"]["spraak"]["description"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !spraak.contains("Bare bokmål"),
        "nb, nn and en can all be built: {spraak}"
    );
}

#[test]
fn segment_file_keys_are_checked_by_kind() {
    assert_rejected(
        &kommuner_with(|v| v["avtale"] = json!({ "id": "KA-1" })),
        "[avtale] at the root of a segment file",
    );
    assert_rejected(
        &kommuner_with(|v| v["felles"]["avtale"]["statuss"] = json!("utkast")),
        "a misspelt key in felles.avtale",
    );
}
