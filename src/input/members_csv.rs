//! Segment members read from CSV: one member per row, dotted key paths as column headers.
//! Each cell keeps its line and column so that problems point at it.

use std::ops::Range;

use crate::base::diag::{Diagnostic, Loc};
use crate::base::i18n::{Msg, Text};
use crate::input::model::{AVTALE_KEYS, KONTAKT_KEYS, KONTAKT_ROLLE, SIGNATAR_KEYS};
use crate::input::raw::{Diags, Entry, Node, Raw, Table, suggest};
use crate::msg;

/// Most members one segment may have: more is refused before any row is read, so that a
/// large file of bad rows cannot exhaust memory (each member is checked as an agreement).
pub const MAX_MEMBERS: usize = 100_000;
/// Most columns a member CSV may have (there are far fewer known columns).
pub const MAX_COLUMNS: usize = 1_000;
/// Malformed rows reported for one file before the rest are left unreported.
pub const MAX_ROW_ERRORS: usize = 100;

/// Every column a member CSV may have.
pub fn known_columns() -> Vec<String> {
    let mut cols: Vec<String> = AVTALE_KEYS.iter().map(|k| format!("avtale.{k}")).collect();
    for k in ["navn", "organisasjonsnummer", "organisasjonsform", "varslingsadresse"] {
        cols.push(format!("virksomhet.{k}"));
    }
    for k in ["adresse", "postnummer", "poststed"] {
        cols.push(format!("virksomhet.postadresse.{k}"));
    }
    for r in KONTAKT_ROLLE {
        for k in KONTAKT_KEYS.iter().filter(|k| **k != "rolle") {
            cols.push(format!("kontakt.{r}.{k}"));
        }
    }
    for k in SIGNATAR_KEYS {
        cols.push(format!("signatar.{k}"));
    }
    cols.push("vilkaar.delingsvilkaar".into());
    cols
}

/// The separators a member CSV may use: Excel writes `;` where the decimal mark is a comma.
pub const DELIMITERS: &[u8] = b",;";

/// Byte offsets where each field of the record starting at `start` begins.
fn field_spans(text: &str, start: usize, delimiter: u8) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut field_start = start;
    let mut in_quotes = false;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            // A quote opens a quoted field only at its start; inside a quoted field `""` is
            // an escaped quote and a lone `"` closes it. Elsewhere a quote is plain text.
            b'"' if in_quotes || i == field_start => in_quotes = !in_quotes,
            b if b == delimiter && !in_quotes => {
                spans.push(field_start..i);
                field_start = i + 1;
            }
            b'\n' | b'\r' if !in_quotes => break,
            _ => {}
        }
        i += 1;
    }
    spans.push(field_start..i);
    spans
}

/// A CSV reader; with `has_headers` it takes rows of any length (for counting rows).
fn reader(delimiter: u8, has_headers: bool, text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(has_headers)
        .flexible(has_headers)
        .from_reader(text.as_bytes())
}

/// How many known column names the header row splits into with `delimiter`.
fn known_in_header(text: &str, delimiter: u8, known: &[String]) -> usize {
    let mut rec = csv::StringRecord::new();
    match reader(delimiter, false, text).read_record(&mut rec) {
        Ok(true) => rec.iter().filter(|c| known.iter().any(|k| k == c.trim())).count(),
        _ => 0,
    }
}

/// The separator that splits the header row into the most known column names (`,` on a tie).
pub fn detect_delimiter(text: &str) -> u8 {
    let known = known_columns();
    let mut best = (0, b',');
    for &d in DELIMITERS {
        let n = known_in_header(text, d, &known);
        if n > best.0 {
            best = (n, d);
        }
    }
    best.1
}

/// An example header row with `delimiter`, for help texts.
fn header_example(delimiter: u8) -> Msg {
    msg!("csv-header-example", separator = delimiter as char)
}

/// Members as tables, each with the location of its row and its 1-based line number; the
/// separator is found from the header row.
pub fn read(diags: &mut Diags, file: usize, text: &str) -> Vec<(Table, Loc, usize)> {
    read_with_delimiter(diags, file, text, None)
}

/// [`read`] with the separator `declared` by the segment file's `skilletegn`, if it is.
pub fn read_with_delimiter(
    diags: &mut Diags,
    file: usize,
    text: &str,
    declared: Option<u8>,
) -> Vec<(Table, Loc, usize)> {
    let known = known_columns();
    let delimiter = match declared {
        Some(d) => {
            if let Some(other) = contradicted(text, d, &known) {
                diags.push(
                    Diagnostic::error(
                        "csv-syntax",
                        Loc::new(file, 0..0),
                        "",
                        msg!(
                            "csv-separator-contradicted",
                            found = other as char,
                            declared = d as char
                        ),
                    )
                    .with_help(msg!("csv-separator-contradicted-help", found = other as char)),
                );
                return Vec::new();
            }
            d
        }
        None => detect_delimiter(text),
    };
    let mut rdr = reader(delimiter, false, text);
    let mut records = rdr.records();
    let Some(header) = read_header(diags, file, text, delimiter, records.next()) else {
        return Vec::new();
    };
    let spans = field_spans(text, 0, delimiter);
    let cells: Vec<(&str, Range<usize>)> = header
        .iter()
        .enumerate()
        .map(|(i, name)| (name, spans.get(i).cloned().unwrap_or(0..0)))
        .collect();
    let columns = map_columns(diags, file, &cells, &known);
    read_members(diags, file, text, delimiter, records, &columns)
}

/// Another separator, when the header row has no known column with `declared` but has with it.
fn contradicted(text: &str, declared: u8, known: &[String]) -> Option<u8> {
    if known_in_header(text, declared, known) > 0 {
        return None;
    }
    DELIMITERS
        .iter()
        .copied()
        .find(|&d| d != declared && known_in_header(text, d, known) > 0)
}

/// The header record, or `None` (reported) when it is missing or malformed, or the file is too large.
fn read_header(
    diags: &mut Diags,
    file: usize,
    text: &str,
    delimiter: u8,
    first: Option<csv::Result<csv::StringRecord>>,
) -> Option<csv::StringRecord> {
    let header = match first {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            diags.push(csv_error(file, text, delimiter, &e));
            return None;
        }
        None => {
            diags.push(
                Diagnostic::error("csv-syntax", Loc::new(file, 0..0), "", msg!("csv-empty"))
                    .with_help(header_example(delimiter)),
            );
            return None;
        }
    };
    if header.len() > MAX_COLUMNS {
        diags.push(
            Diagnostic::error(
                "csv-syntax",
                Loc::new(file, 0..0),
                "",
                msg!("csv-too-many-columns", columns = header.len(), max = MAX_COLUMNS),
            )
            .with_help(header_example(delimiter)),
        );
        return None;
    }
    if let Some(at) = nth_record_start(text, delimiter, MAX_MEMBERS + 1) {
        diags.push(too_many_members(Loc::new(file, at..at)));
        return None;
    }
    Some(header)
}

/// The error for a member list with more than [`MAX_MEMBERS`] rows, at the first row too many.
pub(crate) fn too_many_members(loc: Loc) -> Diagnostic {
    Diagnostic::error("csv-syntax", loc, "", msg!("too-many-members", max = MAX_MEMBERS))
        .with_help(msg!("too-many-members-help"))
}

/// The key path of each header cell; `None` (reported) for unknown and repeated columns.
pub(crate) fn map_columns(
    diags: &mut Diags,
    file: usize,
    header: &[(&str, Range<usize>)],
    known: &[String],
) -> Vec<Option<String>> {
    let mut columns: Vec<Option<String>> = Vec::new();
    for (name, span) in header {
        let name = name.trim();
        let loc = Loc::new(file, span.clone());
        if known.iter().any(|k| k == name) {
            if columns.iter().flatten().any(|c| c == name) {
                diags.push(Diagnostic::error(
                    "csv-syntax",
                    loc,
                    name,
                    msg!("csv-column-twice", column = name),
                ));
                columns.push(None);
            } else {
                columns.push(Some(name.to_string()));
            }
        } else {
            let d = Diagnostic::error("unknown-key", loc, name, msg!("csv-unknown-column", column = name));
            diags.push(match suggest(name, known.iter().map(String::as_str)) {
                Some(s) => d.with_help(msg!("did-you-mean", suggestion = s)),
                None => d.with_help(msg!("csv-unknown-column-help")),
            });
            columns.push(None);
        }
    }
    columns
}

/// Read the rows after the header into members, skipping blank rows and reporting malformed ones.
fn read_members(
    diags: &mut Diags,
    file: usize,
    text: &str,
    delimiter: u8,
    records: impl Iterator<Item = csv::Result<csv::StringRecord>>,
    columns: &[Option<String>],
) -> Vec<(Table, Loc, usize)> {
    let mut members = Vec::new();
    // 1-based line of `scanned`, counted as the records go by (CSV fields may span lines).
    let (mut line, mut scanned) = (1usize, 0usize);
    let mut row_errors = 0;
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                row_errors += 1;
                report_row_error(diags, file, text, delimiter, row_errors, &e);
                continue;
            }
        };
        let Some(pos) = rec.position() else { continue };
        // A record may be said to start on the line end that closes the previous one.
        let mut start = pos.byte() as usize;
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        line += text.as_bytes()[scanned..start].iter().filter(|b| **b == b'\n').count();
        scanned = start;
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let spans = field_spans(text, start, delimiter);
        let row_end = spans.last().map_or(start, |s| s.end);
        let cells = rec
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c, spans.get(i).cloned().unwrap_or(start..start)));
        members.push(member(file, cells, start..row_end, columns, line));
    }
    members
}

/// Report the `row_errors`-th malformed row, up to the limit, then once that the rest are not.
fn report_row_error(diags: &mut Diags, file: usize, text: &str, delimiter: u8, row_errors: usize, e: &csv::Error) {
    if row_errors <= MAX_ROW_ERRORS {
        diags.push(csv_error(file, text, delimiter, e));
    } else if row_errors == MAX_ROW_ERRORS + 1 {
        let at = e.position().map_or(0, |p| p.byte() as usize).min(text.len());
        diags.push(Diagnostic::error(
            "csv-syntax",
            Loc::new(file, at..at),
            "",
            msg!("csv-too-many-row-errors", max = MAX_ROW_ERRORS),
        ));
    }
}

/// One member from the cells of a row (column index, text, place): its table of non-empty
/// cells, its place and line.
pub(crate) fn member<'a>(
    file: usize,
    cells: impl Iterator<Item = (usize, &'a str, Range<usize>)>,
    row: Range<usize>,
    columns: &[Option<String>],
    line: usize,
) -> (Table, Loc, usize) {
    let mut table = Table::default();
    for (i, cell, span) in cells {
        let Some(Some(col)) = columns.get(i) else { continue };
        let value = cell.trim();
        if value.is_empty() {
            continue;
        }
        insert(&mut table, col, value, Loc::new(file, span));
    }
    (table, Loc::new(file, row), line)
}

/// Where the `n`-th record after the header starts (1-based), if the text has that many.
fn nth_record_start(text: &str, delimiter: u8, n: usize) -> Option<usize> {
    let mut rdr = reader(delimiter, true, text);
    let mut rec = csv::ByteRecord::new();
    let mut count = 0;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => return None,
            Ok(true) => {}
            // A malformed row counts as a row.
            Err(_) => {}
        }
        count += 1;
        if count == n {
            return Some(rec.position().map_or(0, |p| p.byte() as usize).min(text.len()));
        }
    }
}

fn csv_error(file: usize, text: &str, delimiter: u8, e: &csv::Error) -> Diagnostic {
    let at = e.position().map_or(0, |p| p.byte() as usize).min(text.len());
    let msg: Text = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            msg!("csv-unequal-lengths", fields = len, expected = expected_len).into()
        }
        _ => Text::Plain(e.to_string()),
    };
    let help = if delimiter == b';' {
        msg!("csv-quote-semicolons")
    } else {
        msg!("csv-quote-commas")
    };
    Diagnostic::error("csv-syntax", Loc::new(file, at..at), "", msg).with_help(help)
}

/// How to save a member list from Excel so that it can be read, in Norwegian and English Excel.
pub fn save_as_utf8() -> Msg {
    msg!("csv-save-as-utf8")
}

/// Why member CSV bytes are not UTF-8, when they are not: the offset of the first bad byte
/// (after a UTF-8 byte-order mark) and a message naming what the bytes probably are. Nothing
/// is converted: a guessed encoding could change a name without anyone noticing.
pub fn not_utf8(bytes: &[u8]) -> Option<(usize, Msg)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let at = std::str::from_utf8(bytes).err()?.valid_up_to();
    if bytes.starts_with(b"PK\x03\x04") {
        return Some((0, msg!("csv-is-xlsx")));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Some((0, msg!("csv-utf16")));
    }
    let byte = format!("0x{:02X}", bytes[at]);
    let (meant, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes[at..=at]);
    Some((
        at,
        match cell_around(bytes, at) {
            Some(cell) => msg!("csv-windows-1252-cell", byte = byte, meant = meant, cell = cell),
            None => msg!("csv-windows-1252", byte = byte, meant = meant),
        },
    ))
}

/// The cell around byte `at` read as Windows-1252, when it is short enough to quote.
fn cell_around(bytes: &[u8], at: usize) -> Option<String> {
    let stop = |b: &u8| matches!(b, b',' | b';' | b'\n' | b'\r' | b'"');
    let start = bytes[..at].iter().rposition(stop).map_or(0, |i| i + 1);
    let end = bytes[at..].iter().position(stop).map_or(bytes.len(), |i| at + i);
    let (cell, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes[start..end]);
    let cell = cell.trim();
    (!cell.is_empty() && cell.chars().count() <= 60).then(|| cell.to_string())
}

/// Put a cell into the member's table under its dotted path. `kontakt.<rolle>.<key>`
/// becomes one `[[kontakt]]` per role; `signatar.<key>` one `[[signatar]]`.
fn insert(table: &mut Table, col: &str, value: &str, loc: Loc) {
    let parts: Vec<&str> = col.split('.').collect();
    let cell = |path: &str| Node {
        raw: Raw::Cell(value.to_string()),
        loc: loc.clone(),
        path: path.to_string(),
    };
    match parts.as_slice() {
        ["kontakt", role, key] => {
            let list = array_entry(table, "kontakt", &loc);
            let idx = list.iter().position(|n| {
                matches!(&n.raw, Raw::Table(t) if matches!(t.get("rolle"), Some(Node { raw: Raw::Cell(r), .. }) if r == role))
            });
            let idx = idx.unwrap_or_else(|| {
                let mut t = Table::default();
                t.entries.push(Entry {
                    key: "rolle".into(),
                    key_loc: loc.clone(),
                    node: Node {
                        raw: Raw::Cell(role.to_string()),
                        loc: loc.clone(),
                        path: format!("kontakt.{role}"),
                    },
                });
                list.push(Node {
                    raw: Raw::Table(t),
                    loc: loc.clone(),
                    path: format!("kontakt.{role}"),
                });
                list.len() - 1
            });
            if let Raw::Table(t) = &mut list[idx].raw {
                t.entries.push(Entry {
                    key: key.to_string(),
                    key_loc: loc.clone(),
                    node: cell(col),
                });
            }
        }
        ["signatar", key] => {
            let list = array_entry(table, "signatar", &loc);
            if list.is_empty() {
                list.push(Node {
                    raw: Raw::Table(Table::default()),
                    loc: loc.clone(),
                    path: "signatar".into(),
                });
            }
            if let Raw::Table(t) = &mut list[0].raw {
                t.entries.push(Entry {
                    key: key.to_string(),
                    key_loc: loc.clone(),
                    node: cell(col),
                });
            }
        }
        [first, rest @ ..] => {
            let mut t = table;
            let mut path = first.to_string();
            let mut key = *first;
            for next in rest {
                t = sub_table(t, key, &loc, &path);
                key = next;
                path = format!("{path}.{next}");
            }
            t.entries.push(Entry {
                key: key.to_string(),
                key_loc: loc.clone(),
                node: cell(col),
            });
        }
        [] => {}
    }
}

/// The index of `key` in `t`, adding an entry holding `empty` (placed at `loc`, with TOML path
/// `path`) when it is not there yet.
fn entry_index(t: &mut Table, key: &str, loc: &Loc, path: &str, empty: Raw) -> usize {
    if let Some(i) = t.entries.iter().position(|e| e.key == key) {
        return i;
    }
    t.entries.push(Entry {
        key: key.to_string(),
        key_loc: loc.clone(),
        node: Node {
            raw: empty,
            loc: loc.clone(),
            path: path.to_string(),
        },
    });
    t.entries.len() - 1
}

fn sub_table<'a>(t: &'a mut Table, key: &str, loc: &Loc, path: &str) -> &'a mut Table {
    let idx = entry_index(t, key, loc, path, Raw::Table(Table::default()));
    match &mut t.entries[idx].node.raw {
        Raw::Table(inner) => inner,
        _ => unreachable!("CSV columns only build tables at inner path segments"),
    }
}

fn array_entry<'a>(t: &'a mut Table, key: &str, loc: &Loc) -> &'a mut Vec<Node> {
    let idx = entry_index(t, key, loc, key, Raw::Array(Vec::new()));
    match &mut t.entries[idx].node.raw {
        Raw::Array(a) => a,
        _ => unreachable!("CSV columns build arrays for kontakt and signatar only"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_member_count_is_found_without_reading_the_rows() {
        let text = "a\n1\n2\n\"3\n3\"\n4\n";
        assert_eq!(nth_record_start(text, b',', 3), Some(6));
        assert_eq!(nth_record_start(text, b',', 4), Some(12));
        assert_eq!(nth_record_start(text, b',', 5), None);
    }

    #[test]
    fn field_spans_respect_quotes() {
        let text = "a,\"b,c\",d\nx";
        let s = field_spans(text, 0, b',');
        assert_eq!(s, vec![0..1, 2..7, 8..9]);
        let s = field_spans("a;\"b;c\";d\nx", 0, b';');
        assert_eq!(s, vec![0..1, 2..7, 8..9]);
    }

    #[test]
    fn the_separator_is_the_one_that_splits_the_header_into_known_columns() {
        assert_eq!(detect_delimiter("avtale.id;virksomhet.navn\nA;B"), b';');
        assert_eq!(detect_delimiter("avtale.id,virksomhet.navn\nA,B"), b',');
        assert_eq!(detect_delimiter("\"avtale.id\";\"virksomhet.navn\"\n"), b';');
        assert_eq!(detect_delimiter("x;y\n"), b',');
    }

    #[test]
    fn windows_1252_bytes_are_named_not_converted() {
        let (at, msg) = not_utf8(b"avtale.id,virksomhet.navn\nA,Bj\xF8rkevik kommune\n").expect("not UTF-8");
        let msg = msg.render(crate::base::i18n::Lang::En);
        assert_eq!(at, 30);
        assert!(msg.contains("0xF8 here is «ø»"), "{msg}");
        assert!(msg.contains("«Bjørkevik kommune»"), "{msg}");
        assert!(not_utf8("avtale.id\nø".as_bytes()).is_none());
        assert_eq!(not_utf8(b"\xFF\xFEa\x00").map(|(at, _)| at), Some(0));
    }
}
