//! Member lists as segment owners keep them: `;`-separated CSV from Norwegian Excel, CSV in
//! Windows-1252, and Excel workbooks (.xlsx) read directly.
//!
//! Every variant is made here from the shipped example `agreements/segment-kommuner/` (or the
//! check fixture with two bad cells), so that it reads exactly the same members. The workbooks
//! are written with `rust_xlsxwriter`; there are no binary fixtures.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;

mod common;
use common::{avtale, catalogue, root};

const EXAMPLE: &str = "agreements/segment-kommuner";
/// The check fixture whose CSV has a bad e-mail (row 2) and a bad check digit (row 3).
const BAD: &str = "tests/fixtures/check/segment-csv";

// ---------------------------------------------------------------------------------------
// Helpers

/// `avtale check --format json PATH`: exit code, stderr and the diagnostics.
fn check_json(path: &Path) -> (i32, String, Vec<Value>) {
    let out = avtale()
        .args(["check", "--format", "json"])
        .arg(path)
        .output()
        .expect("run avtale");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 stdout");
    let diags = stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let code = out.status.code().expect("not killed by a signal");
    (code, String::from_utf8_lossy(&out.stderr).into_owned(), diags)
}

fn s<'a>(d: &'a Value, key: &str) -> &'a str {
    d[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string in {d}"))
}

fn line_col(d: &Value) -> (u64, u64) {
    (d["line"].as_u64().expect("line"), d["column"].as_u64().expect("column"))
}

fn find<'a>(diags: &'a [Value], code: &str) -> &'a Value {
    diags
        .iter()
        .find(|d| s(d, "code") == code)
        .unwrap_or_else(|| panic!("no `{code}` diagnostic in {diags:#?}"))
}

/// 1-based line and column (in characters) of the first `needle` in `text`.
fn position_of(text: &str, needle: &str) -> (u64, u64) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the text"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line as u64, col as u64)
}

/// The rows of a comma CSV.
fn rows_of(csv_path: &str) -> Vec<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(root().join(csv_path))
        .expect("read CSV");
    rdr.records()
        .map(|r| r.expect("record").iter().map(str::to_string).collect())
        .collect()
}

/// The rows written as CSV with `delimiter` (quoting only where needed).
fn csv_text(rows: &[Vec<String>], delimiter: u8) -> String {
    let mut w = csv::WriterBuilder::new().delimiter(delimiter).from_writer(Vec::new());
    for r in rows {
        w.write_record(r).expect("write");
    }
    String::from_utf8(w.into_inner().expect("flush")).expect("UTF-8")
}

/// A copy of the segment file of `dir` in `to`, its `medlemmer` line replaced by `list_lines`.
fn segment_file(dir: &str, to: &Path, list_lines: &str) -> PathBuf {
    let text = std::fs::read_to_string(root().join(dir).join("kommuner.toml")).expect("read segment file");
    let old = text
        .lines()
        .find(|l| l.starts_with("medlemmer"))
        .expect("the segment file names its members");
    let f = to.join("kommuner.toml");
    std::fs::write(&f, text.replacen(old, list_lines, 1)).expect("write");
    f
}

/// Ids of the agreements loaded from `path` and the row each came from, with the number of
/// errors among them.
fn loaded(path: &Path) -> (Vec<(String, usize)>, usize) {
    let run = avtale::input::load::load(&[path.to_path_buf()], &catalogue());
    let ids = run
        .agreements
        .iter()
        .map(|a| {
            let id = a.agreement.avtale.id.as_ref().map(|i| i.v.clone()).unwrap_or_default();
            (id, a.origin.csv_row.as_ref().map_or(0, |r| r.1))
        })
        .collect();
    let errors = run.agreements.iter().filter(|a| a.has_errors()).count() + run.file_diags.len();
    (ids, errors)
}

/// Which columns hold numbers and dates in the workbooks, as Excel keeps them.
fn is_number_column(name: &str) -> bool {
    matches!(
        name,
        "virksomhet.organisasjonsnummer" | "virksomhet.postadresse.postnummer"
    )
}

/// A workbook with the rows on a sheet named `sheet` (after an `Info` sheet when `after_info`):
/// organisation numbers and postcodes as numbers, and a `avtale.gyldig_fra` column of dates.
fn workbook(rows: &[Vec<String>], sheet: &str, after_info: bool) -> Vec<u8> {
    let mut wb = Workbook::new();
    if after_info {
        let info = wb.add_worksheet();
        info.set_name("Info").expect("name");
        info.write_string(0, 0, "Medlemmer i kommunal sektor, eksportert fra Excel")
            .expect("write");
    }
    let ws = wb.add_worksheet();
    ws.set_name(sheet).expect("name");
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let extra = rows[0].len() as u16;
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            if cell.is_empty() {
                continue;
            }
            match cell.parse::<f64>() {
                Ok(n) if r > 0 && is_number_column(&rows[0][c as usize]) => ws.write_number(r, c, n),
                _ => ws.write_string(r, c, cell),
            }
            .expect("write");
        }
        if r == 0 {
            ws.write_string(0, extra, "avtale.gyldig_fra").expect("write");
        } else {
            let d = ExcelDateTime::from_ymd(2026, 5, 1).expect("date");
            ws.write_datetime_with_format(r, extra, d, &date).expect("write");
        }
    }
    wb.save_to_buffer().expect("xlsx")
}

// ---------------------------------------------------------------------------------------
// 1. `;`-separated CSV

#[test]
fn semicolon_csv_gives_the_same_agreements_as_the_comma_csv() {
    let (want, errors) = loaded(&root().join(EXAMPLE).join("kommuner.toml"));
    assert_eq!(want.len(), 26);
    assert_eq!(errors, 0);

    let rows = rows_of(&format!("{EXAMPLE}/kommuner.csv"));
    let semi = csv_text(&rows, b';');
    assert!(semi.lines().next().unwrap().contains("avtale.id;virksomhet.navn;"));
    assert!(
        semi.contains(";Rådhuset, Havnegata 2;"),
        "commas need no quotes with `;`"
    );
    for declared in [
        "medlemmer = \"kommuner.csv\"",
        "medlemmer = \"kommuner.csv\"\nskilletegn = \";\"",
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("kommuner.csv"), &semi).expect("write");
        let seg = segment_file(EXAMPLE, dir.path(), declared);
        assert_eq!(loaded(&seg), (want.clone(), 0), "{declared}");
        let (code, stderr, diags) = check_json(&seg);
        assert_eq!((code, diags.len()), (0, 0), "{declared}: {diags:#?}");
        assert!(stderr.contains("26 agreements: 0 errors"), "{stderr}");
    }
}

#[test]
fn semicolon_csv_problems_point_at_the_csv_cell() {
    let rows = rows_of(&format!("{BAD}/medlemmer.csv"));
    let mut semi = csv_text(&rows, b';');
    // A quoted cell with the separator in it, before the bad e-mail on the same row.
    semi = semi.replacen(";Lise Marie Bakken;", ";\"Bakken; Lise Marie\";", 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let csv_path = dir.path().join("medlemmer.csv");
    std::fs::write(&csv_path, &semi).expect("write");
    let seg = segment_file(BAD, dir.path(), "medlemmer = \"medlemmer.csv\"");
    let (code, stderr, diags) = check_json(&seg);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("3 agreements: 2 errors"), "{stderr}");
    assert_eq!(diags.len(), 2, "{diags:#?}");

    let email = find(&diags, "email");
    assert_eq!(s(email, "file"), csv_path.to_str().unwrap());
    assert_eq!(s(email, "path"), "kontakt.forretning.epost");
    assert_eq!(line_col(email), position_of(&semi, "lise.bakken(at)havnoy"));
    // One character left of where it is in the comma file (163): the four quotes around the
    // address and the title went, two around the name came, and the name grew by a `;`.
    assert_eq!(line_col(email), (3, 162));

    let orgnr = find(&diags, "orgnr-checksum");
    assert_eq!(line_col(orgnr), position_of(&semi, "316987169"));
    assert_eq!(line_col(orgnr), (4, 31));
}

#[test]
fn a_declared_separator_that_does_not_split_the_header_is_an_error() {
    let rows = rows_of(&format!("{EXAMPLE}/kommuner.csv"));
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("kommuner.csv"), csv_text(&rows, b';')).expect("write");
    let seg = segment_file(EXAMPLE, dir.path(), "medlemmer = \"kommuner.csv\"\nskilletegn = \",\"");
    let (code, _, diags) = check_json(&seg);
    assert_eq!(code, 1);
    let d = find(&diags, "csv-syntax");
    assert!(s(d, "message").contains("separated by `;`"), "{d}");
    assert!(s(d, "help").contains("skilletegn = \";\""), "{d}");

    let seg = segment_file(EXAMPLE, dir.path(), "medlemmer = \"kommuner.csv\"\nskilletegn = \"|\"");
    let (code, _, diags) = check_json(&seg);
    assert_eq!(code, 1);
    let d = find(&diags, "invalid-value");
    assert_eq!(s(d, "path"), "skilletegn");
    assert_eq!(line_col(d), (7, 14), "at the value in the segment file");
}

// ---------------------------------------------------------------------------------------
// 2. Windows-1252

#[test]
fn windows_1252_csv_is_a_located_error_that_says_how_to_save_it() {
    let text = std::fs::read_to_string(root().join(EXAMPLE).join("kommuner.csv")).expect("read");
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    let dir = tempfile::tempdir().expect("tempdir");
    let csv_path = dir.path().join("kommuner.csv");
    std::fs::write(&csv_path, &bytes).expect("write");
    let seg = segment_file(EXAMPLE, dir.path(), "medlemmer = \"kommuner.csv\"");
    let (code, stderr, diags) = check_json(&seg);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("0 agreements"),
        "nothing is read from a guessed encoding: {stderr}"
    );
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(s(d, "code"), "csv-syntax");
    assert_eq!(s(d, "file"), csv_path.to_str().unwrap());
    // The `ø` of `Bjørkevik` on the first member's row.
    assert_eq!(line_col(d), (2, 16));
    assert_eq!(line_col(d), position_of(&text, "ø"));
    let message = s(d, "message");
    for part in [
        "not UTF-8",
        "0xF8",
        "«ø» in Windows-1252",
        "«Bjørkevik kommune»",
        "Lagre som → CSV UTF-8 (kommadelt)",
    ] {
        assert!(message.contains(part), "`{part}` missing: {message}");
    }
    let help = s(d, "help");
    assert!(help.contains("«CSV UTF-8 (kommadelt) (*.csv)»"), "{help}");
    assert!(
        help.contains("File → Save As → «CSV UTF-8 (Comma delimited) (*.csv)»"),
        "{help}"
    );
}

// ---------------------------------------------------------------------------------------
// 3. Excel workbooks

#[test]
fn xlsx_gives_the_same_agreements_as_the_csv_with_numbers_and_dates_as_excel_keeps_them() {
    let (want, _) = loaded(&root().join(EXAMPLE).join("kommuner.toml"));
    let rows = rows_of(&format!("{EXAMPLE}/kommuner.csv"));
    for (sheet, after_info, lines) in [
        ("Ark1", false, "medlemmer = \"kommuner.xlsx\""),
        ("Medlemmer", true, "medlemmer = \"kommuner.xlsx\"\nark = \"Medlemmer\""),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("kommuner.xlsx"), workbook(&rows, sheet, after_info)).expect("write");
        let seg = segment_file(EXAMPLE, dir.path(), lines);
        let (code, stderr, diags) = check_json(&seg);
        assert_eq!((code, diags.len()), (0, 0), "{sheet}: {stderr} {diags:#?}");
        assert_eq!(loaded(&seg), (want.clone(), 0), "the row numbers are the CSV's lines");

        let run = avtale::input::load::load(std::slice::from_ref(&seg), &catalogue());
        let first = &run.agreements[0].agreement;
        let orgnr = first.virksomhet.organisasjonsnummer.as_ref().expect("orgnr");
        assert_eq!(orgnr.v, "345568158", "a number cell without `.0`");
        let from = first.avtale.gyldig_fra.as_ref().expect("gyldig_fra");
        assert_eq!(from.v.to_string(), "2026-05-01", "a date cell as a date");
    }
}

#[test]
fn xlsx_problems_point_at_the_sheet_row_and_cell() {
    let rows = rows_of(&format!("{BAD}/medlemmer.csv"));
    let dir = tempfile::tempdir().expect("tempdir");
    let xlsx = dir.path().join("medlemmer.xlsx");
    std::fs::write(&xlsx, workbook(&rows, "Medlemmer", true)).expect("write");
    let seg = segment_file(BAD, dir.path(), "medlemmer = \"medlemmer.xlsx\"\nark = \"Medlemmer\"");
    let (code, stderr, diags) = check_json(&seg);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("3 agreements: 2 errors"), "{stderr}");
    assert_eq!(diags.len(), 2, "{diags:#?}");

    // The e-mail is in column K of row 3; the line is the row, the column the place in
    // the row's cells written out with tabs between them.
    let email = find(&diags, "email");
    assert_eq!(s(email, "file"), xlsx.to_str().unwrap());
    assert_eq!(s(email, "path"), "kontakt.forretning.epost");
    assert!(s(email, "message").starts_with("ark Medlemmer, celle K3: "), "{email}");
    let row3 = rows[2][..10].iter().map(|c| c.chars().count() + 1).sum::<usize>() + 1;
    assert_eq!(line_col(email), (3, row3 as u64));

    // The organisation number is a number cell (C4) with a wrong check digit.
    let orgnr = find(&diags, "orgnr-checksum");
    assert!(s(orgnr, "message").starts_with("ark Medlemmer, celle C4: "), "{orgnr}");
    assert!(s(orgnr, "message").contains("316987169"), "{orgnr}");
    let row4 = rows[3][..2].iter().map(|c| c.chars().count() + 1).sum::<usize>() + 1;
    assert_eq!(line_col(orgnr), (4, row4 as u64));

    // The human form shows the sheet and cell too.
    let out = avtale().arg("check").arg(&seg).output().expect("run");
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("ark Medlemmer, celle K3"), "{human}");
}

#[test]
fn xlsx_header_problems_and_unknown_sheets_are_located() {
    let mut rows = rows_of(&format!("{EXAMPLE}/kommuner.csv"));
    rows[0][1] = "virksomhet.navnet".into();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("kommuner.xlsx"), workbook(&rows, "Medlemmer", true)).expect("write");

    let seg = segment_file(
        EXAMPLE,
        dir.path(),
        "medlemmer = \"kommuner.xlsx\"\nark = \"Medlemmer\"",
    );
    let (_, _, diags) = check_json(&seg);
    let d = find(&diags, "unknown-key");
    assert!(
        s(d, "message").starts_with("ark Medlemmer, celle B1: unknown column"),
        "{d}"
    );
    assert_eq!(s(d, "help"), "did you mean `virksomhet.navn`?");
    assert_eq!(line_col(d), (1, 11));

    let seg = segment_file(EXAMPLE, dir.path(), "medlemmer = \"kommuner.xlsx\"\nark = \"Medlemer\"");
    let (code, _, diags) = check_json(&seg);
    assert_eq!(code, 1);
    let d = find(&diags, "invalid-value");
    assert_eq!(s(d, "file"), seg.to_str().unwrap());
    assert_eq!(line_col(d), (7, 7));
    assert!(s(d, "message").contains("no sheet named `Medlemer`"), "{d}");
    assert_eq!(
        s(d, "help"),
        "did you mean `Medlemmer`? the sheets are `Info`, `Medlemmer`"
    );
}

#[test]
fn corrupt_and_foreign_workbooks_are_located_errors_not_panics() {
    let rows = rows_of(&format!("{EXAMPLE}/kommuner.csv"));
    let good = workbook(&rows, "Ark1", false);
    let cases: [(&str, Vec<u8>, &str); 3] = [
        ("truncated", good[..good.len() / 2].to_vec(), "cannot be read"),
        (
            "old .xls",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".repeat(64),
            "Excel 97–2003",
        ),
        ("a CSV renamed", b"avtale.id\nKA-1\n".to_vec(), "cannot be read"),
    ];
    for (what, bytes, says) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        let xlsx = dir.path().join("kommuner.xlsx");
        std::fs::write(&xlsx, bytes).expect("write");
        let seg = segment_file(EXAMPLE, dir.path(), "medlemmer = \"kommuner.xlsx\"");
        let (code, stderr, diags) = check_json(&seg);
        assert_eq!(code, 1, "{what}: {stderr}");
        assert_eq!(diags.len(), 1, "{what}: {diags:#?}");
        let d = &diags[0];
        assert_eq!(s(d, "file"), xlsx.to_str().unwrap(), "{what}");
        assert_eq!(line_col(d), (1, 1), "{what}");
        assert!(s(d, "message").contains(says), "{what}: {d}");
        assert!(s(d, "help").contains("xlsx"), "{what}: {d}");
    }
}

#[test]
fn build_makes_the_pdfs_of_an_xlsx_segment() {
    let rows = rows_of(&format!("{EXAMPLE}/kommuner.csv"));
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("kommuner.xlsx"), workbook(&rows, "Medlemmer", false)).expect("write");
    let seg = segment_file(EXAMPLE, dir.path(), "medlemmer = \"kommuner.xlsx\"");
    let out = dir.path().join("pdf");
    let res = avtale()
        .args(["build", "--quiet", "-o"])
        .arg(&out)
        .arg(&seg)
        .output()
        .expect("run");
    assert!(res.status.success(), "{}", String::from_utf8_lossy(&res.stderr));
    let mut pdfs: Vec<String> = std::fs::read_dir(&out)
        .expect("output directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    pdfs.sort();
    let want: Vec<String> = (1..=26).map(|i| format!("KA-2026-S{i:03}.pdf")).collect();
    assert_eq!(pdfs, want);
    let first = std::fs::read(out.join("KA-2026-S001.pdf")).expect("read PDF");
    let text = common::text_of(&first);
    assert!(text.contains("Bjørkevik kommune"), "{text}");
    assert!(text.contains("345 568 158") || text.contains("345568158"), "{text}");
}
