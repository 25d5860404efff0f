//! Helpers shared by the test binaries: where the repository is, the binary, the shipped
//! catalogue and renderer, and reading text back from a PDF.
// Each test binary uses its own subset of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

pub mod served;

use assert_cmd::Command;
use avtale::base::diag::Sources;
use avtale::catalog::Catalogue;
use avtale::catalog::assets::Assets;
use avtale::document::{PdfSettings, Typesetter};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `avtale` binary, run from the repository root so that reported paths are relative,
/// with messages in English whatever the locale of the machine, and stopped if it runs for
/// more than two minutes.
pub fn avtale() -> Command {
    let mut cmd = Command::cargo_bin("avtale").expect("the `avtale` binary is built");
    cmd.current_dir(root()).timeout(Duration::from_secs(120));
    for (k, v) in ENGLISH_LOCALE {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd
}

/// The locale environment that gives English messages (`LANG=C`, no `LC_ALL` or
/// `LC_MESSAGES`), for the tests that pin output bytes.
pub const ENGLISH_LOCALE: [(&str, Option<&str>); 3] = [("LC_ALL", None), ("LC_MESSAGES", None), ("LANG", Some("C"))];

/// A `std::process::Command` running `program` in the English locale.
pub fn english(program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
    let mut cmd = std::process::Command::new(program);
    for (k, v) in ENGLISH_LOCALE {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd
}

/// The catalogue built into the binary.
pub fn catalogue() -> Catalogue {
    Catalogue::load(&Assets::Embedded, "katalog.toml", &mut Sources::default()).expect("shipped catalogue loads")
}

/// A typesetter with the built-in templates and the default PDF settings.
pub fn typesetter() -> Typesetter {
    Typesetter::new(Assets::Embedded, &PdfSettings::default()).expect("default standards combine")
}

/// The text of a PDF with words joined across hyphenated line ends and whitespace folded.
pub fn text_of(pdf: &[u8]) -> String {
    let raw = pdf_extract::extract_text_from_mem(pdf).expect("text extracts");
    raw.replace("-\n", "").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A copy of the shipped `templates/` directory.
pub fn template_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let ok = std::process::Command::new("cp")
        .arg("-r")
        .arg(root().join("templates/."))
        .arg(dir.path())
        .status()
        .expect("cp");
    assert!(ok.success());
    dir
}

/// Append a line of text to a file.
pub fn append(path: &Path, text: &str) {
    let old = std::fs::read_to_string(path).expect("read");
    std::fs::write(path, format!("{old}\n{text}\n")).expect("write");
}

/// The agreement text with `spraak` set in its `[avtale]` or `[felles.avtale]` table.
pub fn with_language(text: &str, lang: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("spraak") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if line.trim() == "[avtale]" || line.trim() == "[felles.avtale]" {
            out.push_str(&format!("spraak = \"{lang}\"\n"));
        }
    }
    out
}

/// A TOML value as JSON, for schema validation.
pub fn toml_to_json(v: &toml::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(t.iter().map(|(k, x)| (k.clone(), toml_to_json(x))).collect()),
    }
}

/// Lower-case hexadecimal SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `agreements/` copied with every agreement in `lang`.
pub fn examples_in(lang: &str, dir: &Path) {
    for entry in walkdir::WalkDir::new(root().join("agreements")) {
        let entry = entry.expect("walk");
        let rel = entry.path().strip_prefix(root().join("agreements")).expect("inside");
        let to = dir.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).expect("mkdir");
            continue;
        }
        let bytes = std::fs::read(entry.path()).expect("read");
        if entry.path().extension().is_some_and(|e| e == "toml") {
            let text = String::from_utf8(bytes).expect("utf-8");
            std::fs::write(&to, with_language(&text, lang)).expect("write");
        } else {
            std::fs::write(&to, bytes).expect("write");
        }
    }
}

/// The keys of a JSON diagnostic, contract version 1, in their order: the first eight from
/// the first release, the last three added after it.
pub const JSON_KEYS: [&str; 11] = [
    "code",
    "severity",
    "file",
    "line",
    "column",
    "path",
    "message",
    "help",
    "end_line",
    "end_column",
    "related",
];

/// `avtale sign` with the fixture PKCS#12 file of the signature tests (password `test`, see
/// tests/fixtures/signature/make.sh); the assertion of its run.
pub fn sign(input: &Path, field: &str, output: &Path) -> assert_cmd::assert::Assert {
    avtale()
        .env("AVTALE_TEST_P12", "test")
        .args(["sign", "--field", field, "--password-env", "AVTALE_TEST_P12", "--p12"])
        .arg(root().join("tests/fixtures/signature/rsa-signer.p12"))
        .arg("-o")
        .arg(output)
        .arg(input)
        .assert()
}
