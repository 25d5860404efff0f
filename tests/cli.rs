//! The command line as a whole: `--version` names the Typst version, `--color` works before
//! or after the subcommand, one manual page per subcommand, and `watch` rebuilds on save.

use std::io::Read;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{avtale, root};

#[test]
fn version_names_the_typst_version_the_lock_file_holds() {
    let out = avtale().arg("--version").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
    let typst = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"typst\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
        .map(|v| v.trim_matches('"').to_string())
        .expect("typst in Cargo.lock");
    assert_eq!(
        text.trim(),
        format!("avtale {} (typst {typst})", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn color_goes_before_or_after_the_subcommand() {
    let file = "tests/fixtures/check/postnummer.toml";
    for args in [
        vec!["--color", "always", "check", file],
        vec!["check", "--color", "always", file],
    ] {
        let out = avtale().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("\u{1b}["),
            "{args:?}: no colour"
        );
    }
    let out = avtale().args(["check", "--color", "never", file]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("\u{1b}["));
}

#[test]
fn every_subcommand_has_its_own_manual_page() {
    let page = avtale().args(["man", "verify"]).output().unwrap();
    let text = String::from_utf8_lossy(&page.stdout);
    assert!(
        text.contains(".TH avtale-verify 1") && text.contains("\\-\\-trust"),
        "{text}"
    );
    let dir = tempfile::tempdir().unwrap();
    avtale().args(["man", "--dir"]).arg(dir.path()).assert().success();
    for sub in [
        "check", "build", "render", "extract", "verify", "sign", "diff", "impact", "watch", "serve",
    ] {
        let p = dir.path().join(format!("avtale-{sub}.1"));
        assert!(p.exists(), "no page for {sub}");
    }
    assert!(dir.path().join("avtale.1").exists());
    avtale().args(["man", "nonsense"]).assert().code(2);
}

/// The watcher, killed if the test ends early.
struct Watch(Child);

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Everything a stream says, collected on a thread of its own.
fn collect(mut stream: impl Read + Send + 'static) -> std::sync::Arc<std::sync::Mutex<String>> {
    let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = text.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    text
}

#[test]
fn watch_rebuilds_on_save_and_keeps_going_through_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.toml");
    let good = std::fs::read_to_string(root().join("agreements/nordlys-sparebank.toml")).unwrap();
    std::fs::write(&file, &good).unwrap();
    let out = dir.path().join("out");
    let pdf = out.join("KA-2026-0021.pdf");
    let mut child = common::english(assert_cmd::cargo::cargo_bin("avtale"))
        .args(["watch", "--max-rebuilds", "2", "-o"])
        .arg(&out)
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = collect(child.stdout.take().unwrap());
    let stderr = collect(child.stderr.take().unwrap());
    let mut watch = Watch(child);
    let said = |needle: &str, n: usize| stderr.lock().unwrap().matches(needle).count() >= n;
    wait_for("the first build", Duration::from_secs(60), || said("watching", 1));
    let first = std::fs::read(&pdf).unwrap();
    // A save with an error: reported, the PDF untouched, watching goes on.
    std::fs::write(&file, good.replace("Storgata 14", "Storgata 15\"x")).unwrap();
    wait_for("the rebuild after the bad save", Duration::from_secs(60), || {
        said("ms after the save", 1)
    });
    assert_eq!(std::fs::read(&pdf).unwrap(), first);
    assert!(
        stdout.lock().unwrap().contains("toml-syntax"),
        "the bad save is reported"
    );
    // A good save: rebuilt, and the second rebuild ends the run.
    std::fs::write(&file, good.replace("Storgata 14", "Storgata 16")).unwrap();
    let status = wait_exit(&mut watch.0, Duration::from_secs(60));
    assert_eq!(status, Some(0), "{}", stderr.lock().unwrap());
    assert_ne!(std::fs::read(&pdf).unwrap(), first, "rebuilt after the good save");
    assert_eq!(stderr.lock().unwrap().matches("ms after the save").count(), 2);
}

fn wait_exit(child: &mut Child, limit: Duration) -> Option<i32> {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s.code();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn check_reads_standard_input_under_the_name_it_is_given() {
    let text = std::fs::read(root().join("tests/fixtures/check/email.toml")).unwrap();
    let out = avtale()
        .args([
            "check",
            "--format",
            "short",
            "--stdin-filename",
            "agreements/ny.toml",
            "-",
        ])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("agreements/ny.toml:25:9: error[email]"), "{stdout}");
    let good = std::fs::read(root().join("agreements/nordlys-sparebank.toml")).unwrap();
    avtale().args(["check", "-"]).write_stdin(good).assert().success();
}

#[test]
fn a_project_config_sets_defaults_that_flags_override() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("avtaler");
    std::fs::create_dir(&sub).unwrap();
    let warned = std::fs::read_to_string(root().join("tests/fixtures/check/orgnr-test-range.toml")).unwrap();
    std::fs::write(sub.join("a.toml"), warned).unwrap();
    std::fs::write(
        dir.path().join(".avtale.toml"),
        "output = \"pdf\"\ndeny-warnings = true\n",
    )
    .unwrap();
    let run = |args: &[&str]| common::avtale().current_dir(&sub).args(args).output().unwrap();
    // deny-warnings from the file: a warning fails the run; the config is not an agreement.
    let out = run(&["check", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("checked 1 file"));
    // output from the file, relative to it; -o on the command line wins.
    std::fs::write(dir.path().join(".avtale.toml"), "output = \"pdf\"\n").unwrap();
    assert_eq!(run(&["build", "-q", "a.toml"]).status.code(), Some(0));
    assert!(dir.path().join("pdf").read_dir().unwrap().count() >= 1);
    assert_eq!(run(&["build", "-q", "-o", "here", "a.toml"]).status.code(), Some(0));
    assert!(sub.join("here").is_dir());
    // A misspelt key is an error naming the file, never silently ignored.
    std::fs::write(dir.path().join(".avtale.toml"), "outptu = \"pdf\"\n").unwrap();
    let out = run(&["check", "a.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".avtale.toml: unknown field `outptu`"));
}

#[test]
fn discovery_honours_gitignore_and_skips_tool_files() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(root().join("agreements/nordlys-sparebank.toml")).unwrap();
    std::fs::write(dir.path().join("a.toml"), good).unwrap();
    std::fs::create_dir(dir.path().join("bygg")).unwrap();
    std::fs::write(dir.path().join("bygg/gammel.toml"), "not an agreement = [").unwrap();
    std::fs::write(dir.path().join(".gitignore"), "bygg/\n").unwrap();
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"x\"\n").unwrap();
    std::fs::write(
        dir.path().join("rust-toolchain.toml"),
        "[toolchain]\nchannel = \"stable\"\n",
    )
    .unwrap();
    let out = avtale().arg("check").arg(dir.path()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{err}{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(err.contains("checked 1 file"), "{err}");
    // Named on the command line, an ignored file is read all the same.
    let out = avtale()
        .arg("check")
        .arg(dir.path().join("bygg/gammel.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn include_and_exclude_globs_of_the_project_config_choose_what_a_search_reads() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(root().join("agreements/nordlys-sparebank.toml")).unwrap();
    for sub in ["avtaler", "avtaler/utkast", "maler"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    std::fs::write(dir.path().join("avtaler/a.toml"), &good).unwrap();
    std::fs::write(dir.path().join("avtaler/utkast/b.toml"), "not an agreement = [").unwrap();
    std::fs::write(dir.path().join("maler/c.toml"), "not an agreement = [").unwrap();
    let run = |args: &[&str]| common::avtale().current_dir(dir.path()).args(args).output().unwrap();
    // Without globs every file is read, and the two broken ones fail the run.
    assert_eq!(run(&["check", "."]).status.code(), Some(1));
    std::fs::write(
        dir.path().join(".avtale.toml"),
        "include = [\"avtaler/**\"]\nexclude = [\"**/utkast/**\"]\n",
    )
    .unwrap();
    let out = run(&["check", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("checked 1 file"));
    // The globs are relative to the config file, wherever the command runs.
    let inside = common::avtale()
        .current_dir(dir.path().join("avtaler"))
        .args(["check", "."])
        .output()
        .unwrap();
    assert_eq!(
        inside.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&inside.stderr)
    );
    // A file named on the command line is always read.
    assert_eq!(run(&["check", "maler/c.toml"]).status.code(), Some(1));
    // A glob that does not parse is an error naming the file.
    std::fs::write(dir.path().join(".avtale.toml"), "include = [\"avtaler/[\"]\n").unwrap();
    let out = run(&["check", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".avtale.toml: `avtaler/[`"));
}
