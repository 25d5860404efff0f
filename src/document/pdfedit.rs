//! Edits to the PDF that Typst exported, made on its bytes: a dictionary gets an entry, an
//! array an item, a stream new data, new objects go at the end, and every other byte is
//! copied as it is. Typst writes one classic cross-reference table and no object streams,
//! so the table says where each object is, and only the objects edited are read at all.
//!
//! This reads only PDFs Typst has just written in this process; PDFs from outside are read
//! with lopdf (see `signature`). Anything other than what Typst writes is an error.

use std::ops::Range;

/// Deepest nesting of arrays and dictionaries read in one object.
const MAX_DEPTH: usize = 64;

/// An exported PDF with the edits made to it so far.
pub struct PdfEdit<'a> {
    pdf: &'a [u8],
    /// Byte offset of each object by number (0 for a free entry).
    offsets: Vec<usize>,
    /// Where the cross-reference table starts: the objects lie before it.
    xref_at: usize,
    /// The trailer dictionary.
    trailer: Range<usize>,
    /// Replacements of byte ranges, in the order they were asked for.
    splices: Vec<(Range<usize>, Vec<u8>)>,
    /// Objects added, numbered on from the table's size, each written whole.
    added: Vec<Vec<u8>>,
}

type Result<T> = std::result::Result<T, String>;

fn unexpected(what: &str) -> String {
    format!("the exported PDF is not as Typst writes it: {what}")
}

impl<'a> PdfEdit<'a> {
    /// Read the cross-reference table and the trailer of `pdf`.
    pub fn new(pdf: &'a [u8]) -> Result<PdfEdit<'a>> {
        let tail = pdf.len().saturating_sub(1024);
        let sx = find_last(&pdf[tail..], b"startxref")
            .map(|i| tail + i + b"startxref".len())
            .ok_or_else(|| unexpected("no startxref"))?;
        let (xref_at, _) = int_at(pdf, skip_ws(pdf, sx)).ok_or_else(|| unexpected("startxref"))?;
        let xref_at = usize::try_from(xref_at).map_err(|_| unexpected("startxref"))?;
        if !pdf.get(xref_at..).is_some_and(|b| b.starts_with(b"xref")) {
            return Err(unexpected("no cross-reference table"));
        }
        let mut offsets = Vec::new();
        let mut i = xref_at + 4;
        loop {
            i = skip_ws(pdf, i);
            if pdf[i..].starts_with(b"trailer") {
                break;
            }
            let (first, j) = int_at(pdf, i).ok_or_else(|| unexpected("cross-reference section"))?;
            let (count, j) = int_at(pdf, skip_ws(pdf, j)).ok_or_else(|| unexpected("cross-reference section"))?;
            let (first, count) = (first as usize, count as usize);
            if first != offsets.len() || count > pdf.len() / 20 {
                return Err(unexpected("cross-reference sections out of order"));
            }
            i = skip_ws(pdf, j);
            for _ in 0..count {
                let entry = pdf.get(i..i + 20).ok_or_else(|| unexpected("cross-reference entry"))?;
                let offset = std::str::from_utf8(&entry[..10])
                    .ok()
                    .and_then(|s| s.parse::<usize>().ok())
                    .ok_or_else(|| unexpected("cross-reference entry"))?;
                offsets.push(if entry[17] == b'n' { offset } else { 0 });
                i += 20;
            }
        }
        let start = skip_ws(pdf, i + b"trailer".len());
        let end = value_end(pdf, start, 0)?;
        Ok(PdfEdit {
            pdf,
            offsets,
            xref_at,
            trailer: start..end,
            splices: Vec::new(),
            added: Vec::new(),
        })
    }

    /// The number the next added object gets.
    pub fn next_id(&self) -> i32 {
        (self.offsets.len() + self.added.len()) as i32
    }

    /// Add an object: `write` gets its number and writes it whole into a pdf-writer chunk.
    pub fn add(&mut self, write: impl FnOnce(pdf_writer::Ref, &mut pdf_writer::Chunk)) -> pdf_writer::Ref {
        let id = pdf_writer::Ref::new(self.next_id());
        let mut chunk = pdf_writer::Chunk::with_settings(pdf_writer::Settings { pretty: false });
        write(id, &mut chunk);
        self.added.push(chunk.as_bytes().to_vec());
        id
    }

    /// The trailer dictionary's range.
    pub fn trailer(&self) -> Range<usize> {
        self.trailer.clone()
    }

    /// The value of object `id` (a dictionary, array, or a stream's dictionary).
    pub fn object(&self, id: u32) -> Result<Range<usize>> {
        let at = self
            .offsets
            .get(id as usize)
            .copied()
            .filter(|&o| o > 0 && o < self.xref_at)
            .ok_or_else(|| unexpected(&format!("object {id} is missing")))?;
        let (n, i) = int_at(self.pdf, at).ok_or_else(|| unexpected("object header"))?;
        let (_, i) = int_at(self.pdf, skip_ws(self.pdf, i)).ok_or_else(|| unexpected("object header"))?;
        let i = skip_ws(self.pdf, i);
        if n != i64::from(id) || !self.pdf[i..].starts_with(b"obj") {
            return Err(unexpected(&format!("object {id} is not where the table says")));
        }
        let start = skip_ws(self.pdf, i + 3);
        Ok(start..value_end(self.pdf, start, 0)?)
    }

    /// The value of `key` in the dictionary at `dict`, if it has one.
    pub fn get(&self, dict: &Range<usize>, key: &str) -> Result<Option<Range<usize>>> {
        Ok(entries(self.pdf, dict)?
            .into_iter()
            .find(|(k, _)| &self.pdf[k.start + 1..k.end] == key.as_bytes())
            .map(|(_, v)| v))
    }

    /// The value of `key`, following a reference to the object it names.
    pub fn get_resolved(&self, dict: &Range<usize>, key: &str) -> Result<Option<Range<usize>>> {
        match self.get(dict, key)? {
            Some(v) => match self.reference(&v) {
                Some(id) => self.object(id).map(Some),
                None => Ok(Some(v)),
            },
            None => Ok(None),
        }
    }

    /// The object number when the value is a reference `N 0 R`.
    pub fn reference(&self, v: &Range<usize>) -> Option<u32> {
        let b = &self.pdf[v.clone()];
        if b.last() != Some(&b'R') {
            return None;
        }
        int_at(b, 0).and_then(|(n, _)| u32::try_from(n).ok())
    }

    /// The integer a value spells.
    pub fn integer(&self, v: &Range<usize>) -> Option<i64> {
        int_at(self.pdf, v.start)
            .filter(|&(_, end)| end == v.end)
            .map(|(n, _)| n)
    }

    /// The bytes of a value.
    pub fn bytes(&self, v: &Range<usize>) -> &'a [u8] {
        &self.pdf[v.clone()]
    }

    /// The items of the array at `v`.
    pub fn items(&self, v: &Range<usize>) -> Result<Vec<Range<usize>>> {
        if self.pdf.get(v.start) != Some(&b'[') {
            return Err(unexpected("an array was expected"));
        }
        let mut out = Vec::new();
        let mut i = skip_ws(self.pdf, v.start + 1);
        while i < v.end - 1 {
            let end = value_end(self.pdf, i, 1)?;
            out.push(i..end);
            i = skip_ws(self.pdf, end);
        }
        Ok(out)
    }

    /// Add `/key value` to the dictionary at `dict`.
    pub fn insert(&mut self, dict: &Range<usize>, key: &str, value: &[u8]) {
        let close = dict.end - 2;
        let mut text = format!("/{key}").into_bytes();
        if !matches!(value.first(), Some(b'/' | b'[' | b'<' | b'(')) {
            text.push(b' ');
        }
        text.extend_from_slice(value);
        self.splices.push((close..close, text));
    }

    /// Add items at the end of the array at `v`.
    pub fn push_items(&mut self, v: &Range<usize>, items: &[u8]) -> Result<()> {
        if self.pdf.get(v.start) != Some(&b'[') {
            return Err(unexpected("an array was expected"));
        }
        let close = v.end - 1;
        let mut text = vec![b' '];
        text.extend_from_slice(items);
        self.splices.push((close..close, text));
        Ok(())
    }

    /// Put `text` in place of the bytes at `v`.
    pub fn replace(&mut self, v: &Range<usize>, text: Vec<u8>) {
        self.splices.push((v.clone(), text));
    }

    /// The data of the stream whose dictionary is at `dict`, by its direct `/Length`.
    pub fn stream_data(&self, dict: &Range<usize>) -> Result<Range<usize>> {
        let len = self
            .get(dict, "Length")?
            .and_then(|v| self.integer(&v))
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| unexpected("a stream without a direct length"))?;
        let i = skip_ws(self.pdf, dict.end);
        if !self.pdf[i..].starts_with(b"stream") {
            return Err(unexpected("a stream was expected"));
        }
        let mut start = i + b"stream".len();
        if self.pdf[start..].starts_with(b"\r\n") {
            start += 2;
        } else if self.pdf[start..].starts_with(b"\n") {
            start += 1;
        }
        if start + len > self.xref_at {
            return Err(unexpected("a stream longer than the file"));
        }
        Ok(start..start + len)
    }

    /// The edited file: the original bytes with the replacements, then the added objects,
    /// a cross-reference table for all, and the trailer with the new size.
    pub fn finish(mut self) -> Result<Vec<u8>> {
        if self.splices.is_empty() && self.added.is_empty() {
            return Ok(self.pdf.to_vec());
        }
        let size = self.next_id();
        let size_value = self
            .get(&self.trailer.clone(), "Size")?
            .ok_or_else(|| unexpected("a trailer without /Size"))?;
        self.splices.sort_by_key(|(r, _)| r.start);
        let grown: usize = self.splices.iter().map(|(_, t)| t.len()).sum();
        let mut out = Vec::with_capacity(self.pdf.len() + grown + self.added.iter().map(Vec::len).sum::<usize>() + 64);
        // The objects, with the replacements, noting how far each original byte moved.
        let mut moves: Vec<(usize, isize)> = Vec::with_capacity(self.splices.len());
        let mut at = 0;
        let mut shift: isize = 0;
        for (range, text) in &self.splices {
            if range.start < at || range.end > self.xref_at {
                return Err("two edits of the exported PDF overlap".into());
            }
            out.extend_from_slice(&self.pdf[at..range.start]);
            out.extend_from_slice(text);
            at = range.end;
            shift += text.len() as isize - range.len() as isize;
            moves.push((range.end, shift));
        }
        out.extend_from_slice(&self.pdf[at..self.xref_at]);
        let moved = |o: usize| -> usize {
            let k = moves.partition_point(|&(end, _)| end <= o);
            let d = if k == 0 { 0 } else { moves[k - 1].1 };
            (o as isize + d) as usize
        };
        let mut offsets: Vec<usize> = self
            .offsets
            .iter()
            .map(|&o| if o == 0 { 0 } else { moved(o) })
            .collect();
        if out.last() != Some(&b'\n') {
            out.push(b'\n');
        }
        for obj in &self.added {
            offsets.push(out.len());
            out.extend_from_slice(obj);
            if out.last() != Some(&b'\n') {
                out.push(b'\n');
            }
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n", offsets.len()).as_bytes());
        for (n, o) in offsets.iter().enumerate() {
            let line = match (n, o) {
                (0, _) => "0000000000 65535 f\r\n".to_string(),
                (_, 0) => "0000000000 00000 f\r\n".to_string(),
                (_, o) => format!("{o:010} 00000 n\r\n"),
            };
            out.extend_from_slice(line.as_bytes());
        }
        out.extend_from_slice(b"trailer\n");
        out.extend_from_slice(&self.pdf[self.trailer.start..size_value.start]);
        out.extend_from_slice(size.to_string().as_bytes());
        out.extend_from_slice(&self.pdf[size_value.end..self.trailer.end]);
        out.extend_from_slice(format!("\nstartxref\n{xref}\n%%EOF\n").as_bytes());
        Ok(out)
    }
}

/// The keys and values of the dictionary at `dict`.
fn entries(b: &[u8], dict: &Range<usize>) -> Result<Vec<(Range<usize>, Range<usize>)>> {
    if !b[dict.clone()].starts_with(b"<<") {
        return Err(unexpected("a dictionary was expected"));
    }
    let mut out = Vec::new();
    let mut i = skip_ws(b, dict.start + 2);
    while i < dict.end - 2 {
        if b[i] != b'/' {
            return Err(unexpected("a dictionary key was expected"));
        }
        let k = i..name_end(b, i + 1);
        let v_start = skip_ws(b, k.end);
        let v_end = value_end(b, v_start, 1)?;
        out.push((k, v_start..v_end));
        i = skip_ws(b, v_end);
    }
    Ok(out)
}

fn is_ws(c: u8) -> bool {
    matches!(c, 0 | b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

fn is_delim(c: u8) -> bool {
    matches!(c, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        if is_ws(b[i]) {
            i += 1;
        } else if b[i] == b'%' {
            while i < b.len() && !matches!(b[i], b'\n' | b'\r') {
                i += 1;
            }
        } else {
            break;
        }
    }
    i
}

fn name_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && !is_ws(b[i]) && !is_delim(b[i]) {
        i += 1;
    }
    i
}

/// An integer at `i` (optionally signed), and where it ends.
fn int_at(b: &[u8], i: usize) -> Option<(i64, usize)> {
    let mut j = i;
    if matches!(b.get(j), Some(b'+' | b'-')) {
        j += 1;
    }
    let digits = j;
    while b.get(j).is_some_and(u8::is_ascii_digit) {
        j += 1;
    }
    if j == digits || j - digits > 18 {
        return None;
    }
    std::str::from_utf8(&b[i..j]).ok()?.parse().ok().map(|n| (n, j))
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Where the value that starts at `i` ends: a dictionary, array, string, name, number,
/// reference, or keyword.
fn value_end(b: &[u8], i: usize, depth: usize) -> Result<usize> {
    if depth > MAX_DEPTH {
        return Err(unexpected("nested too deep"));
    }
    let eof = || unexpected("the file ends inside a value");
    match *b.get(i).ok_or_else(eof)? {
        b'<' if b.get(i + 1) == Some(&b'<') => {
            let mut j = skip_ws(b, i + 2);
            loop {
                match b.get(j) {
                    None => return Err(eof()),
                    Some(b'>') if b.get(j + 1) == Some(&b'>') => return Ok(j + 2),
                    Some(_) => j = skip_ws(b, value_end(b, j, depth + 1)?),
                }
            }
        }
        b'<' => memchr(b, i, b'>').map(|j| j + 1).ok_or_else(eof),
        b'[' => {
            let mut j = skip_ws(b, i + 1);
            loop {
                match b.get(j) {
                    None => return Err(eof()),
                    Some(b']') => return Ok(j + 1),
                    Some(_) => j = skip_ws(b, value_end(b, j, depth + 1)?),
                }
            }
        }
        b'(' => {
            let (mut j, mut open) = (i + 1, 1usize);
            while open > 0 {
                match *b.get(j).ok_or_else(eof)? {
                    b'\\' => j += 1,
                    b'(' => open += 1,
                    b')' => open -= 1,
                    _ => {}
                }
                j += 1;
            }
            Ok(j)
        }
        b'/' => Ok(name_end(b, i + 1)),
        c if c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'.') => {
            let end = name_end(b, i);
            // `N G R` is one value, a reference.
            if let Some((_, j)) = int_at(b, skip_ws(b, end)) {
                let r = skip_ws(b, j);
                if b.get(r) == Some(&b'R') && b.get(r + 1).is_none_or(|&c| is_ws(c) || is_delim(c)) {
                    return Ok(r + 1);
                }
            }
            Ok(end)
        }
        c if c.is_ascii_alphabetic() => Ok(name_end(b, i)),
        _ => Err(unexpected("an unknown token")),
    }
}

fn memchr(b: &[u8], from: usize, c: u8) -> Option<usize> {
    b.get(from..)?.iter().position(|&x| x == c).map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small PDF as Typst writes one: objects, one table, the trailer.
    fn small() -> Vec<u8> {
        let objects = [
            "<</Type/Catalog/Pages 2 0 R/Lang(n\\)b (x))>>",
            "<</Type/Pages/Kids[3 0 R]/Count 1>>",
            "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595.2756 841.8898]>>",
        ];
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(b"xref\n0 4\n0000000000 65535 f\r\n");
        for o in offsets {
            pdf.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
        }
        pdf.extend_from_slice(format!("trailer\n<</Size 4/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n").as_bytes());
        pdf
    }

    #[test]
    fn reads_the_table_and_the_values_of_an_object() {
        let pdf = small();
        let e = PdfEdit::new(&pdf).unwrap();
        let cat = e.object(1).unwrap();
        assert_eq!(e.bytes(&e.get(&cat, "Lang").unwrap().unwrap()), b"(n\\)b (x))");
        let pages = e.get_resolved(&cat, "Pages").unwrap().unwrap();
        let kids = e.get(&pages, "Kids").unwrap().unwrap();
        let items = e.items(&kids).unwrap();
        assert_eq!(items.iter().map(|v| e.reference(v)).collect::<Vec<_>>(), vec![Some(3)]);
        assert_eq!(e.get(&pages, "Count").unwrap().map(|v| e.integer(&v)), Some(Some(1)));
        assert!(e.get(&cat, "Missing").unwrap().is_none());
    }

    #[test]
    fn edits_keep_every_other_byte_and_the_table_points_at_the_objects() {
        let pdf = small();
        let mut e = PdfEdit::new(&pdf).unwrap();
        let cat = e.object(1).unwrap();
        let page = e.object(3).unwrap();
        let added = e.add(|id, c| {
            c.indirect(id).primitive(7);
        });
        e.insert(&cat, "AcroForm", b"<</Fields[]>>");
        e.insert(&page, "Annots", format!("[{} 0 R]", added.get()).as_bytes());
        let out = e.finish().unwrap();
        let doc = lopdf::Document::load_mem(&out).expect("lopdf reads the edited file");
        assert!(doc.catalog().unwrap().has(b"AcroForm"));
        let page = doc.get_dictionary((3, 0)).unwrap();
        assert_eq!(
            page.get(b"Annots").unwrap().as_array().unwrap()[0]
                .as_reference()
                .unwrap(),
            (4, 0)
        );
        assert_eq!(doc.get_object((4, 0)).unwrap().as_i64().unwrap(), 7);
        assert_eq!(doc.trailer.get(b"Size").unwrap().as_i64().unwrap(), 5);
        let first_edit = pdf.windows(2).position(|w| w == b">>").unwrap();
        assert_eq!(
            out[..first_edit],
            pdf[..first_edit],
            "bytes before the first edit are the same"
        );
    }

    #[test]
    fn overlapping_edits_and_a_value_that_is_not_an_array_are_errors() {
        let pdf = small();
        let mut e = PdfEdit::new(&pdf).unwrap();
        let cat = e.object(1).unwrap();
        let lang = e.get(&cat, "Lang").unwrap().unwrap();
        assert!(e.push_items(&lang, b"1 0 R").is_err(), "a string is not an array");
        e.replace(&lang, b"(a)".to_vec());
        e.replace(&(lang.start + 1..lang.end), b"(b)".to_vec());
        assert!(e.finish().unwrap_err().contains("overlap"));
    }

    #[test]
    fn what_typst_does_not_write_is_an_error_not_a_panic() {
        for bad in [
            &b"%PDF-1.7\nstartxref\n99999\n%%EOF"[..],
            b"",
            b"startxref\n0\n",
            b"xref\n0 1\n0000000000 65535 f\r\ntrailer\n<</Size 1/Root 1 0 R\nstartxref\n0\n",
        ] {
            let _ = PdfEdit::new(bad).map(|e| e.object(1));
        }
        let mut deep = b"%PDF\n1 0 obj\n".to_vec();
        deep.extend(std::iter::repeat_n(b'[', 1000));
        let e = PdfEdit {
            pdf: &deep,
            offsets: vec![0, 5],
            xref_at: deep.len(),
            trailer: 0..0,
            splices: Vec::new(),
            added: Vec::new(),
        };
        assert!(e.object(1).unwrap_err().contains("nested too deep"));
    }
}
