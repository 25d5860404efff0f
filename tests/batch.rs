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

/// Nine agreements (copies of one example under other ids and names) and one whose name
/// has a character no font has, which only the layout finds.
fn batch_of_ten() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(root().join("agreements/nordlys-sparebank.toml")).unwrap();
    for k in 0..10 {
        let name = if k == 7 {
            "Smil \u{1F600} AS".to_string()
        } else {
            format!("Nordlys Sparebank {k} ASA")
        };
        let text = example
            .replace("KA-2026-0021", &format!("KA-2026-09{k:02}"))
            .replace("navn = \"Nordlys Sparebank ASA\"", &format!("navn = \"{name}\""));
        std::fs::write(dir.path().join(format!("a{k}.toml")), text).unwrap();
    }
    dir
}

/// Build `input` with the given kind of workers; the report and the PDFs by name.
fn build_with_workers(input: &Path, kind: &str) -> (Value, String, Vec<(String, Vec<u8>)>) {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    let assert = avtale()
        .env("AVTALE_WORKERS", kind)
        .args(["build", "--quiet", "-o"])
        .arg(out.path().join("pdf"))
        .arg("--report")
        .arg(&report)
        .arg(input)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    let r: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let files = pdfs(&out.path().join("pdf"))
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(out.path().join("pdf").join(&n)).unwrap();
            (n, bytes)
        })
        .collect();
    (r, stdout, files)
}

#[cfg(target_os = "linux")]
#[test]
fn worker_processes_build_what_worker_threads_build() {
    let input = batch_of_ten();
    let (procs, procs_out, procs_pdfs) = build_with_workers(input.path(), "processes");
    let (threads, threads_out, threads_pdfs) = build_with_workers(input.path(), "threads");
    // Each build says which workers it had: the test compares the two kinds, not one twice.
    assert_eq!(procs["workers"]["kind"], "processes", "{procs}");
    assert!(procs["workers"]["count"].as_u64().unwrap() >= 1);
    assert_eq!(threads["workers"]["kind"], "threads", "{threads}");

    // The same PDFs, byte for byte, and the same outcome for every agreement.
    assert_eq!(procs_pdfs.len(), 9);
    assert!(
        procs_pdfs == threads_pdfs,
        "the PDFs differ between processes and threads"
    );
    for (name, pdf) in &procs_pdfs {
        let pages = lopdf::Document::load_mem(pdf).unwrap().get_pages().len();
        assert!(pages > 1, "{name}");
    }
    for r in [&procs, &threads] {
        assert_eq!((r["built"].as_u64(), r["failed"].as_u64()), (Some(9), Some(1)), "{r}");
    }
    let outcome = |r: &Value| -> Vec<(String, String, Option<String>)> {
        r["agreements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["id"].as_str().unwrap().to_string(),
                    e["status"].as_str().unwrap().to_string(),
                    e["sha256"].as_str().map(str::to_string),
                )
            })
            .collect()
    };
    assert_eq!(outcome(&procs), outcome(&threads));

    // The problem only the layout finds is reported alike, located, with its rule code.
    for (r, out) in [(&procs, &procs_out), (&threads, &threads_out)] {
        let bad = r["agreements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == "KA-2026-0907")
            .unwrap();
        assert_eq!(bad["status"], "failed", "{bad}");
        assert_eq!(bad["diagnostics"][0]["code"], "unsupported-character", "{bad}");
        assert_eq!(bad["diagnostics"][0]["line"], 15, "{bad}");
        assert!(
            out.contains("unsupported-character") && out.contains("U+1F600"),
            "{out}"
        );
    }
}

/// The worker processes of a running build (Linux: /proc lists each thread's children).
#[cfg(target_os = "linux")]
fn worker_pids(pid: u32) -> Vec<i32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .filter_map(|t| t.ok())
        .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
        .flat_map(|s| {
            s.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<i32>>()
        })
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn a_worker_process_that_dies_fails_one_document_and_the_rest_are_built() {
    let input = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(root().join("agreements/nordlys-sparebank.toml")).unwrap();
    for k in 0..24 {
        let text = example.replace("KA-2026-0021", &format!("KA-2026-08{k:02}"));
        std::fs::write(input.path().join(format!("a{k}.toml")), text).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    let build = common::english(assert_cmd::cargo::cargo_bin("avtale"))
        .env("AVTALE_WORKERS", "processes")
        .args(["build", "--quiet", "-o"])
        .arg(out.path().join("pdf"))
        .arg("--report")
        .arg(&report)
        .arg(input.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Kill one worker as soon as it exists: it is then building its first document.
    let mut killed = false;
    for _ in 0..2000 {
        if let Some(&pid) = worker_pids(build.id()).first() {
            // SAFETY: sends a signal to a process id; no memory is touched.
            killed = unsafe { libc::kill(pid, libc::SIGKILL) } == 0;
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(killed, "no worker process to kill");
    let output = build.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();

    let r: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["workers"]["kind"], "processes");
    let (built, failed) = (r["built"].as_u64().unwrap(), r["failed"].as_u64().unwrap());
    // The document the worker held is failed, unless it had finished it in the instant
    // before the signal; every other one is built.
    assert!(
        failed <= 1 && built + failed == 24,
        "built {built}, failed {failed}: {stderr}"
    );
    if failed == 1 {
        // Not a problem of the agreement: the tool's own failure, exit 2.
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("ended unexpectedly"), "{stderr}");
    }
    assert_eq!(pdfs(&out.path().join("pdf")).len() as u64, built);
    for name in pdfs(&out.path().join("pdf")) {
        lopdf::Document::load(out.path().join("pdf").join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}
