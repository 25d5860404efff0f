//! Splitting a file into its revisions (the original and each incremental update).

use lopdf::Document;

/// At most this many revisions are parsed.
pub(crate) const MAX_REVISIONS: usize = 100;
/// At most this many bytes are parsed over all revision prefixes together (each prefix is
/// parsed whole, and kept): a file of many revisions over a large base would otherwise take
/// time and memory without end. A signed agreement has a few revisions of a few hundred KiB.
const MAX_PARSED_BYTES: usize = 256 * 1024 * 1024;
/// At most this many `%%EOF` markers are considered.
const MAX_EOF_MARKERS: usize = 10_000;

/// One revision: the file prefix `..end` and its parsed document.
pub(crate) struct Revision {
    pub end: usize,
    pub doc: Document,
}

/// A `%%EOF` marker preceded by `startxref N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Marker {
    pub end: usize,
    pub startxref: usize,
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

/// Reads `startxref <digits> <ws>` backwards from `pos` (exclusive); returns the number.
fn startxref_before(bytes: &[u8], pos: usize) -> Option<usize> {
    let head = bytes.get(..pos)?;
    let trimmed = head.len() - head.iter().rev().take_while(|c| is_ws(**c)).count();
    let digits_len = head
        .get(..trimmed)?
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digits_len == 0 || digits_len > 12 {
        return None;
    }
    let digits = head.get(trimmed - digits_len..trimmed)?;
    let before = head.get(..trimmed - digits_len)?;
    let kw_end = before.len() - before.iter().rev().take_while(|c| is_ws(**c)).count();
    if kw_end == before.len() || !before.get(..kw_end)?.ends_with(b"startxref") {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Every `%%EOF` preceded by a `startxref` line, with the revision end after one end-of-line.
pub(crate) fn markers(bytes: &[u8]) -> Result<Vec<Marker>, String> {
    let mut out = Vec::new();
    let mut found = 0usize;
    let mut from = 0usize;
    while let Some(rel) = bytes
        .get(from..)
        .and_then(|rest| rest.windows(5).position(|w| w == b"%%EOF"))
    {
        let pos = from + rel;
        from = pos + 5;
        found += 1;
        if found > MAX_EOF_MARKERS {
            return Err(format!("more than {MAX_EOF_MARKERS} %%EOF markers"));
        }
        let Some(startxref) = startxref_before(bytes, pos) else {
            continue;
        };
        let mut end = pos + 5;
        if bytes.get(end) == Some(&b'\r') {
            end += 1;
        }
        if bytes.get(end) == Some(&b'\n') {
            end += 1;
        }
        out.push(Marker { end, startxref });
    }
    Ok(out)
}

/// Loads a prefix with lopdf; a prefix whose cross-reference data had to be repaired does not count.
pub(crate) fn load_prefix(bytes: &[u8], marker: Marker) -> Option<Document> {
    let doc = Document::load_mem(bytes.get(..marker.end)?).ok()?;
    (doc.xref_recovery.is_none() && doc.xref_start == marker.startxref).then_some(doc)
}

/// The revisions of a file, oldest first. Markers whose prefix does not parse as a PDF whose last
/// cross-reference section is the one that marker names are skipped (a `%%EOF` inside a stream).
pub(crate) fn split(bytes: &[u8]) -> Result<Vec<Revision>, String> {
    let markers = markers(bytes)?;
    let mut out: Vec<Revision> = Vec::new();
    let mut parsed = 0usize;
    for marker in markers {
        if out.len() >= MAX_REVISIONS {
            return Err(format!("more than {MAX_REVISIONS} revisions"));
        }
        if out.last().is_some_and(|r| marker.startxref < r.end) {
            continue;
        }
        parsed = parsed.saturating_add(marker.end);
        if parsed > MAX_PARSED_BYTES {
            return Err(format!(
                "the revisions are too many or too large to analyse (over {} MiB to parse)",
                MAX_PARSED_BYTES >> 20
            ));
        }
        if let Some(doc) = load_prefix(bytes, marker) {
            out.push(Revision { end: marker.end, doc });
        }
    }
    if out.is_empty() {
        return Err("no readable revision (no startxref/%%EOF that lopdf can load)".into());
    }
    Ok(out)
}

/// The number of bytes after the last revision that are not white space.
pub(crate) fn trailing_garbage(bytes: &[u8], last_end: usize) -> usize {
    bytes
        .get(last_end..)
        .map_or(0, |rest| rest.iter().filter(|c| !is_ws(**c)).count())
}
