//! Golden tests: the observable behaviour of every subcommand, pinned as snapshots in
//! `tests/snapshots/` — standard output, standard error and exit status over the fixtures
//! and the shipped examples, every `--help` text, and the SHA-256 of every PDF built from
//! `agreements/` in bokmål, nynorsk and English.
//!
//! A change to any of them is a change of the command contract or of the output bytes; it
//! must be made on purpose (`cargo insta review`, or `INSTA_UPDATE=always cargo test --test
//! golden`) and said in the commit.

mod common;

use std::path::{Path, PathBuf};

use common::{avtale, examples_in, root, sha256_hex};

/// Output of one command, normalised so that it is the same on every machine: the
/// temporary directory is written `<TMP>` and durations `<T>`.
fn shown(args: &[&str], tmp: Option<&Path>) -> String {
    let out = avtale().current_dir(root()).args(args).output().expect("run avtale");
    let norm = |bytes: &[u8]| normalise(&String::from_utf8_lossy(bytes), tmp);
    format!(
        "$ avtale {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" ")
            .replace(&tmp.map(|t| t.display().to_string()).unwrap_or("\u{0}".into()), "<TMP>"),
        out.status.code().map_or("signal".to_string(), |c| c.to_string()),
        norm(&out.stdout),
        norm(&out.stderr),
    )
}

fn normalise(text: &str, tmp: Option<&Path>) -> String {
    let mut s = text.to_string();
    if let Some(t) = tmp {
        s = s.replace(&t.display().to_string(), "<TMP>");
    }
    // Durations: "in 0.42 s" and `"seconds": 0.42`; the report's workers, which depend on
    // the machine's cores.
    let mut out = String::new();
    let mut in_workers = false;
    for line in s.lines() {
        if in_workers && !line.trim_start().starts_with('}') {
            let key = line.split(':').next().unwrap_or_default();
            let comma = if line.ends_with(',') { "," } else { "" };
            out.push_str(&format!("{key}: <W>{comma}\n"));
            continue;
        }
        in_workers = line.trim_start().starts_with("\"workers\": {");
        out.push_str(&mask_durations(line));
        out.push('\n');
    }
    if !s.is_empty() && !s.ends_with('\n') {
        out.push_str("<no newline at end>\n");
    }
    out
}

fn mask_durations(line: &str) -> String {
    for (prefix, suffix) in [(" in ", " s"), ("\"seconds\": ", "")] {
        if let Some(i) = line.find(prefix) {
            let start = i + prefix.len();
            let rest = &line[start..];
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-'))
                .unwrap_or(rest.len());
            if end > 0 && rest[end..].starts_with(suffix) && rest[..end].contains(|c: char| c.is_ascii_digit()) {
                return format!("{}<T>{}", &line[..start], &rest[end..]);
            }
        }
    }
    line.to_string()
}

/// The build's per-document lines come in the order the workers finish: sort them.
fn sorted_lines(text: String) -> String {
    let (head, body) = text.split_once("--- stderr\n").expect("stderr section");
    let mut lines: Vec<&str> = body.lines().collect();
    lines.sort_unstable();
    format!("{head}--- stderr\n{}\n", lines.join("\n"))
}

const SUBCOMMANDS: [&str; 14] = [
    "check",
    "build",
    "render",
    "extract",
    "verify",
    "diff",
    "impact",
    "schema",
    "new",
    "completions",
    "man",
    "sign",
    "watch",
    "serve",
];

#[test]
fn help_texts() {
    let mut all = shown(&["--help"], None);
    all += &shown(&["--version"], None);
    all += &shown(&[], None);
    for sub in SUBCOMMANDS {
        all += &shown(&[sub, "--help"], None);
    }
    all += &shown(&["nonsense"], None);
    all += &shown(&["check", "--no-such-flag"], None);
    insta::assert_snapshot!("help", all);
}

/// Every check fixture (file or directory case) with every diagnostic format.
#[test]
fn check_fixtures_in_every_format() {
    let dir = root().join("tests/fixtures/check");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut all = String::new();
    for name in names {
        let path = format!("tests/fixtures/check/{name}");
        for format in ["human", "short", "json", "github"] {
            all += &shown(&["check", "--color", "never", "--format", format, &path], None);
        }
    }
    insta::assert_snapshot!("check_fixtures", all);
}

#[test]
fn check_examples_and_flags() {
    let mut all = String::new();
    for format in ["human", "short", "json", "github"] {
        all += &shown(&["check", "--format", format, "agreements"], None);
    }
    for args in [
        &["check", "--deny-warnings", "tests/fixtures/check/terms-superseded.toml"][..],
        &[
            "check",
            "tests/fixtures/check/postnummer.toml",
            "agreements/nordlys-sparebank.toml",
        ],
        &["check", "no/such/path.toml"],
        &["check", "--catalogue", "no/such/katalog.toml", "agreements"],
        &["check", "--templates", "no/such/dir", "agreements"],
        &[
            "check",
            "--format",
            "human",
            "--color",
            "always",
            "tests/fixtures/check/postnummer.toml",
        ],
        &["check", "--format", "json", "tests/fixtures/hostile"],
    ] {
        all += &shown(args, None);
    }
    insta::assert_snapshot!("check_examples", all);
}

/// The name and SHA-256 of every PDF in `dir`, sorted.
fn pdf_hashes(dir: &Path) -> String {
    if !dir.exists() {
        return "(no output directory)\n".into();
    }
    let mut rows: Vec<String> = std::fs::read_dir(dir)
        .expect("output dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read pdf");
            format!(
                "{} {} {}",
                sha256_hex(&bytes),
                bytes.len(),
                p.file_name().expect("name").to_string_lossy()
            )
        })
        .collect();
    rows.sort_by(|a, b| a.split(' ').nth(2).cmp(&b.split(' ').nth(2)));
    rows.join("\n") + "\n"
}

#[test]
fn built_pdfs_in_three_languages() {
    let mut all = String::new();
    for lang in ["nb", "nn", "en"] {
        let tmp = tempfile::tempdir().expect("tmp");
        let src = tmp.path().join("agreements");
        let out = tmp.path().join("out");
        examples_in(lang, &src);
        let run = shown(
            &["build", "-o", &out.display().to_string(), &src.display().to_string()],
            Some(tmp.path()),
        );
        all += &format!("## {lang}\n{}{}", sorted_lines(run), pdf_hashes(&out));
    }
    insta::assert_snapshot!("pdf_hashes", all);
}

#[test]
fn build_variants_and_report() {
    let tmp = tempfile::tempdir().expect("tmp");
    let t = tmp.path().display().to_string();
    let mut all = String::new();
    let one = "agreements/fjordvik-kommune.toml";
    for (name, flags) in [
        ("plain", &[][..]),
        ("no-attachments", &["--no-attachments"][..]),
        ("no-fields", &["--no-signature-fields"][..]),
        ("a-2b", &["--pdf-standard", "a-2b"][..]),
        ("a-2b-plain", &["--pdf-standard", "a-2b", "--no-attachments"][..]),
        ("pdf-2", &["--pdf-standard", "2.0"][..]),
    ] {
        let out = format!("{t}/{name}");
        let mut args = vec!["build", "-o", &out];
        args.extend_from_slice(flags);
        args.push(one);
        all += &shown(&args, Some(tmp.path()));
        all += &pdf_hashes(Path::new(&out));
    }
    // Up to date, forced, sharded, with a report.
    let out = format!("{t}/plain");
    all += &sorted_lines(shown(&["build", "-o", &out, one], Some(tmp.path())));
    all += &shown(&["build", "-q", "--force", "-o", &out, one], Some(tmp.path()));
    let report = format!("{t}/report.json");
    let sharded = format!("{t}/shard");
    all += &sorted_lines(shown(
        &[
            "build",
            "-q",
            "--shard",
            "2/3",
            "--report",
            &report,
            "-o",
            &sharded,
            "agreements",
        ],
        Some(tmp.path()),
    ));
    all += &normalise(&std::fs::read_to_string(&report).expect("report"), Some(tmp.path()));
    all += &pdf_hashes(Path::new(&sharded));
    all += &shown(&["build", "--shard", "0/3", "agreements"], None);
    all += &shown(
        &[
            "build",
            "-o",
            &format!("{t}/bad"),
            "tests/fixtures/check/postnummer.toml",
        ],
        Some(tmp.path()),
    );
    std::fs::write(tmp.path().join("file"), b"x").expect("write");
    all += &shown(&["build", "-o", &format!("{t}/file"), one], Some(tmp.path()));
    insta::assert_snapshot!("build_variants", all);
}

#[test]
fn render_every_format() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut all = String::new();
    let files = [
        "agreements/fjordvik-kommune.toml",
        "agreements/nordlys-sparebank.toml",
        "agreements/statens-kjoeretoeyetat.toml",
        "agreements/fjellheim-pensjonskasse.toml",
    ];
    for file in files {
        for format in ["typst", "text", "json"] {
            all += &shown(&["render", "--format", format, file], None);
        }
    }
    let seg = "agreements/segment-kommuner/kommuner.toml";
    for format in ["typst", "text", "json"] {
        all += &shown(&["render", "--format", format, "--id", "KA-2026-S003", seg], None);
    }
    all += &shown(&["render", "--id", "NO-SUCH-ID", seg], None);
    all += &shown(&["render", "tests/fixtures/check/postnummer.toml"], None);
    let png = tmp.path().join("png");
    all += &shown(
        &["render", "--format", "png", "-o", &png.display().to_string(), files[1]],
        Some(tmp.path()),
    );
    let mut pngs: Vec<PathBuf> = std::fs::read_dir(&png)
        .expect("png")
        .map(|e| e.expect("e").path())
        .collect();
    pngs.sort();
    for p in pngs {
        all += &format!(
            "{} {}\n",
            sha256_hex(&std::fs::read(&p).expect("read")),
            p.file_name().expect("n").to_string_lossy()
        );
    }
    insta::assert_snapshot!("render", all);
}

#[test]
fn extract_verify_diff_impact() {
    let tmp = tempfile::tempdir().expect("tmp");
    let t = tmp.path().display().to_string();
    let mut all = String::new();
    let out = format!("{t}/out");
    let seg_out = format!("{t}/seg");
    all += &shown(
        &["build", "-q", "-o", &out, "agreements/nordlys-sparebank.toml"],
        Some(tmp.path()),
    );
    all += &shown(
        &["build", "-q", "-o", &seg_out, "agreements/segment-kommuner"],
        Some(tmp.path()),
    );
    let pdf = format!("{out}/KA-2026-0007.pdf");
    let pdf = if Path::new(&pdf).exists() {
        pdf
    } else {
        std::fs::read_dir(&out)
            .expect("out")
            .map(|e| e.expect("e").path())
            .find(|p| p.extension().is_some_and(|e| e == "pdf"))
            .expect("a pdf")
            .display()
            .to_string()
    };
    let member = format!("{seg_out}/KA-2026-S003.pdf");
    let ex = format!("{t}/extracted");
    all += &shown(&["extract", "-o", &ex, &pdf], Some(tmp.path()));
    all += &shown(&["extract", "-o", &ex, &pdf], Some(tmp.path()));
    all += &shown(&["extract", "-o", &format!("{t}/member"), &member], Some(tmp.path()));
    for format in ["human", "json"] {
        all += &shown(&["verify", "--format", format, &pdf], Some(tmp.path()));
        all += &shown(
            &["verify", "--format", format, "--preflight", "posten", &pdf],
            Some(tmp.path()),
        );
        all += &shown(&["verify", "--format", format, &member], Some(tmp.path()));
    }
    all += &shown(
        &["verify", "--agreement", "agreements/fjordvik-kommune.toml", &pdf],
        Some(tmp.path()),
    );
    all += &shown(&["verify", "no/such.pdf"], None);
    all += &shown(&["verify", "agreements/nordlys-sparebank.toml"], None);

    // diff: an edited copy.
    let old = "agreements/nordlys-sparebank.toml";
    let text = std::fs::read_to_string(root().join(old)).expect("read");
    let edited = text
        .replacen("delingsvilkaar = \"2022-05\"", "delingsvilkaar = \"2020-06\"", 1)
        .replacen("testdata = true", "testdata = true\n# a comment", 1);
    let new = format!("{t}/nordlys-endret.toml");
    std::fs::write(&new, edited).expect("write");
    for format in ["human", "json"] {
        all += &shown(&["diff", "--format", format, old, &new], Some(tmp.path()));
        all += &shown(
            &["diff", "--format", format, old, "agreements/fjordvik-kommune.toml"],
            None,
        );
        all += &shown(&["diff", "--format", format, old, old], None);
    }
    all += &shown(&["diff", old, "no/such.toml"], None);
    for format in ["human", "json"] {
        all += &shown(&["impact", "--format", format, "agreements"], None);
        all += &shown(
            &["impact", "--format", format, "--terms", "iskr@2023-01", "agreements"],
            None,
        );
        all += &shown(
            &[
                "impact",
                "--format",
                format,
                "--service",
                "inntekt",
                "--package",
                "sbl",
                "agreements",
            ],
            None,
        );
    }
    all += &shown(&["impact", "--terms", "nonsense", "agreements"], None);
    insta::assert_snapshot!("extract_verify_diff_impact", all);
}

#[test]
fn schema_new_completions_man() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut all = shown(&["schema"], None);
    all += &shown(
        &[
            "new",
            "--orgnr",
            "974760673",
            "--navn",
            "Fjordvik kommune",
            "--dato",
            "2026-01-15",
        ],
        None,
    );
    all += &shown(
        &[
            "new",
            "--orgnr",
            "974760673",
            "--navn",
            "Nordlys Sparebank",
            "--tjeneste",
            "inntekt",
            "--id",
            "KA-2026-0100",
            "--segment",
            "--dato",
            "2026-01-15",
        ],
        None,
    );
    all += &shown(
        &[
            "new",
            "--orgnr",
            "1",
            "--navn",
            "X",
            "--tjeneste",
            "nope",
            "--dato",
            "2026-01-15",
        ],
        None,
    );
    let target = tmp.path().join("ny.toml").display().to_string();
    for _ in 0..2 {
        all += &shown(
            &[
                "new",
                "--orgnr",
                "974760673",
                "--navn",
                "X",
                "--dato",
                "2026-01-15",
                "-o",
                &target,
            ],
            Some(tmp.path()),
        );
    }
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        all += &shown(&["completions", shell], None);
    }
    all += &shown(&["man"], None);
    insta::assert_snapshot!("schema_new_completions_man", all);
}
