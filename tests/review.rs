//! Review in pull requests: text, JSON and PNG renderings, the semantic diff (also between
//! git revisions of a real repository), impact, completions and the manual page.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use serde_json::Value;

mod common;
use common::{avtale, root};

fn stdout_of(args: &[&str]) -> String {
    let out = avtale().current_dir(root()).args(args).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

#[test]
fn text_rendering_holds_the_whole_agreement_with_stable_wrapping() {
    let text = stdout_of(&["render", "--format", "text", "agreements/fjordvik-kommune.toml"]);
    for needle in [
        "KONSUMENTAVTALE",
        "Fjordvik kommune",
        "315 298 407",
        "3.1 Summert skattegrunnlag API",
        "5 EGENERKLÆRING",
        "VEDLEGG 1: BRUKSVILKÅR",
        "VEDLEGG 2: DELINGSVILKÅR",
        "skatteetaten:summertskattegrunnlag",
    ] {
        assert!(text.contains(needle), "missing {needle:?}");
    }
    // Lines are wrapped at 88 columns; only an unbreakable token (a fingerprint) may overrun.
    for l in text.lines().filter(|l| l.chars().count() > 88) {
        assert!(
            l.split(' ').next_back().is_some_and(|w| w.len() >= 40),
            "line too long: {l}"
        );
    }
    assert!(
        !text.contains("#table") && !text.contains("*1.1*") && !text.contains("\\@"),
        "no Typst markup"
    );
    // The same input gives the same text.
    assert_eq!(
        text,
        stdout_of(&["render", "--format", "text", "agreements/fjordvik-kommune.toml"])
    );
}

#[test]
fn json_rendering_merges_catalogue_facts_and_fingerprints() {
    let json = stdout_of(&["render", "--format", "json", "agreements/nordlys-sparebank.toml"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["id"], "KA-2026-0021");
    let t = &v["tjenester"][0];
    assert_eq!(t["scope"], "skatteetaten:inntekt");
    assert_eq!(t["samtykkekode"], "4804_210607");
    assert!(
        v["dokumenter"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["sha256"].as_str().unwrap().len() == 64)
    );
    assert_eq!(v["fingeravtrykk"].as_str().unwrap().len(), 64);
}

#[test]
fn png_rendering_writes_one_image_per_page() {
    let out = tempfile::tempdir().unwrap();
    avtale()
        .args(["render", "--format", "png", "-o"])
        .arg(out.path())
        .arg(root().join("agreements/nordlys-sparebank.toml"))
        .assert()
        .success();
    let pages = lopdf::Document::load_mem(&build_pdf(&root().join("agreements/nordlys-sparebank.toml")))
        .unwrap()
        .get_pages()
        .len();
    let pngs: Vec<PathBuf> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(pngs.len(), pages);
    let first = std::fs::read(out.path().join("KA-2026-0021-side-1.png")).unwrap();
    assert_eq!(&first[..8], b"\x89PNG\r\n\x1a\n");
}

fn build_pdf(file: &Path) -> Vec<u8> {
    let out = tempfile::tempdir().unwrap();
    avtale()
        .args(["build", "--quiet", "-o"])
        .arg(out.path())
        .arg(file)
        .assert()
        .success();
    let pdf = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "pdf"))
        .unwrap();
    std::fs::read(pdf).unwrap()
}

fn git(dir: &Path, args: &[&str]) {
    let status = Process::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[test]
fn diff_between_two_git_revisions_in_plain_words_and_as_text() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    std::fs::create_dir(dir.join("agreements")).unwrap();
    let file = dir.join("agreements/bank.toml");
    let original = std::fs::read_to_string(root().join("agreements/fjordvik-kommune.toml")).unwrap();
    std::fs::write(&file, &original).unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "first"]);

    // Add a consent service, change the technical contact's e-mail.
    let changed = original.replace("eirik.solstad@fjordvik.kommune.example", "ikt@fjordvik.kommune.example")
        + r#"
[[tjeneste]]
id = "inntekt"
rettighetspakke = "sbl"
bruksvilkaar = "2024-09"
formaal = "Prøve samtykkebasert innhenting av inntekt i en pilot"
retur_url = ["https://fjordvik.kommune.example/samtykke"]

[tjeneste.utleveringsgrunnlag]
type = "samtykke"
henvisning = "skatteforvaltningsloven § 3-7 første ledd bokstav a"

[tjeneste.behandlingsgrunnlag]
type = "samtykke"
henvisning = "personvernforordningen artikkel 6 nr. 1 bokstav a"
"#;
    std::fs::write(&file, &changed).unwrap();
    git(dir, &["commit", "-q", "-am", "second"]);

    let out = avtale()
        .current_dir(dir)
        .args(["diff", "HEAD~1:agreements/bank.toml", "HEAD:agreements/bank.toml"])
        .assert()
        .code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        text.contains("service `inntekt` added with rights package `sbl` (samtykke)"),
        "{text}"
    );
    assert!(text.contains("the Teknisk contact's e-mail changed"), "{text}");
    assert!(
        text.contains("tjenester:") && text.contains("kontakter:"),
        "grouped by section: {text}"
    );
    assert!(
        text.contains("--- HEAD~1:agreements/bank.toml") && text.contains("+3.2 Inntekt API"),
        "{text}"
    );

    // JSON for bots; the working tree against a revision.
    let out = avtale()
        .current_dir(dir)
        .args([
            "diff",
            "--format",
            "json",
            "HEAD~1:agreements/bank.toml",
            "agreements/bank.toml",
        ])
        .assert()
        .code(1);
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["changed"], true);
    let changes = v["agreements"][0]["changes"].as_array().unwrap();
    assert!(changes.iter().any(|c| c["section"] == "tjenester"));
    assert!(
        v["agreements"][0]["diff"]
            .as_str()
            .unwrap()
            .contains("+3.2 Inntekt API")
    );

    // No difference: exit 0.
    avtale()
        .current_dir(dir)
        .args(["diff", "HEAD:agreements/bank.toml", "agreements/bank.toml"])
        .assert()
        .code(0);
    // A revision that does not exist: exit 2.
    avtale()
        .current_dir(dir)
        .args(["diff", "nope:agreements/bank.toml", "agreements/bank.toml"])
        .assert()
        .code(2);
}

#[test]
fn diff_reports_a_terms_version_change() {
    let dir = tempfile::tempdir().unwrap();
    let new = root().join("agreements/nordlys-sparebank.toml");
    let old = dir.path().join("old.toml");
    std::fs::write(
        &old,
        std::fs::read_to_string(&new)
            .unwrap()
            .replace("delingsvilkaar = \"2022-05\"", "delingsvilkaar = \"2020-06\""),
    )
    .unwrap();
    let out = avtale().arg("diff").arg(&old).arg(&new).assert().code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("delingsvilkår 2020-06 → 2022-05"), "{text}");
}

#[test]
fn impact_finds_references_and_superseded_pins() {
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "nordlys-sparebank.toml",
        "fjellheim-pensjonskasse.toml",
        "statens-kjoeretoeyetat.toml",
    ] {
        std::fs::copy(root().join("agreements").join(f), dir.path().join(f)).unwrap();
    }
    let old = std::fs::read_to_string(dir.path().join("fjellheim-pensjonskasse.toml")).unwrap();
    std::fs::write(
        dir.path().join("fjellheim-pensjonskasse.toml"),
        old.replacen("bruksvilkaar = \"2024-09\"", "bruksvilkaar = \"2023-01\"", 1),
    )
    .unwrap();

    let json = |args: &[&str]| -> Value {
        let out = avtale()
            .args(["impact", "--format", "json"])
            .args(args)
            .arg(dir.path())
            .assert()
            .success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    };
    let ids = |v: &Value, key: &str| -> Vec<String> {
        let mut ids: Vec<String> = v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    let v = json(&["--package", "sbl"]);
    assert_eq!(ids(&v, "matching"), ["KA-2026-0021"]);
    let v = json(&["--service", "folkeregisteret"]);
    assert_eq!(ids(&v, "matching"), ["KA-2026-0034"]);
    let v = json(&["--terms", "iskr@2023-01"]);
    assert_eq!(ids(&v, "matching"), ["KA-2026-0040"]);
    assert_eq!(ids(&v, "superseded"), ["KA-2026-0040"]);
    let v = json(&["--terms", "freg@2024-09"]);
    assert_eq!(ids(&v, "matching"), ["KA-2026-0034"]);
    avtale()
        .args(["impact", "--terms", "iskr@1999-01"])
        .arg(dir.path())
        .assert()
        .code(2);
}

#[test]
fn completions_man_page_and_examples_in_help() {
    let bash = stdout_of(&["completions", "bash"]);
    assert!(bash.contains("avtale") && bash.contains("verify"));
    let man = stdout_of(&["man"]);
    assert!(
        man.contains(".TH avtale") || man.contains(".TH AVTALE"),
        "{}",
        &man[..200.min(man.len())]
    );
    for cmd in ["check", "build", "render", "extract", "verify", "diff", "impact"] {
        let help = stdout_of(&[cmd, "--help"]);
        assert!(help.contains("Examples:"), "{cmd} --help has examples");
    }
}

#[test]
fn schema_command_prints_the_committed_schema() {
    let printed = stdout_of(&["schema"]);
    let committed = std::fs::read_to_string(root().join("schema/avtale.schema.json")).unwrap();
    assert_eq!(
        printed, committed,
        "run `cargo run -- schema > schema/avtale.schema.json`"
    );
    let v: Value = serde_json::from_str(&printed).unwrap();
    assert!(v["$id"].is_string());
}

#[test]
fn new_writes_a_file_that_fails_check_until_filled_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("ny.toml");
    avtale()
        .args([
            "new",
            "--orgnr",
            "974760673",
            "--navn",
            "Ny Kommune",
            "--dato",
            "2026-05-12",
            "-o",
        ])
        .arg(&f)
        .assert()
        .success();
    let text = std::fs::read_to_string(&f).unwrap();
    assert!(text.contains("Ny Kommune") && text.contains("FYLL UT") && text.contains("dato = 2026-05-12"));
    let out = avtale().args(["check", "--format", "short"]).arg(&f).assert().code(1);
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("error["));
    avtale()
        .args(["new", "--orgnr", "974760673", "--navn", "X", "-o"])
        .arg(&f)
        .assert()
        .code(2);
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        text,
        "the existing file is untouched"
    );
}

#[test]
fn diff_and_impact_refuse_files_that_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "format = 1\n[avtale\n").unwrap();
    avtale()
        .arg("diff")
        .arg(root().join("agreements/nordlys-sparebank.toml"))
        .arg(&broken)
        .assert()
        .code(2);
    avtale()
        .args(["impact", "--package", "sbl"])
        .arg(dir.path())
        .assert()
        .code(2);
}
