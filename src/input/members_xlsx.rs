//! Segment members read from an Excel workbook (.xlsx): the first row of the sheet names the
//! columns as in a member CSV, each further row is a member.
//!
//! Diagnostics point into source texts, so the sheet is turned into one: line `n` holds row
//! `n`, its cells separated by tabs. A problem's line is then its row, its column the place
//! in that line, and its message names the cell (`ark Medlemmer, celle C7`, see [`Sheet::place`]).
//! Cell values are taken as Excel shows them in the formula bar: whole numbers without
//! `.0`, dates as `YYYY-MM-DD`; nothing else is converted.

use std::io::Cursor;
use std::ops::Range;

use calamine::{DataRef, Reader, Xlsx, XlsxError};

use crate::base::diag::{Diagnostic, Loc};
use crate::base::i18n::Msg;
use crate::input::members_csv::{self, MAX_COLUMNS, MAX_MEMBERS};
use crate::input::raw::{Diags, Table, suggest};
use crate::msg;

/// The unpacked parts of a workbook (their sizes as the zip directory states them, which the
/// unpacking holds them to) may be at most this large together: a small file can otherwise
/// unpack to gigabytes.
pub const MAX_UNPACKED_BYTES: u64 = 512 * 1024 * 1024;

/// One sheet of a workbook as text, and where each of its cells stands in that text.
pub struct Sheet {
    /// The sheet's name, as Excel shows it on its tab.
    pub name: String,
    /// One line per row (line `n` is row `n`), cells separated by tabs. The loader moves it
    /// into the run's sources; the rest of the sheet does not need it.
    pub text: String,
    /// The non-empty cells in text order.
    cells: Vec<SheetCell>,
    /// Where each line of `text` starts.
    line_starts: Vec<usize>,
}

/// A non-empty cell: 0-based row and column, its text and its place in the sheet's text.
struct SheetCell {
    row: u32,
    col: u32,
    value: String,
    span: Range<usize>,
    /// The cell holds an Excel error such as `#N/A` (its text), not a value.
    error: bool,
}

/// Why a workbook cannot be read.
pub enum Problem {
    /// The sheet named by `ark` is not in the workbook (its sheets are given).
    NoSuchSheet(Vec<String>),
    /// The workbook itself cannot be read: message and help.
    Workbook(Msg, Msg),
}

/// `A`, `B`, ..., `Z`, `AA`, ... for a 0-based column.
pub fn column_name(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// `C7` for 0-based row 6, column 2.
pub fn a1(row: u32, col: u32) -> String {
    format!("{}{}", column_name(col), row as u64 + 1)
}

/// Read the sheet named `wanted`, or the first, of the workbook in `bytes`.
pub fn open(bytes: &[u8], wanted: Option<&str>) -> Result<Sheet, Problem> {
    check_unpacked_size(bytes)?;
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| workbook_problem(bytes, &e))?;
    let names = wb.sheet_names();
    let name = match wanted {
        Some(w) => names
            .iter()
            .find(|n| *n == w)
            .cloned()
            .ok_or(Problem::NoSuchSheet(names.clone()))?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Problem::Workbook(msg!("xlsx-no-sheets"), msg!("xlsx-no-sheets-help")))?,
    };
    let mut reader = wb
        .worksheet_cells_reader(&name)
        .map_err(|e| workbook_problem(bytes, &e))?;
    let mut cells = Vec::new();
    let mut rows = RowCount::default();
    while let Some(cell) = reader.next_cell().map_err(|e| workbook_problem(bytes, &e))? {
        let (row, col) = cell.get_position();
        let value = match cell_text(cell.get_value()) {
            Ok(v) if v.trim().is_empty() => continue,
            Ok(v) => v,
            Err(e) => {
                check_limits(&name, row, col, &mut rows)?;
                cells.push((row, col, e, true));
                continue;
            }
        };
        check_limits(&name, row, col, &mut rows)?;
        cells.push((row, col, value, false));
    }
    Ok(Sheet::new(name, cells))
}

/// Distinct rows with values seen so far (cells come row by row).
#[derive(Default)]
struct RowCount {
    last: Option<u32>,
    count: usize,
}

/// Refuse a sheet wider than [`MAX_COLUMNS`] or longer than [`MAX_MEMBERS`] members, at
/// the first cell too many, before reading further.
fn check_limits(sheet: &str, row: u32, col: u32, rows: &mut RowCount) -> Result<(), Problem> {
    if col as usize >= MAX_COLUMNS {
        return Err(Problem::Workbook(
            msg!(
                "xlsx-too-many-columns",
                sheet = sheet,
                cell = a1(row, col),
                max = MAX_COLUMNS
            ),
            msg!("xlsx-too-many-columns-help"),
        ));
    }
    if rows.last != Some(row) {
        rows.last = Some(row);
        rows.count += 1;
        if rows.count > MAX_MEMBERS + 1 {
            return Err(Problem::Workbook(
                msg!(
                    "xlsx-too-many-members",
                    sheet = sheet,
                    row = row as u64 + 1,
                    max = MAX_MEMBERS
                ),
                msg!("too-many-members-help"),
            ));
        }
    }
    Ok(())
}

/// A cell's value as text; `Err` with the error for a cell holding an Excel error.
fn cell_text(v: &DataRef<'_>) -> Result<String, String> {
    Ok(match v {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) if d.is_datetime() => {
            let (y, mo, day, h, mi, s, ms) = d.to_ymd_hms_milli();
            if (h, mi, s, ms) == (0, 0, 0, 0) {
                format!("{y:04}-{mo:02}-{day:02}")
            } else {
                format!("{y:04}-{mo:02}-{day:02}T{h:02}:{mi:02}:{s:02}")
            }
        }
        DataRef::DateTime(d) => number(d.as_f64()),
        DataRef::Error(e) => return Err(e.to_string()),
        DataRef::Empty => String::new(),
    })
}

/// A number as Excel shows it: whole numbers (organisation numbers, postcodes) without `.0`.
pub fn number(f: f64) -> String {
    // Below 2^53 every whole float is exactly an integer.
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// What went wrong opening the workbook, in the words of someone who made it in Excel.
fn workbook_problem(bytes: &[u8], e: &XlsxError) -> Problem {
    let old_xls = bytes.starts_with(b"\xD0\xCF\x11\xE0");
    match e {
        XlsxError::Password => Problem::Workbook(msg!("xlsx-password"), msg!("xlsx-password-help")),
        _ if old_xls => Problem::Workbook(msg!("xlsx-old-format"), msg!("xlsx-old-format-help")),
        _ => Problem::Workbook(msg!("xlsx-unreadable", error = e), msg!("xlsx-unreadable-help")),
    }
}

/// Refuse a workbook whose parts unpack to more than [`MAX_UNPACKED_BYTES`], by the sizes its
/// zip directory states. A file whose directory cannot be read is left to the zip reader.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), Problem> {
    let Some(total) = unpacked_size(bytes) else {
        return Ok(());
    };
    if total <= MAX_UNPACKED_BYTES {
        return Ok(());
    }
    Err(Problem::Workbook(
        msg!("xlsx-too-large", mib = MAX_UNPACKED_BYTES / (1024 * 1024)),
        msg!("xlsx-too-large-help"),
    ))
}

/// The sum of the unpacked sizes in a zip file's central directory (`u64::MAX` for a Zip64
/// entry, which no member list needs), or `None` when there is no readable directory.
fn unpacked_size(bytes: &[u8]) -> Option<u64> {
    let u16_at = |i: usize| bytes.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize);
    let u32_at = |i: usize| {
        bytes
            .get(i..i + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    // The end-of-directory record is the last 22 bytes, before a comment of up to 64 KiB.
    let lowest = bytes.len().saturating_sub(22 + 65_535);
    let eocd = (lowest..=bytes.len().saturating_sub(22))
        .rev()
        .find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))?;
    let entries = u16_at(eocd + 10)?;
    let mut at = u32_at(eocd + 16)? as usize;
    let mut total: u64 = 0;
    for _ in 0..entries {
        if !bytes.get(at..)?.starts_with(b"PK\x01\x02") {
            return None;
        }
        let size = u32_at(at + 24)?;
        if size == u32::MAX {
            return Some(u64::MAX);
        }
        total += u64::from(size);
        at += 46 + u16_at(at + 28)? + u16_at(at + 30)? + u16_at(at + 32)?;
    }
    Some(total)
}

impl Sheet {
    /// The sheet of the cells (0-based row, column, text, whether an Excel error), in any order.
    fn new(name: String, mut cells: Vec<(u32, u32, String, bool)>) -> Self {
        cells.sort_by_key(|c| (c.0, c.1));
        cells.dedup_by_key(|c| (c.0, c.1));
        let mut text = String::new();
        let mut placed = Vec::with_capacity(cells.len());
        let mut line_starts = vec![0];
        let (mut row, mut col) = (0u32, 0u32);
        for (r, c, value, error) in cells {
            while row < r {
                text.push('\n');
                line_starts.push(text.len());
                row += 1;
                col = 0;
            }
            while col < c {
                text.push('\t');
                col += 1;
            }
            let start = text.len();
            // The view keeps a row on one line; the member gets the value as it is.
            text.extend(value.chars().map(|ch| if ch.is_control() { ' ' } else { ch }));
            placed.push(SheetCell {
                row: r,
                col: c,
                value,
                span: start..text.len(),
                error,
            });
        }
        text.push('\n');
        Sheet {
            name,
            text,
            cells: placed,
            line_starts,
        }
    }

    /// The part of the sheet `span` points at: `ark Medlemmer, celle C7` for a cell (or a place
    /// in one), `ark Medlemmer, rad 7` for more of a row.
    pub fn place(&self, span: &Range<usize>) -> Option<String> {
        let i = self
            .cells
            .partition_point(|c| c.span.start <= span.start)
            .checked_sub(1);
        let cell = i.map(|i| &self.cells[i]);
        match cell {
            Some(c) if span.start <= c.span.end && span.end <= c.span.end.max(c.span.start + 1) => {
                Some(format!("ark {}, celle {}", self.name, a1(c.row, c.col)))
            }
            _ => {
                let row = self.line_starts.partition_point(|s| *s <= span.start);
                Some(format!("ark {}, rad {}", self.name, row))
            }
        }
    }

    /// The cells of one row, grouped, in order.
    fn rows(&self) -> impl Iterator<Item = &[SheetCell]> {
        self.cells.chunk_by(|a, b| a.row == b.row)
    }
}

/// Members as tables, each with the location of its row and its 1-based row number.
pub fn read(diags: &mut Diags, file: usize, sheet: &Sheet) -> Vec<(Table, Loc, usize)> {
    let mut rows = sheet.rows();
    let Some(header) = rows.next() else {
        diags.push(
            Diagnostic::error(
                "csv-syntax",
                Loc::new(file, 0..0),
                "",
                msg!("xlsx-sheet-empty", sheet = &sheet.name),
            )
            .with_help(msg!("xlsx-sheet-empty-help")),
        );
        return Vec::new();
    };
    let columns = header_columns(diags, file, header);
    let mut members = Vec::new();
    let mut unnamed: Vec<u32> = Vec::new();
    for row in rows {
        for c in row {
            if c.error {
                report_error(diags, file, c, &columns);
            } else if !header.iter().any(|h| h.col == c.col) && !unnamed.contains(&c.col) {
                unnamed.push(c.col);
                report_unnamed(diags, file, header, c);
            }
        }
        let cells = row
            .iter()
            .filter(|c| !c.error)
            .map(|c| (c.col as usize, c.value.as_str(), c.span.clone()));
        // Only tabs stand before a row's first cell.
        let start = row[0].span.start - row[0].col as usize;
        let end = row[row.len() - 1].span.end;
        members.push(members_csv::member(
            file,
            cells,
            start..end,
            &columns,
            row[0].row as usize + 1,
        ));
    }
    members
}

/// The key path of each column (by 0-based column), from the header row.
fn header_columns(diags: &mut Diags, file: usize, header: &[SheetCell]) -> Vec<Option<String>> {
    let known = members_csv::known_columns();
    let named: Vec<(&str, Range<usize>)> = header.iter().map(|c| (c.value.as_str(), c.span.clone())).collect();
    let mapped = members_csv::map_columns(diags, file, &named, &known);
    let width = header.last().map_or(0, |c| c.col as usize + 1);
    let mut columns = vec![None; width];
    for (c, m) in header.iter().zip(mapped) {
        columns[c.col as usize] = m;
    }
    columns
}

/// A value in a column whose header cell is empty (reported once per column).
fn report_unnamed(diags: &mut Diags, file: usize, header: &[SheetCell], c: &SheetCell) {
    let head = header.first().map_or(0, |h| h.row);
    diags.push(
        Diagnostic::error(
            "csv-syntax",
            Loc::new(file, c.span.clone()),
            "",
            msg!(
                "xlsx-unnamed-column",
                column = column_name(c.col),
                cell = a1(head, c.col)
            ),
        )
        .with_help(msg!("xlsx-unnamed-column-help", cell = a1(head, c.col))),
    );
}

/// A cell holding an Excel error: reported; its value is left out.
fn report_error(diags: &mut Diags, file: usize, c: &SheetCell, columns: &[Option<String>]) {
    let path = columns.get(c.col as usize).cloned().flatten().unwrap_or_default();
    diags.push(
        Diagnostic::error(
            "invalid-value",
            Loc::new(file, c.span.clone()),
            path,
            msg!("xlsx-cell-error", error = &c.value),
        )
        .with_help(msg!("xlsx-cell-error-help")),
    );
}

/// The error for an `ark` naming no sheet of the workbook.
pub fn no_such_sheet(loc: Loc, wanted: &str, names: &[String]) -> Diagnostic {
    let list = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    let d = Diagnostic::error("invalid-value", loc, "ark", msg!("xlsx-no-such-sheet", sheet = wanted));
    match suggest(wanted, names.iter().map(String::as_str)) {
        Some(s) => d.with_help(msg!("xlsx-no-such-sheet-help-suggest", suggestion = s, sheets = list)),
        None => d.with_help(msg!("xlsx-no-such-sheet-help", sheets = list)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_in_a1_form() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(6, 2), "C7");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
        assert_eq!(column_name(16_383), "XFD");
    }

    #[test]
    fn whole_numbers_lose_their_point_zero() {
        assert_eq!(number(315_298_407.0), "315298407");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(f64::NAN), "NaN");
        assert_eq!(number(1e300), 1e300.to_string());
    }

    #[test]
    fn the_view_has_one_line_per_row_and_places_name_cells() {
        let cells = vec![
            (2, 1, "x\ny".to_string(), false),
            (0, 0, "a".to_string(), false),
            (0, 2, "c".to_string(), false),
        ];
        let s = Sheet::new("Ark1".into(), cells);
        assert_eq!(s.text, "a\t\tc\n\n\tx y\n");
        assert_eq!(s.place(&(7..10)).as_deref(), Some("ark Ark1, celle B3"));
        assert_eq!(s.place(&(8..8)).as_deref(), Some("ark Ark1, celle B3"));
        assert_eq!(s.place(&(3..4)).as_deref(), Some("ark Ark1, celle C1"));
        assert_eq!(s.place(&(0..4)).as_deref(), Some("ark Ark1, rad 1"));
        assert_eq!(s.place(&(6..10)).as_deref(), Some("ark Ark1, rad 3"));
        assert_eq!(s.place(&(5..5)).as_deref(), Some("ark Ark1, rad 2"));
        assert_eq!(s.cells[2].value, "x\ny");
    }

    #[test]
    fn garbage_is_a_problem_not_a_panic() {
        for bytes in [
            &b""[..],
            b"PK\x03\x04garbage",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            b"PK\x05\x06",
        ] {
            assert!(matches!(open(bytes, None), Err(Problem::Workbook(..))));
        }
    }
}
