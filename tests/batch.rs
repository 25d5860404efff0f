//! Batch builds: valid and invalid agreements together, the JSON report, incremental
//! rebuilds through the manifest, shards, and interrupted runs.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};

mod common;
use common::{avtale, root};

fn pdfs(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pdf"))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A directory with two valid agreements and one with an error.
fn mixed_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["nordlys-sparebank.toml", "fjellheim-pensjonskasse.toml"] {
        std::fs::copy(root().join("agreements").join(f), dir.path().join(f)).unwrap();
    }
    let bad = std::fs::read_to_string(root().join("agreements/statens-kjoeretoeyetat.toml"))
        .unwrap()
        .replace(
            "organisasjonsnummer = \"398698797\"",
            "organisasjonsnummer = \"398698798\"",
        );
    std::fs::write(dir.path().join("bad.toml"), bad).unwrap();
    dir
}

#[test]
fn valid_agreements_are_built_and_invalid_ones_reported() {
    let input = mixed_dir();
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    let assert = avtale()
        .args(["build", "-o"])
        .arg(out.path().join("pdf"))
        .arg("--report")
        .arg(&report)
        .arg(input.path())
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(stdout.contains("orgnr-checksum"), "{stdout}");
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("built 2, up to date 0, failed 1"), "{stderr}");
    assert_eq!(
        pdfs(&out.path().join("pdf")),
        ["KA-2026-0021.pdf", "KA-2026-0040.pdf"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );

    let r: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["built"], 2);
    assert_eq!(r["failed"], 1);
    let entries = r["agreements"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    for e in entries {
        match e["id"].as_str().unwrap() {
            "KA-2026-0034" => {
                assert_eq!(e["status"], "invalid");
                assert!(e["output"].is_null());
                let d = &e["diagnostics"][0];
                assert_eq!(d["code"], "orgnr-checksum");
                assert!(d["line"].as_u64().unwrap() > 1);
                assert!(e["source"]["file"].as_str().unwrap().ends_with("bad.toml"));
            }
            id => {
                assert_eq!(e["status"], "built");
                let pdf = std::fs::read(e["output"].as_str().unwrap()).unwrap();
                assert_eq!(e["sha256"].as_str().unwrap(), hex(&Sha256::digest(&pdf)), "{id}");
                let pages = lopdf::Document::load_mem(&pdf).unwrap().get_pages().len();
                assert_eq!(e["pages"].as_u64().unwrap() as usize, pages);
            }
        }
    }
}

#[test]
fn segment_members_in_the_report_name_their_csv_row() {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("r.json");
    avtale()
        .args(["build", "--quiet", "-o"])
        .arg(out.path())
        .arg("--report")
        .arg(&report)
        .arg(root().join("agreements/segment-kommuner/kommuner.toml"))
        .assert()
        .success();
    let r: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let first = r["agreements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "KA-2026-S001")
        .unwrap();
    assert_eq!(first["source"]["member"], 0);
    assert!(
        first["source"]["csv_row"][0]
            .as_str()
            .unwrap()
            .ends_with("kommuner.csv")
    );
    assert_eq!(
        first["source"]["csv_row"][1], 2,
        "the first member is on line 2, after the header"
    );
}

#[test]
fn up_to_date_agreements_are_skipped_and_edited_ones_rebuilt() {
    let input = tempfile::tempdir().unwrap();
    for f in ["nordlys-sparebank.toml", "fjellheim-pensjonskasse.toml"] {
        std::fs::copy(root().join("agreements").join(f), input.path().join(f)).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let build = || {
        avtale()
            .args(["build", "-o"])
            .arg(out.path())
            .arg(input.path())
            .assert()
            .success()
    };

    let first = build();
    assert!(String::from_utf8_lossy(&first.get_output().stderr).contains("built 2, up to date 0"));
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.path().join(".avtale-manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["entries"].as_object().unwrap().len(), 2);

    let second = build();
    assert!(String::from_utf8_lossy(&second.get_output().stderr).contains("built 0, up to date 2"));

    // A changed comment is not a changed agreement; a changed purpose is.
    let f = input.path().join("nordlys-sparebank.toml");
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(&f, format!("# reformatted\n{text}")).unwrap();
    let third = build();
    assert!(String::from_utf8_lossy(&third.get_output().stderr).contains("built 0, up to date 2"));
    std::fs::write(
        &f,
        text.replace(
            "Kredittvurdering av personkunder",
            "Kredittvurdering av alle personkunder",
        ),
    )
    .unwrap();
    let fourth = build();
    assert!(String::from_utf8_lossy(&fourth.get_output().stderr).contains("built 1, up to date 1"));

    // A deleted PDF is rebuilt; --force rebuilds everything.
    std::fs::remove_file(out.path().join("KA-2026-0040.pdf")).unwrap();
    let fifth = build();
    assert!(String::from_utf8_lossy(&fifth.get_output().stderr).contains("built 1, up to date 1"));
    let forced = avtale()
        .args(["build", "--force", "-o"])
        .arg(out.path())
        .arg(input.path())
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&forced.get_output().stderr).contains("built 2, up to date 0"));
}

#[test]
fn shards_partition_the_agreements() {
    let segment = root().join("agreements/segment-kommuner/kommuner.toml");
    let mut seen: Vec<String> = Vec::new();
    for k in 1..=3 {
        let out = tempfile::tempdir().unwrap();
        avtale()
            .args(["build", "--quiet", "--shard", &format!("{k}/3"), "-o"])
            .arg(out.path())
            .arg(&segment)
            .assert()
            .success();
        let built = pdfs(out.path());
        assert!(!built.is_empty(), "shard {k}/3 is not empty for 26 members");
        seen.extend(built);
    }
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(seen.len(), 26, "every member built exactly once across the shards");
    assert_eq!(unique.len(), 26);

    avtale()
        .args(["build", "--shard", "4/3", "-o", "x"])
        .arg(&segment)
        .assert()
        .code(2);
    avtale()
        .args(["build", "--shard", "0/3", "-o", "x"])
        .arg(&segment)
        .assert()
        .code(2);
}

#[test]
fn an_interrupted_run_leaves_a_consistent_manifest() {
    let out = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("avtale");
    let mut child = common::english(bin)
        .args(["build", "--quiet", "-o"])
        .arg(out.path())
        .arg(root().join("agreements/segment-kommuner/kommuner.toml"))
        .spawn()
        .unwrap();
    // Wait until some PDFs exist, then kill the run mid-way.
    for _ in 0..600 {
        if pdfs(out.path()).len() >= 3 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();

    let leftovers: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".pdf") && n != ".avtale-manifest.json" && !n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    if let Ok(bytes) = std::fs::read(out.path().join(".avtale-manifest.json")) {
        let m: Value = serde_json::from_slice(&bytes).expect("the manifest is whole JSON");
        for (id, e) in m["entries"].as_object().unwrap() {
            let pdf = std::fs::read(out.path().join(format!("{id}.pdf"))).expect("recorded PDFs exist");
            assert_eq!(e["sha256"].as_str().unwrap(), hex(&Sha256::digest(&pdf)));
        }
    }
    // Every PDF present is whole: it parses.
    for name in pdfs(out.path()) {
        lopdf::Document::load(out.path().join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // The next run completes the set.
    let next = avtale()
        .args(["build", "-o"])
        .arg(out.path())
        .arg(root().join("agreements/segment-kommuner/kommuner.toml"))
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&next.get_output().stderr).contains("failed 0"));
    assert_eq!(pdfs(out.path()).len(), 26);
}

#[test]
fn progress_lines_when_not_a_terminal_and_silence_with_quiet() {
    let out = tempfile::tempdir().unwrap();
    let file = root().join("agreements/nordlys-sparebank.toml");
    let loud = avtale()
        .args(["build", "-o"])
        .arg(out.path())
        .arg(&file)
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&loud.get_output().stderr).contains("built "));
    assert!(String::from_utf8_lossy(&loud.get_output().stderr).contains("KA-2026-0021.pdf"));
    let quiet = avtale()
        .args(["build", "--quiet", "--force", "-o"])
        .arg(out.path())
        .arg(&file)
        .assert()
        .success();
    assert!(
        quiet.get_output().stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.get_output().stderr)
    );
}
