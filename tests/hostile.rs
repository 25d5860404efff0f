//! The hostile-input corpus: input that is broken, huge, strange or malicious, templates
//! that try to leave their directory or never end, and file systems that refuse. Each case
//! must give a clear message and the documented exit status (0 fine, 1 an agreement has an
//! error, 2 the tool could not do its job); never a panic, a corrupt PDF or a partial one.
//!
//! Cases tested elsewhere, and not repeated here:
//! - invalid UTF-8 in an agreement file: `check::not_utf8_is_a_located_syntax_error`;
//! - a byte-order mark: `check::byte_order_mark_is_accepted`;
//! - CRLF line ends: `check::crlf_positions_match_lf_positions`,
//!   `check::segment_csv_with_crlf_points_at_the_cell`;
//! - a 50 MB agreement file for `check`: `check::huge_file_is_refused_quickly`;
//! - 10,000 nested arrays and inline tables: `check::deep_nesting_is_a_syntax_error`;
//! - a character no font has (emoji): `pdf::a_character_no_font_has_is_a_located_error`;
//! - a failed template leaves no file: `pdf::typst_errors_point_at_the_template_line_and_leave_no_file`;
//! - a killed build leaves a consistent manifest: `batch::an_interrupted_run_leaves_a_consistent_manifest`.

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output, Stdio};

use avtale::catalog::assets::Assets;
use avtale::document::{PdfSettings, Typesetter};
use avtale::input::load;
use serde_json::Value;

mod common;
use common::{append, catalogue, root, template_copy};

#[path = "../fuzz/src/literal.rs"]
mod literal;

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("avtale")
}

/// What one run of the binary gave.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn finished(out: Output) -> Run {
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        (0..=2).contains(&r.code) && !r.stderr.contains("panicked"),
        "exit {}: {}\n{}",
        r.code,
        r.stdout,
        r.stderr
    );
    r
}

fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    finished(common::english(bin()).args(args).output().expect("avtale runs"))
}

/// The diagnostics of a `--format json` run.
fn diags(r: &Run) -> Vec<Value> {
    r.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The 1-based column, in characters, of byte offset `at` in `line`.
fn column(line: &str, at: usize) -> u64 {
    line[..at].chars().count() as u64 + 1
}

fn field<'a>(d: &'a Value, key: &str) -> &'a Value {
    &d[key]
}

fn code_at(d: &Value) -> (String, u64, u64) {
    (
        field(d, "code").as_str().unwrap_or_default().to_string(),
        field(d, "line").as_u64().unwrap_or(0),
        field(d, "column").as_u64().unwrap_or(0),
    )
}

/// A TOML basic string holding `s` exactly.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const EXAMPLE: &str = "agreements/nordlys-sparebank.toml";
const EXAMPLE_ID: &str = "KA-2026-0021";
/// Where the consumer's name is in the example: line 15, column 8 (the value).
const NAME_LINE: &str = "navn = \"Nordlys Sparebank ASA\"";

/// The example agreement with the consumer's name replaced.
fn with_name(name: &str) -> String {
    let src = std::fs::read_to_string(root().join(EXAMPLE)).expect("example");
    assert!(src.contains(NAME_LINE));
    src.replacen(NAME_LINE, &format!("navn = {}", toml_string(name)), 1)
}

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// A complete PDF: header, the end marker and a line end, and lopdf can read it.
fn assert_whole_pdf(path: &Path) {
    let bytes = std::fs::read(path).expect("PDF");
    assert!(bytes.starts_with(b"%PDF-"), "{}", path.display());
    assert!(bytes.ends_with(b"%%EOF\n"), "{} is cut short", path.display());
    lopdf::Document::load_mem(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Build one agreement file into `out`.
fn build(file: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut cmd = common::english(bin());
    cmd.args(["build", "--format", "json", "-o"])
        .arg(out)
        .args(extra)
        .arg(file);
    finished(cmd.output().expect("avtale runs"))
}

/// Build the example with `name` as the consumer's name: exit 1, no PDF, and one
/// diagnostic of `code` at the name (line 15, column 8) whose message holds `what`.
fn assert_name_refused(name: &str, code: &str, what: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "a.toml", with_name(name));
    let out = dir.path().join("ut");
    let r = build(&f, &out, &[]);
    assert_eq!(r.code, 1, "{name:?}: {}{}", r.stdout, r.stderr);
    let d = diags(&r);
    assert_eq!(d.len(), 1, "{}", r.stdout);
    assert_eq!(code_at(&d[0]), (code.to_string(), 15, 8), "{name:?}");
    assert_eq!(field(&d[0], "path"), "virksomhet.navn");
    assert!(
        field(&d[0], "message").as_str().is_some_and(|m| m.contains(what)),
        "{name:?}: {}",
        r.stdout
    );
    assert!(!out.join(format!("{EXAMPLE_ID}.pdf")).exists());
}

// ---------------------------------------------------------------------------------------
// Bytes: invalid UTF-8, byte-order marks and NUL bytes in member CSVs and in values

/// A segment file beside a member CSV with the given bytes.
fn segment_with_csv(dir: &Path, csv: &[u8]) -> PathBuf {
    let seg = std::fs::read_to_string(root().join("agreements/segment-kommuner/kommuner.toml")).expect("segment");
    write(dir, "kommuner.csv", csv);
    write(dir, "kommuner.toml", seg)
}

fn example_csv() -> String {
    std::fs::read_to_string(root().join("agreements/segment-kommuner/kommuner.csv")).expect("csv")
}

#[test]
fn member_csv_bytes_invalid_utf8_bom_and_nul() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = example_csv();
    let line3 = csv.lines().nth(2).expect("a third line").to_string();

    // Invalid UTF-8 in row 3: a located csv-syntax error at the bad byte.
    let at = line3.find("Havnøy").expect("a name to spoil") + "Havn".len();
    let mut bad = Vec::new();
    for (i, l) in csv.lines().enumerate() {
        let mut b = l.as_bytes().to_vec();
        if i == 2 {
            b.splice(at..at, [0xFF, 0xFE]);
        }
        bad.extend(b);
        bad.push(b'\n');
    }
    let seg = segment_with_csv(dir.path(), &bad);
    let r = run(&["check", "--format", "json", seg.to_str().expect("UTF-8 path")]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let d = diags(&r);
    assert_eq!(d.len(), 1, "{}", r.stdout);
    assert_eq!(code_at(&d[0]), ("csv-syntax".into(), 3, column(&line3, at)));
    assert!(
        field(&d[0], "file")
            .as_str()
            .unwrap_or_default()
            .ends_with("kommuner.csv")
    );

    // A byte-order mark before the header: the first column is still known.
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend(csv.as_bytes());
    let seg = segment_with_csv(dir.path(), &with_bom);
    let r = run(&["check", "--deny-warnings", seg.to_str().expect("UTF-8 path")]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    // A NUL byte in a name passes the check but is refused by build, located at the cell.
    let nul = csv.replacen("Havnøy kommune", "Havnøy\0kommune", 1);
    let seg = segment_with_csv(dir.path(), nul.as_bytes());
    let out = dir.path().join("ut");
    let r = build(&seg, &out, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let d = diags(&r);
    let col = column(&line3, line3.find("Havnøy kommune").expect("name"));
    assert!(
        d.iter().any(|x| code_at(x) == ("unsupported-character".into(), 3, col)
            && field(x, "message").as_str().is_some_and(|m| m.contains("U+0000"))),
        "{}",
        r.stdout
    );
    // The other members are built.
    let pdfs: Vec<String> = names_in(&out).into_iter().filter(|n| n.ends_with(".pdf")).collect();
    assert_eq!(pdfs.len(), csv.lines().count() - 2, "{pdfs:?}");
}

#[test]
fn control_characters_in_values_are_located_errors_not_template_failures() {
    for (value, code_point) in [
        ("Nord\0lys", "U+0000"),
        ("Nord\u{1b}[31mlys", "U+001B"),
        ("Nord\u{7f}lys", "U+007F"),
        // Typst would read two of these as a paragraph break (found by `typst_escape`).
        ("Nord\u{2028}\u{2028}lys", "U+2028"),
        ("Nord\u{2029}lys", "U+2029"),
    ] {
        assert_name_refused(value, "unsupported-character", code_point);
    }
}

// ---------------------------------------------------------------------------------------
// Size: files over the limit, files that never end, deep nesting, 100,000 members

#[test]
fn oversized_and_endless_files_are_refused_at_the_stated_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A 50 MB agreement file (sparse: no time spent writing it) for build.
    let big = dir.path().join("stor.toml");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(50 * 1024 * 1024))
        .expect("sparse file");
    let out = dir.path().join("ut");
    let r = build(&big, &out, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("stor.toml is 50.0 MiB, over the limit of 4 MiB"),
        "{}",
        r.stderr
    );
    assert!(names_in(&out).iter().all(|n| !n.ends_with(".pdf")));

    // A file that never ends is read only up to the limit.
    if Path::new("/dev/zero").exists() {
        let r = run(&["check", "/dev/zero"]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("/dev/zero is over the limit of 4 MiB"),
            "{}",
            r.stderr
        );
    }

    // A member CSV over its limit of 64 MiB: a located error at `medlemmer`.
    let seg = segment_with_csv(dir.path(), b"");
    std::fs::OpenOptions::new()
        .write(true)
        .open(dir.path().join("kommuner.csv"))
        .and_then(|f| f.set_len(70 * 1024 * 1024))
        .expect("sparse CSV");
    let r = run(&["check", "--format", "json", seg.to_str().expect("UTF-8 path")]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let d = diags(&r);
    assert_eq!(code_at(&d[0]).0, "invalid-value");
    assert_eq!(field(&d[0], "path"), "medlemmer");
    assert!(
        field(&d[0], "message")
            .as_str()
            .is_some_and(|m| m.contains("over the limit of 64 MiB")),
        "{}",
        r.stdout
    );
}

#[test]
fn garbage_gives_a_bounded_number_of_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json_check = |path: &Path| {
        let r = run(&["check", "--format", "json", path.to_str().expect("UTF-8 path")]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        diags(&r)
    };
    let message = |d: &Value| field(d, "message").as_str().unwrap_or_default().to_string();

    // A TOML file of nothing but errors: the first 100, then how many more.
    let toml = write(dir.path(), "søppel.toml", "=\n".repeat(300));
    let d = json_check(&toml);
    assert_eq!(d.len(), 101, "{d:?}");
    assert!(d.iter().all(|x| code_at(x).0 == "toml-syntax"));
    assert!(
        message(&d[100]).ends_with("more syntax errors are not shown"),
        "{}",
        d[100]
    );

    let header = example_csv().lines().next().expect("header").to_string();
    let check_csv = |csv: String| json_check(&segment_with_csv(dir.path(), csv.as_bytes()));

    // More members than a segment may have: refused before any member is read.
    let d = check_csv(format!("{header}\n{}", "x\n".repeat(100_001)));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(code_at(&d[0]), ("csv-syntax".into(), 100_002, 1));
    assert!(message(&d[0]).contains("more than 100000 members"), "{}", d[0]);

    // A header wider than any member CSV can be.
    let d = check_csv(format!("{}\n", vec!["x"; 1_001].join(",")));
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(message(&d[0]).contains("1001 columns"), "{}", d[0]);

    // Malformed rows: the first 100, then one line for the rest.
    let d = check_csv(format!("{header}\n{}", "x,y\n".repeat(150)));
    let malformed: Vec<&Value> = d.iter().filter(|x| code_at(x).0 == "csv-syntax").collect();
    assert_eq!(malformed.len(), 101, "{d:?}");
    assert!(message(malformed[100]).contains("more than 100 malformed rows"));

    // A column name of a megabyte is unknown, without a suggestion (and without the time
    // it would take to compare it with every known column).
    let long = "k".repeat(1 << 20);
    let d = check_csv(format!(
        "{header},{long}\n{}{}\n",
        example_csv().lines().nth(1).expect("row"),
        ",x"
    ));
    let unknown: Vec<&Value> = d.iter().filter(|x| code_at(x).0 == "unknown-key").collect();
    assert_eq!(unknown.len(), 1, "{d:?}");
    // The unknown column starts after the header and its comma.
    assert_eq!(code_at(unknown[0]), ("unknown-key".into(), 1, header.len() as u64 + 2));
}

#[test]
fn ten_thousand_levels_of_dotted_tables_are_a_syntax_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = vec!["a"; 10_000].join(".");
    let header = write(dir.path(), "header.toml", format!("format = 1\n[{path}]\nx = 1\n"));
    let key = write(dir.path(), "key.toml", format!("format = 1\n{path} = 1\n"));
    for f in [header, key] {
        let r = run(&["check", "--format", "json", f.to_str().expect("UTF-8 path")]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        let d = diags(&r);
        assert!(
            !d.is_empty() && d.iter().all(|x| code_at(x).0 == "toml-syntax"),
            "{}",
            r.stdout
        );
    }
}

#[test]
fn a_segment_of_100_000_members_is_checked_with_the_bad_row_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = example_csv();
    let mut lines = csv.lines();
    let header = lines.next().expect("header");
    let row = lines.next().expect("a member");
    let (_, rest) = row.split_once(',').expect("id column");
    let mut text = String::with_capacity(100_000 * (row.len() + 8));
    text.push_str(header);
    text.push('\n');
    const BAD: usize = 77_777;
    let mut bad_row = String::new();
    for i in 0..100_000 {
        let row = if i == BAD {
            bad_row = format!("KA-H-{i:06},{}", rest.replacen(",8381,", ",83X1,", 1));
            bad_row.clone()
        } else {
            format!("KA-H-{i:06},{rest}")
        };
        text.push_str(&row);
        text.push('\n');
    }
    let seg = segment_with_csv(dir.path(), text.as_bytes());
    let r = run(&["check", "--format", "json", seg.to_str().expect("UTF-8 path")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("100000 agreements: 1 error"), "{}", r.stderr);
    let d = diags(&r);
    assert_eq!(d.len(), 1, "{}", r.stdout);
    // Row BAD is on line BAD + 2 (after the header, 1-based), at its postnummer cell.
    let col = column(&bad_row, bad_row.find(",83X1,").expect("postnummer") + 1);
    assert_eq!(code_at(&d[0]), ("postnummer".into(), BAD as u64 + 2, col));
}

// ---------------------------------------------------------------------------------------
// Text: very long names, right-to-left text, CJK and emoji, combining characters

/// A 5,000-character name of distinct words, so that any lost or repeated piece shows.
fn long_name() -> String {
    let mut s = String::new();
    let mut i = 0;
    while s.chars().count() < 5_000 {
        s.push_str(&format!("Sparebanken{i} "));
        i += 1;
    }
    s.chars().take(5_000).collect::<String>().trim_end().to_string()
}

#[test]
fn a_5000_character_name_wraps_and_stays_on_the_page() {
    let name = long_name();
    assert_eq!(name.chars().count(), 5_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "a.toml", with_name(&name));
    let cat = catalogue();
    let run_ = load::load(std::slice::from_ref(&f), &cat);
    let a = &run_.agreements[0];
    assert!(!a.has_errors(), "{:?}", a.diags);
    let r = Typesetter::new(Assets::Embedded, &PdfSettings::default()).expect("renderer");
    let (src, view, _) = r.source(&a.agreement, &cat, &|_| Vec::new()).expect("source");
    let (_, doc) = r
        .layout(src, view.dato_iso, avtale::document::view::terms_files(&view, &cat))
        .unwrap_or_else(|e| panic!("layout: {e}"));
    // Drawn, every page keeps its left and right margins free of ink: nothing reaches the
    // edge, let alone past it.
    for (i, page) in doc.pages().iter().enumerate() {
        let pixmap = typst_render::render(page, &typst_render::RenderOptions::default());
        let (w, h) = (pixmap.width(), pixmap.height());
        let margin = w / 20;
        for y in 0..h {
            for x in (0..margin).chain(w - margin..w) {
                let p = pixmap.pixel(x, y).expect("pixel");
                assert!(
                    p.alpha() == 0 || (p.red() > 250 && p.green() > 250 && p.blue() > 250),
                    "ink at ({x}, {y}) in the margin of page {}",
                    i + 1
                );
            }
        }
    }
    // The PDF holds the whole name, word by word in order (page headers and footers may
    // come between its words where it crosses a page).
    let built = r
        .build(&a.agreement, &cat, &|_| Vec::new())
        .unwrap_or_else(|e| panic!("build: {e}"));
    let text = pdf_extract::extract_text_from_mem(&built.pdf)
        .expect("text")
        .replace("-\n", "");
    let mut words = text.split_whitespace();
    for w in name.split_whitespace() {
        assert!(words.any(|t| t == w), "`{w}` of the name is missing from the PDF text");
    }
}

#[test]
fn a_5000_character_word_is_a_located_error_not_text_off_the_page() {
    assert_name_refused(
        &"N".repeat(5_000),
        "text-overflow",
        "a word of 5000 characters cannot be wrapped",
    );
}

#[test]
fn right_to_left_cjk_and_emoji_are_located_errors() {
    for (value, what) in [
        ("שלום בע״מ", "U+05E9"),
        ("شركة نورليس", "U+0634"),
        ("株式会社ノルドリス", "U+682A"),
        ("Nordlys 🏦 ASA", "U+1F3E6"),
        // A right-to-left override would print `Nordlys knab` reversed.
        ("Nordlys \u{202E}knab", "U+202E"),
        ("Nordlys \u{2067}ASA\u{2069}", "U+2067"),
    ] {
        assert_name_refused(value, "unsupported-character", what);
    }
}

#[test]
fn combining_characters_are_printed() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Decomposed å and é, and a letter under a stack of marks.
    let value = "A\u{30A}se Re\u{301}mi Z\u{336}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301} AS";
    let f = write(dir.path(), "a.toml", with_name(value));
    let out = dir.path().join("ut");
    let r = build(&f, &out, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let pdf = out.join(format!("{EXAMPLE_ID}.pdf"));
    assert_whole_pdf(&pdf);
    let text = pdf_extract::extract_text_from_mem(&std::fs::read(&pdf).expect("PDF")).expect("text");
    assert!(text.contains("A\u{30A}se Re\u{301}mi"), "decomposed letters kept");
}

// ---------------------------------------------------------------------------------------
// Paths and the output directory

#[test]
fn paths_with_spaces_and_non_ascii_letters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("avtaler med mellomrom/Ærlige Åsmund");
    std::fs::create_dir_all(&input).expect("mkdir");
    let good = input.join("nordlys æøå.toml");
    std::fs::copy(root().join(EXAMPLE), &good).expect("copy");
    let example = std::fs::read_to_string(root().join(EXAMPLE)).expect("example");
    write(
        &input,
        "feil ø.toml",
        example
            .replace("postnummer = \"9008\"", "postnummer = \"90\"")
            .replace(EXAMPLE_ID, "KA-2026-9999"),
    );
    let (line, text) = example
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("postnummer = \"9008\""))
        .expect("postnummer line");
    let col = column(text, text.find("\"9008\"").expect("value"));
    let out = dir.path().join("ut data/PDF-er for Ærø");
    let report = out.join("rapport ø.json");
    let r = finished(
        common::english(bin())
            .args(["build", "--format", "short", "-o"])
            .arg(&out)
            .arg("--report")
            .arg(&report)
            .arg(&input)
            .output()
            .expect("avtale runs"),
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    // The file name is given as it is, line and column after it.
    let bad = input.join("feil ø.toml");
    assert!(
        r.stdout
            .contains(&format!("{}:{}:{col}: error[postnummer]", bad.display(), line + 1)),
        "{}",
        r.stdout
    );
    assert_whole_pdf(&out.join(format!("{EXAMPLE_ID}.pdf")));
    let rep: Value = serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("JSON");
    assert_eq!(rep["built"], 1);
    assert!(
        rep["agreements"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["source"]["file"].as_str() == good.to_str()))
    );
}

#[test]
fn an_unwritable_output_directory_is_reported_before_any_build() {
    let dir = tempfile::tempdir().expect("tempdir");
    let locked = dir.path().join("låst");
    std::fs::create_dir(&locked).expect("mkdir");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    }
    // Permissions do not bind root; a directory of /proc refuses new files even to root.
    let target = if std::fs::write(locked.join("probe"), b"x").is_err() {
        locked.clone()
    } else {
        PathBuf::from("/proc/self/fdinfo")
    };
    assert!(
        std::fs::write(target.join("probe"), b"x").is_err(),
        "{} is writable",
        target.display()
    );
    let r = build(&root().join(EXAMPLE), &target, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("cannot write to output directory {}", target.display())),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("built 0, up to date 0, failed 1"), "{}", r.stderr);
}

#[test]
fn an_output_path_that_is_a_file_or_a_symlink() {
    let dir = tempfile::tempdir().expect("tempdir");
    let example = root().join(EXAMPLE);

    // -o names a file: refused, the file untouched.
    let file = write(dir.path(), "fil", "innhold");
    let r = build(&example, &file, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cannot write to output directory"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&file).expect("file"), "innhold");

    // -o names a symlink to a directory: the PDF lands in that directory.
    let real = dir.path().join("ekte");
    std::fs::create_dir(&real).expect("mkdir");
    let link = dir.path().join("lenke");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let r = build(&example, &link, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_whole_pdf(&real.join(format!("{EXAMPLE_ID}.pdf")));

    // The PDF's own path is a symlink to a file elsewhere: the link is replaced, the file
    // it pointed to is not written through.
    let out = dir.path().join("ut");
    std::fs::create_dir(&out).expect("mkdir");
    let victim = write(dir.path(), "offer.txt", "må ikke endres");
    let pdf = out.join(format!("{EXAMPLE_ID}.pdf"));
    std::os::unix::fs::symlink(&victim, &pdf).expect("symlink");
    let r = build(&example, &out, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "må ikke endres");
    assert!(std::fs::symlink_metadata(&pdf).expect("pdf").is_file());
    assert_whole_pdf(&pdf);

    // A symlink to an endless device, or a pipe, in the PDF's place never blocks the build.
    std::fs::remove_file(&pdf).expect("rm");
    std::os::unix::fs::symlink("/dev/zero", &pdf).expect("symlink");
    let r = build(&example, &out, &["--force"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_whole_pdf(&pdf);
    std::fs::remove_file(&pdf).expect("rm");
    let made = StdCommand::new("mkfifo").arg(&pdf).status().expect("mkfifo");
    assert!(made.success());
    let r = build(&example, &out, &["--force"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("it is not a regular file"), "{}", r.stderr);

    // A directory in the PDF's place is left alone.
    std::fs::remove_file(&pdf).expect("rm");
    std::fs::create_dir(&pdf).expect("mkdir");
    write(&pdf, "inni.txt", "x");
    let r = build(&example, &out, &["--force"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("it is a directory"), "{}", r.stderr);
    assert_eq!(names_in(&pdf), ["inni.txt"]);
    assert!(
        names_in(&out).iter().all(|n| !n.ends_with(".tmp")),
        "{:?}",
        names_in(&out)
    );
}

#[test]
fn a_full_disk_leaves_no_partial_pdf() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("ut");
    std::fs::create_dir(&out).expect("mkdir");
    // The process may write files of at most 64 KiB, far less than a PDF: every write
    // past that fails as on a full disk (with SIGXFSZ ignored, write returns EFBIG).
    let mut cmd = common::english(bin());
    cmd.args(["build", "--format", "json", "-o"])
        .arg(&out)
        .arg(root().join(EXAMPLE));
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: 64 * 1024,
                rlim_max: 64 * 1024,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let r = finished(
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .expect("runs"),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "cannot write {}",
            out.join(format!("{EXAMPLE_ID}.pdf")).display()
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("File too large"), "{}", r.stderr);
    assert!(names_in(&out).is_empty(), "left behind: {:?}", names_in(&out));
}

#[test]
fn two_builds_on_one_directory_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("ut");
    let a = ["nordlys-sparebank.toml", "fjellheim-pensjonskasse.toml"];
    let b = ["statens-kjoeretoeyetat.toml", "fjordvik-kommune.toml"];
    let spawn = |files: &[&str]| {
        common::english(bin())
            .args(["build", "--quiet", "-o"])
            .arg(&out)
            .args(files.iter().map(|f| root().join("agreements").join(f)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("avtale starts")
    };
    let (first, second) = (spawn(&a), spawn(&b));
    for child in [first, second] {
        let r = finished(child.wait_with_output().expect("avtale ends"));
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    // The manifest lists every PDF of both runs, each as it is on disk.
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join(".avtale-manifest.json")).expect("manifest")).expect("JSON");
    let entries = manifest["entries"].as_object().expect("entries");
    let pdfs: Vec<String> = names_in(&out).into_iter().filter(|n| n.ends_with(".pdf")).collect();
    assert_eq!(pdfs.len(), 4, "{pdfs:?}");
    assert_eq!(entries.len(), 4, "{manifest}");
    for (id, e) in entries {
        let path = out.join(format!("{id}.pdf"));
        assert_whole_pdf(&path);
        let bytes = std::fs::read(&path).expect("PDF");
        assert_eq!(e["size"].as_u64(), Some(bytes.len() as u64), "{id}");
        use sha2::Digest;
        let sha: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(e["sha256"].as_str(), Some(sha.as_str()), "{id}");
    }
    // Both runs' work is recorded: a third run has nothing to do.
    let mut cmd = common::english(bin());
    cmd.args(["build", "-o"])
        .arg(&out)
        .args(a.iter().chain(&b).map(|f| root().join("agreements").join(f)));
    let r = finished(cmd.output().expect("avtale runs"));
    assert!(r.stderr.contains("built 0, up to date 4, failed 0"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------
// Templates from the user: the sandbox and the limits

fn prepend(path: &Path, text: &str) {
    let old = std::fs::read_to_string(path).expect("template");
    std::fs::write(path, format!("{text}\n{old}")).expect("write");
}

/// Build the example with the templates in `tpl`; it must fail with exit 2 and leave no
/// file behind. Returns standard error.
fn refused_with(tpl: &Path, extra: &[&str]) -> String {
    let out = tempfile::tempdir().expect("tempdir");
    let mut args = vec!["--templates", tpl.to_str().expect("UTF-8 path")];
    args.extend(extra);
    let r = build(&root().join(EXAMPLE), out.path(), &args);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("root:x:0:0"), "file contents leaked: {}", r.stderr);
    assert!(
        names_in(out.path()).is_empty(),
        "left behind: {:?}",
        names_in(out.path())
    );
    r.stderr
}

#[test]
fn templates_cannot_read_outside_their_directory() {
    let secret = tempfile::tempdir().expect("tempdir");
    let secret_file = write(secret.path(), "hemmelig.txt", "root:x:0:0 hemmelig");
    for (how, set_up) in [
        ("relative path out", None),
        ("absolute path", None),
        ("symlinked file", Some("hemmelig.txt")),
        ("symlinked directory", Some("")),
    ] {
        let tpl = template_copy();
        let read = match (how, set_up) {
            ("relative path out", _) => "../".repeat(12) + secret_file.to_str().expect("UTF-8").trim_start_matches('/'),
            ("absolute path", _) => secret_file.to_str().expect("UTF-8").to_string(),
            ("symlinked file", _) => {
                std::os::unix::fs::symlink(&secret_file, tpl.path().join("lenke.txt")).expect("symlink");
                "lenke.txt".into()
            }
            _ => {
                std::os::unix::fs::symlink(secret.path(), tpl.path().join("mappe")).expect("symlink");
                "mappe/hemmelig.txt".into()
            }
        };
        append(
            &tpl.path().join("stil.typ"),
            &format!("#let lekk = read({read:?})\n#lekk"),
        );
        let err = refused_with(tpl.path(), &[]);
        assert!(err.contains("stil.typ:"), "{how}: {err}");
        assert!(
            err.contains("file not found") || err.contains("escape the project root"),
            "{how}: {err}"
        );
    }
}

#[test]
fn a_catalogue_cannot_name_terms_outside_its_directory() {
    let secret = tempfile::tempdir().expect("tempdir");
    let secret_file = write(secret.path(), "hemmelig.typ", "root:x:0:0 hemmelig");
    let terms = "vilkaar/iskr-2023-01.typ";
    for how in ["path out", "symlink out"] {
        let tpl = template_copy();
        let catalogue = tpl.path().join("katalog.toml");
        if how == "path out" {
            let text = std::fs::read_to_string(&catalogue).expect("catalogue");
            assert!(text.contains(terms));
            let outside = "../".repeat(12) + secret_file.to_str().expect("UTF-8").trim_start_matches('/');
            std::fs::write(&catalogue, text.replace(terms, &outside)).expect("write");
        } else {
            std::fs::remove_file(tpl.path().join(terms)).expect("rm");
            std::os::unix::fs::symlink(&secret_file, tpl.path().join(terms)).expect("symlink");
        }
        let r = run(&[
            "check".as_ref(),
            "--catalogue".as_ref(),
            catalogue.as_os_str(),
            root().join(EXAMPLE).as_os_str(),
        ]);
        assert_eq!(r.code, 2, "{how}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("the catalogue is broken"), "{how}: {}", r.stderr);
        assert!(
            r.stderr.contains("inside the template directory") || r.stderr.contains("points outside"),
            "{how}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("root:x:0:0"), "{how}: {}", r.stderr);
    }
}

#[test]
fn templates_cannot_load_packages_or_block_on_special_files() {
    let tpl = template_copy();
    append(&tpl.path().join("stil.typ"), "#import \"@preview/cetz:0.3.0\"");
    let err = refused_with(tpl.path(), &[]);
    assert!(err.contains("package not found"), "{err}");

    // A pipe would block a read forever; it is refused.
    let tpl = template_copy();
    let fifo = tpl.path().join("ror");
    assert!(StdCommand::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    append(&tpl.path().join("stil.typ"), "#read(\"ror\")");
    let err = refused_with(tpl.path(), &[]);
    assert!(err.contains("file not found"), "{err}");
}

#[test]
fn template_includes_stay_inside_the_directory() {
    let secret = tempfile::tempdir().expect("tempdir");
    let secret_file = write(secret.path(), "x.typ.j2", "root:x:0:0 hemmelig");
    for include in ["../x.typ.j2", secret_file.to_str().expect("UTF-8"), "lenke.typ.j2"] {
        let tpl = template_copy();
        std::os::unix::fs::symlink(&secret_file, tpl.path().join("lenke.typ.j2")).expect("symlink");
        prepend(
            &tpl.path().join("avtale.typ.j2"),
            &format!("{{% include {include:?} %}}"),
        );
        let err = refused_with(tpl.path(), &[]);
        assert!(err.contains("non-existing template"), "{include}: {err}");
    }
}

#[test]
fn a_template_that_never_ends_is_stopped() {
    // Typst: a loop of 10^10 steps, stopped by the time limit.
    let tpl = template_copy();
    append(
        &tpl.path().join("stil.typ"),
        "#for i in range(100000) { for j in range(100000) { } }",
    );
    let err = refused_with(tpl.path(), &["--time-limit", "1"]);
    assert!(
        err.contains(&format!("{EXAMPLE_ID}: the layout did not finish within 1 s")),
        "{err}"
    );
    assert!(err.contains("--time-limit"), "{err}");

    // Typst stops an endless while loop itself.
    let tpl = template_copy();
    append(&tpl.path().join("stil.typ"), "#while true { }");
    let err = refused_with(tpl.path(), &[]);
    assert!(
        err.contains("condition is always true") || err.contains("infinite"),
        "{err}"
    );

    // minijinja: a loop of 10^10 steps, stopped by the step limit.
    let tpl = template_copy();
    prepend(
        &tpl.path().join("avtale.typ.j2"),
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    );
    let err = refused_with(tpl.path(), &[]);
    assert!(err.contains("stopped after 10000000 steps"), "{err}");
}

#[test]
fn thousands_of_pages_are_refused() {
    let tpl = template_copy();
    append(
        &tpl.path().join("avtale.typ.j2"),
        "#for i in range(3000) [#i #pagebreak()]",
    );
    let err = refused_with(tpl.path(), &[]);
    assert!(
        err.contains(&format!("{EXAMPLE_ID}: the document has 30")) && err.contains("pages, over the limit of 500"),
        "{err}"
    );
    // The limit is a flag.
    let err = refused_with(root().join("templates").as_path(), &["--max-pages", "3"]);
    assert!(err.contains("over the limit of 3 (raise it with --max-pages)"), "{err}");
}

// ---------------------------------------------------------------------------------------
// Escaping, decided by Typst's parser (the fuzz target `typst_escape` explores further)

#[test]
fn escaping_is_literal_for_every_pair_of_special_characters() {
    // U+2028 and U+2029 (which Typst reads as line ends) are written as spaces; the build
    // also refuses them in values (see
    // `control_characters_in_values_are_located_errors_not_template_failures`).
    let special: Vec<char> = "\\#*_`$<>@[]=-+/~'\".:{}();,!?%&|^ \n\r\t\u{0}\u{85}\u{a0}\u{feff}\u{2028}\u{2029}aZ1h"
        .chars()
        .collect();
    let mut tried = 0;
    for a in &special {
        for b in &special {
            for value in [
                format!("{a}{b}"),
                format!("{a}{b}{a}"),
                format!("x{a}{b} 1. https://{a}"),
            ] {
                literal::check_string(&value).unwrap_or_else(|e| panic!("{e}"));
                literal::check_markup(&value).unwrap_or_else(|e| panic!("{e}"));
                tried += 1;
            }
        }
    }
    assert!(tried > 3 * 42 * 42);
}

#[test]
fn fuzz_regressions_parse_without_panic() {
    // Inputs the fuzz targets found or that stress the same paths; each must give
    // diagnostics inside its file.
    let dir = root().join("tests/fixtures/hostile/fuzz");
    let cat = catalogue();
    let mut n = 0;
    for e in std::fs::read_dir(&dir).expect("fuzz fixtures") {
        let path = e.expect("entry").path();
        let bytes = std::fs::read(&path).expect("fixture");
        let run_ = load::load_bytes(&path, &bytes, &cat);
        for d in run_.all_diags() {
            let text = run_.sources.text(d.loc.file);
            assert!(
                d.loc.span.end <= text.len() && text.is_char_boundary(d.loc.span.start),
                "{}: {d:?}",
                path.display()
            );
        }
        n += 1;
    }
    assert!(n > 0);
}
