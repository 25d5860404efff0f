//! Segment members read from CSV: one member per row, dotted key paths as column headers.
//! Each cell keeps its line and column so that problems point at it.

use crate::base::diag::{Diagnostic, Loc};
use crate::input::model::{AVTALE_KEYS, KONTAKT_KEYS, KONTAKT_ROLLE, SIGNATAR_KEYS};
use crate::input::raw::{Diags, Entry, Node, Raw, Table, suggest};

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

/// Byte offsets where each field of the record starting at `start` begins.
fn field_spans(text: &str, start: usize) -> Vec<std::ops::Range<usize>> {
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
            b',' if !in_quotes => {
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

/// Members as tables, each with the location of its row and its 1-based line number.
pub fn read(diags: &mut Diags, file: usize, text: &str) -> Vec<(Table, Loc, usize)> {
    let known = known_columns();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = rdr.records();
    let Some(header) = read_header(diags, file, text, records.next()) else {
        return Vec::new();
    };
    let columns = map_columns(diags, file, text, &header, &known);
    read_members(diags, file, text, records, &columns)
}

/// The header record, or `None` (reported) when it is missing or malformed, or the file is too large.
fn read_header(
    diags: &mut Diags,
    file: usize,
    text: &str,
    first: Option<csv::Result<csv::StringRecord>>,
) -> Option<csv::StringRecord> {
    let header = match first {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            diags.push(csv_error(file, text, &e));
            return None;
        }
        None => {
            diags.push(
                Diagnostic::error("csv-syntax", Loc::new(file, 0..0), "", "the member CSV file is empty")
                    .with_help("the first row names the columns, e.g. `avtale.id,virksomhet.navn,...`"),
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
                format!(
                    "the header has {} columns, more than the {MAX_COLUMNS} a member CSV may have",
                    header.len()
                ),
            )
            .with_help("the first row names the columns, e.g. `avtale.id,virksomhet.navn,...`"),
        );
        return None;
    }
    if let Some(at) = nth_record_start(text, MAX_MEMBERS + 1) {
        diags.push(
            Diagnostic::error(
                "csv-syntax",
                Loc::new(file, at..at),
                "",
                format!("more than {MAX_MEMBERS} members; a segment may have at most {MAX_MEMBERS}"),
            )
            .with_help("split the members over several segment files"),
        );
        return None;
    }
    Some(header)
}

/// The key path of each header column; `None` (reported) for unknown and repeated columns.
fn map_columns(
    diags: &mut Diags,
    file: usize,
    text: &str,
    header: &csv::StringRecord,
    known: &[String],
) -> Vec<Option<String>> {
    let header_spans = field_spans(text, 0);
    let mut columns: Vec<Option<String>> = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        let loc = Loc::new(file, header_spans.get(i).cloned().unwrap_or(0..0));
        if known.iter().any(|k| k == name) {
            if columns.iter().flatten().any(|c| c == name) {
                diags.push(Diagnostic::error(
                    "csv-syntax",
                    loc,
                    name,
                    format!("column `{name}` appears twice"),
                ));
                columns.push(None);
            } else {
                columns.push(Some(name.to_string()));
            }
        } else {
            let d = Diagnostic::error("unknown-key", loc, name, format!("unknown column `{name}`"));
            diags.push(match suggest(name, known.iter().map(String::as_str)) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help("see the member CSV columns in docs/format.md"),
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
                report_row_error(diags, file, text, row_errors, &e);
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
        members.push(member_row(file, text, &rec, start, columns, line));
    }
    members
}

/// Report the `row_errors`-th malformed row, up to the limit, then once that the rest are not.
fn report_row_error(diags: &mut Diags, file: usize, text: &str, row_errors: usize, e: &csv::Error) {
    if row_errors <= MAX_ROW_ERRORS {
        diags.push(csv_error(file, text, e));
    } else if row_errors == MAX_ROW_ERRORS + 1 {
        let at = e.position().map_or(0, |p| p.byte() as usize).min(text.len());
        diags.push(Diagnostic::error(
            "csv-syntax",
            Loc::new(file, at..at),
            "",
            format!("more than {MAX_ROW_ERRORS} malformed rows; the rest are not reported"),
        ));
    }
}

/// One member from a row starting at byte `start`: its table of non-empty cells, its place and line.
fn member_row(
    file: usize,
    text: &str,
    rec: &csv::StringRecord,
    start: usize,
    columns: &[Option<String>],
    line: usize,
) -> (Table, Loc, usize) {
    let spans = field_spans(text, start);
    let row_end = spans.last().map_or(start, |s| s.end);
    let mut table = Table::default();
    for (i, cell) in rec.iter().enumerate() {
        let Some(Some(col)) = columns.get(i) else { continue };
        let value = cell.trim();
        if value.is_empty() {
            continue;
        }
        let loc = Loc::new(file, spans.get(i).cloned().unwrap_or(start..start));
        insert(&mut table, col, value, loc);
    }
    (table, Loc::new(file, start..row_end), line)
}

/// Where the `n`-th record after the header starts (1-based), if the text has that many.
fn nth_record_start(text: &str, n: usize) -> Option<usize> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
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

fn csv_error(file: usize, text: &str, e: &csv::Error) -> Diagnostic {
    let at = e.position().map_or(0, |p| p.byte() as usize).min(text.len());
    let msg = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("this row has {len} fields, the header has {expected_len}")
        }
        _ => e.to_string(),
    };
    Diagnostic::error("csv-syntax", Loc::new(file, at..at), "", msg)
        .with_help("quote values that contain commas: `\"Rådhuset, Storgata 1\"`")
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

fn sub_table<'a>(t: &'a mut Table, key: &str, loc: &Loc, path: &str) -> &'a mut Table {
    let idx = match t.entries.iter().position(|e| e.key == key) {
        Some(i) => i,
        None => {
            t.entries.push(Entry {
                key: key.to_string(),
                key_loc: loc.clone(),
                node: Node {
                    raw: Raw::Table(Table::default()),
                    loc: loc.clone(),
                    path: path.to_string(),
                },
            });
            t.entries.len() - 1
        }
    };
    match &mut t.entries[idx].node.raw {
        Raw::Table(inner) => inner,
        _ => unreachable!("CSV columns only build tables at inner path segments"),
    }
}

fn array_entry<'a>(t: &'a mut Table, key: &str, loc: &Loc) -> &'a mut Vec<Node> {
    let idx = match t.entries.iter().position(|e| e.key == key) {
        Some(i) => i,
        None => {
            t.entries.push(Entry {
                key: key.to_string(),
                key_loc: loc.clone(),
                node: Node {
                    raw: Raw::Array(Vec::new()),
                    loc: loc.clone(),
                    path: key.to_string(),
                },
            });
            t.entries.len() - 1
        }
    };
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
        assert_eq!(nth_record_start(text, 3), Some(6));
        assert_eq!(nth_record_start(text, 4), Some(12));
        assert_eq!(nth_record_start(text, 5), None);
    }

    #[test]
    fn field_spans_respect_quotes() {
        let text = "a,\"b,c\",d\nx";
        let s = field_spans(text, 0);
        assert_eq!(s, vec![0..1, 2..7, 8..9]);
    }
}
