//! Unsigned signature fields over the signature boxes. Typst has no form fields, so the
//! boxes carry a labelled marker; after layout the introspector gives each one's page and
//! position, and the fields are added to the exported PDF (see `pdfedit`) — with an appearance
//! stream, the print flag and a `Form` structure element, as PDF/A and PDF/UA require.

use std::collections::BTreeMap;
use std::ops::Range;

use pdf_writer::types::{AnnotationFlags, FieldType, StructRole};
use pdf_writer::{Chunk, Rect, Ref, TextStr};
use typst::foundations::Value;
use typst_layout::PagedDocument;

use crate::document::pdfedit::PdfEdit;

/// A signature field to add: its name, its description for assistive technology, and
/// where it goes (1-based page, rectangle in PDF points from the bottom left).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub name: String,
    pub description: String,
    pub page: usize,
    pub rect: [f32; 4],
}

/// Prefix of the labels that mark signature boxes (and of the fields' names).
pub const LABEL_PREFIX: &str = "signatar-";

/// The signature boxes of a laid-out document, in the order of their names.
pub fn locate(doc: &PagedDocument) -> Vec<FieldSpec> {
    let intr = doc.introspector();
    let mut out = Vec::new();
    for content in intr.elements().query_labelled() {
        let Some(label) = content.label() else { continue };
        let name = label.resolve().to_string();
        if !name.starts_with(LABEL_PREFIX) {
            continue;
        }
        let Ok(Value::Dict(dict)) = content.field_by_name("value") else {
            continue;
        };
        let num = |k: &str| match dict.get(k) {
            Ok(Value::Float(f)) => Some(*f),
            Ok(Value::Int(i)) => Some(*i as f64),
            _ => None,
        };
        let (Some(w), Some(h)) = (num("bredde"), num("hoyde")) else {
            continue;
        };
        let description = match dict.get("beskrivelse") {
            Ok(Value::Str(s)) => s.to_string(),
            _ => name.clone(),
        };
        let Some(pos) = content.location().and_then(|l| intr.position(l)) else {
            continue;
        };
        let page = pos.page.get();
        let Some(frame) = doc.pages().get(page - 1).map(|p| &p.frame) else {
            continue;
        };
        let height = frame.height().to_pt();
        let (x, y) = (pos.point.x.to_pt(), pos.point.y.to_pt());
        out.push(FieldSpec {
            name,
            description,
            page,
            rect: [x as f32, (height - y - h) as f32, (x + w) as f32, (height - y) as f32],
        });
    }
    out.sort_by_key(|f| natural_key(&f.name));
    out
}

fn natural_key(name: &str) -> (usize, String) {
    let n = name.trim_start_matches(LABEL_PREFIX).parse().unwrap_or(usize::MAX);
    (n, name.to_string())
}

/// Add the fields to the PDF Typst exported, and mend page content whose data ends in a
/// carriage return. Only the objects that change are read and written again; every other
/// byte stays as Typst wrote it, and the same input gives the same bytes.
pub fn finish_pdf(pdf: Vec<u8>, fields: &[FieldSpec]) -> Result<Vec<u8>, String> {
    if fields.is_empty() && !pdf.windows(11).any(|w| w == b"\r\nendstream") {
        return Ok(pdf);
    }
    let mut e = PdfEdit::new(&pdf)?;
    let root = e
        .get(&e.trailer(), "Root")?
        .and_then(|v| e.reference(&v))
        .ok_or("the exported PDF has no catalog")?;
    let catalog = e.object(root)?;
    let pages = page_objects(&e, &catalog)?;
    let mut mended = std::collections::HashSet::new();
    for (_, page) in &pages {
        avoid_trailing_cr(&mut e, page, &mut mended)?;
    }
    if !fields.is_empty() {
        add_fields(&mut e, &catalog, &pages, fields)?;
    }
    e.finish()
}

/// The pages in order: their numbers and dictionaries.
fn page_objects(e: &PdfEdit, catalog: &Range<usize>) -> Result<Vec<(Ref, Range<usize>)>, String> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut todo = vec![(
        e.get(catalog, "Pages")?
            .and_then(|v| e.reference(&v))
            .ok_or("no page tree")?,
        0,
    )];
    while let Some((id, depth)) = todo.pop() {
        if !seen.insert(id) {
            return Err("the page tree names an object twice".into());
        }
        let node = e.object(id)?;
        match e.get(&node, "Kids")? {
            Some(kids) if depth < 32 => {
                let kids = e.items(&kids)?;
                todo.extend(kids.iter().rev().filter_map(|k| e.reference(k)).map(|k| (k, depth + 1)));
            }
            Some(_) => return Err("the page tree is nested too deep".into()),
            None => out.push((Ref::new(id as i32), node)),
        }
    }
    Ok(out)
}

/// Add the fields: for each, its appearance, its widget on the page and its Form element;
/// then the form in the catalog.
fn add_fields(
    e: &mut PdfEdit,
    catalog: &Range<usize>,
    pages: &[(Ref, Range<usize>)],
    fields: &[FieldSpec],
) -> Result<(), String> {
    let tree = StructTree::read(e, catalog)?;
    let mut key = tree.next_key;
    let mut widgets = Vec::new();
    let mut forms = Vec::new();
    let mut on_page: BTreeMap<usize, Vec<Ref>> = BTreeMap::new();
    for f in fields {
        let (page_id, _) = pages
            .get(f.page.wrapping_sub(1))
            .ok_or_else(|| format!("no page {}", f.page))?;
        let ap = e.add(|id, c| appearance_stream(c, id, f));
        let struct_parent = tree.parent.as_ref().map(|_| key);
        let widget = e.add(|id, c| widget(c, id, f, *page_id, ap, struct_parent));
        if let Some((parent, _)) = &tree.parent {
            forms.push((key, e.add(|id, c| form_element(c, id, f, widget, *page_id, *parent))));
            key += 1;
        }
        on_page.entry(f.page - 1).or_default().push(widget);
        widgets.push(widget);
    }
    for (i, ids) in on_page {
        let page = &pages[i].1;
        match e.get_resolved(page, "Annots")? {
            Some(annots) => e.push_items(&annots, refs(&ids).as_bytes())?,
            None => e.insert(page, "Annots", format!("[{}]", refs(&ids)).as_bytes()),
        }
        if e.get(page, "Tabs")?.is_none() {
            e.insert(page, "Tabs", b"/S");
        }
    }
    tree.link(e, &forms, key)?;
    if e.get(catalog, "AcroForm")?.is_some() {
        return Err("the exported PDF has a form already".into());
    }
    e.insert(
        catalog,
        "AcroForm",
        format!("<</Fields[{}]>>", refs(&widgets)).as_bytes(),
    );
    Ok(())
}

/// References as a PDF writes them in an array: `1 0 R 2 0 R`.
fn refs(ids: &[Ref]) -> String {
    ids.iter()
        .map(|r| format!("{} 0 R", r.get()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn rect(f: &FieldSpec) -> Rect {
    Rect::new(f.rect[0], f.rect[1], f.rect[2], f.rect[3])
}

/// The field's (empty) normal appearance: a form XObject the size of its rectangle.
fn appearance_stream(c: &mut Chunk, id: Ref, f: &FieldSpec) {
    let (w, h) = (f.rect[2] - f.rect[0], f.rect[3] - f.rect[1]);
    let mut x = c.form_xobject(id, &[]);
    x.bbox(Rect::new(0.0, 0.0, w, h));
    x.resources();
}

/// The merged signature field and widget annotation, printable, with its appearance.
fn widget(c: &mut Chunk, id: Ref, f: &FieldSpec, page: Ref, ap: Ref, struct_parent: Option<i32>) {
    let mut field = c.form_field(id);
    field.field_type(FieldType::Signature);
    field.partial_name(TextStr(&f.name));
    field.alternate_name(TextStr(&f.description));
    let mut annot = field.into_annotation();
    annot.flags(AnnotationFlags::PRINT);
    annot.rect(rect(f));
    annot.page(page);
    annot.appearance().normal().stream(ap);
    if let Some(key) = struct_parent {
        annot.struct_parent(key);
    }
}

/// The `Form` structure element of a widget, under `parent`.
fn form_element(c: &mut Chunk, id: Ref, f: &FieldSpec, widget: Ref, page: Ref, parent: Ref) {
    let mut elem = c.struct_element(id);
    elem.kind(StructRole::Form);
    elem.parent(parent);
    elem.page(page);
    elem.alt(TextStr(&f.description));
    elem.object_child().object(widget).page(page);
}

/// Where the Form elements go in the document's structure tree: under the tree's document
/// element, with their keys in its parent tree.
struct StructTree {
    root: Option<Range<usize>>,
    /// The element the Form elements go under: the tree's document element.
    parent: Option<(Ref, Range<usize>)>,
    /// The parent tree's `/Nums` array.
    nums: Option<Range<usize>>,
    next_key: i32,
}

impl StructTree {
    /// Read the structure tree root of the catalog, if it has one.
    fn read(e: &PdfEdit, catalog: &Range<usize>) -> Result<StructTree, String> {
        let mut tree = StructTree {
            root: e.get_resolved(catalog, "StructTreeRoot")?,
            parent: None,
            nums: None,
            next_key: 0,
        };
        let Some(root) = &tree.root else { return Ok(tree) };
        let first = match e.get(root, "K")? {
            Some(k) if e.reference(&k).is_some() => e.reference(&k),
            Some(k) if e.bytes(&k).starts_with(b"[") => e.items(&k)?.iter().find_map(|i| e.reference(i)),
            _ => None,
        };
        let id = first.ok_or("the structure tree has no document element for the fields")?;
        tree.parent = Some((Ref::new(id as i32), e.object(id)?));
        if let Some(pt) = e.get_resolved(root, "ParentTree")? {
            match e.get(&pt, "Nums")? {
                Some(nums) if e.bytes(&nums).starts_with(b"[") => tree.nums = Some(nums),
                _ => return Err("the structure parent tree is not a flat number tree".into()),
            }
        }
        match e.get(root, "ParentTreeNextKey")? {
            Some(v) => {
                tree.next_key = e
                    .integer(&v)
                    .and_then(|n| i32::try_from(n).ok())
                    .ok_or("the structure tree's next key is not a number")?;
            }
            // Without a next key, keys already in the parent tree could be given twice.
            None if tree.nums.is_some() => return Err("the structure tree has no next key".into()),
            None => {}
        }
        Ok(tree)
    }

    /// Link the Form elements into the tree: as kids of their parent element and in the
    /// parent tree, whose next key becomes `next_key`.
    fn link(&self, e: &mut PdfEdit, forms: &[(i32, Ref)], next_key: i32) -> Result<(), String> {
        let (Some(root), Some((_, parent))) = (&self.root, &self.parent) else {
            return Ok(());
        };
        if forms.is_empty() {
            return Ok(());
        }
        let kids = refs(&forms.iter().map(|(_, r)| *r).collect::<Vec<_>>());
        match e.get(parent, "K")? {
            Some(k) if e.bytes(&k).starts_with(b"[") => e.push_items(&k, kids.as_bytes())?,
            Some(k) => {
                let old = String::from_utf8_lossy(e.bytes(&k)).into_owned();
                e.replace(&k, format!("[{old} {kids}]").into_bytes());
            }
            None => e.insert(parent, "K", format!("[{kids}]").as_bytes()),
        }
        let pairs = forms
            .iter()
            .map(|(k, r)| format!("{k} {} 0 R", r.get()))
            .collect::<Vec<_>>()
            .join(" ");
        match &self.nums {
            Some(nums) => e.push_items(nums, pairs.as_bytes())?,
            None => e.insert(root, "ParentTree", format!("<</Nums[{pairs}]>>").as_bytes()),
        }
        match e.get(root, "ParentTreeNextKey")? {
            Some(v) => e.replace(&v, next_key.to_string().into_bytes()),
            None => e.insert(root, "ParentTreeNextKey", next_key.to_string().as_bytes()),
        }
        Ok(())
    }
}

/// PDF/A validators may read stream data that ends in a carriage return as ending one byte
/// early (the CR looks like part of the end-of-line marker before `endstream`) and reject
/// the file. A zlib stream ends in the checksum of its data, so such a page content stream
/// gets white space appended to its data, which changes the checksum and means nothing.
/// Other streams (fonts, images, attached files) are left as they are: white space would
/// change what they hold.
/// `mended` holds the streams looked at so far (pages may share one).
fn avoid_trailing_cr(
    e: &mut PdfEdit,
    page: &Range<usize>,
    mended: &mut std::collections::HashSet<u32>,
) -> Result<(), String> {
    use std::io::{Read, Write};
    let contents = match e.get(page, "Contents")? {
        Some(v) if e.bytes(&v).starts_with(b"[") => e.items(&v)?,
        Some(v) => vec![v],
        None => Vec::new(),
    };
    for c in contents {
        let Some(id) = e.reference(&c).filter(|id| mended.insert(*id)) else {
            continue;
        };
        let dict = e.object(id)?;
        let flate = e.get(&dict, "Filter")?.is_some_and(|v| e.bytes(&v) == b"/FlateDecode");
        if !flate || e.get(&dict, "DecodeParms")?.is_some() {
            continue;
        }
        let data = e.stream_data(&dict)?;
        let packed = e.bytes(&data);
        if packed.last() != Some(&b'\r') {
            continue;
        }
        let mut plain = Vec::new();
        flate2::read::ZlibDecoder::new(packed)
            .take(MAX_PAGE_CONTENT + 1)
            .read_to_end(&mut plain)
            .map_err(|err| format!("cannot read page content: {err}"))?;
        if plain.len() as u64 > MAX_PAGE_CONTENT {
            return Err("a page's content is over 256 MiB".into());
        }
        for pad in 1..=4 {
            let mut padded = plain.clone();
            padded.resize(plain.len() + pad, b'\n');
            let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
            let again = enc
                .write_all(&padded)
                .and_then(|()| enc.finish())
                .map_err(|err| format!("cannot write page content: {err}"))?;
            if again.last() != Some(&b'\r') {
                let length = e.get(&dict, "Length")?.ok_or("a stream without a length")?;
                e.replace(&length, again.len().to_string().into_bytes());
                e.replace(&data, again);
                break;
            }
        }
    }
    Ok(())
}

/// Most bytes one page's content may take when it is read to be mended.
const MAX_PAGE_CONTENT: u64 = 256 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    fn zlib(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn content_streams_never_end_in_a_carriage_return() {
        // Find page content whose zlib form ends in CR, as some of Typst's output does.
        let plain = (0..100_000)
            .map(|i| format!("q {i} 0 0 {i} 0 0 cm Q").into_bytes())
            .find(|p| zlib(p).last() == Some(&b'\r'))
            .expect("some content compresses to a trailing CR");
        // A page whose content is that stream, and a font-like stream with the same data.
        let packed = zlib(&plain);
        let mut pdf = pdf_writer::Pdf::new();
        let (catalog, pages, page, content, other) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5));
        pdf.catalog(catalog).pages(pages);
        pdf.pages(pages).kids([page]).count(1);
        pdf.page(page).parent(pages).contents(content);
        pdf.stream(content, &packed).filter(pdf_writer::Filter::FlateDecode);
        pdf.stream(other, &packed).filter(pdf_writer::Filter::FlateDecode);
        let bytes = pdf.finish();
        assert!(bytes.windows(11).any(|w| w == b"\r\nendstream"));

        let out = finish_pdf(bytes, &[]).unwrap();
        let doc = lopdf::Document::load_mem(&out).unwrap();
        let s = doc.get_object((4, 0)).unwrap().as_stream().unwrap();
        assert_ne!(s.content.last(), Some(&b'\r'));
        let back = s.decompressed_content().unwrap();
        assert_eq!(back.trim_ascii_end(), plain.as_slice(), "only white space was added");
        let f = doc.get_object((5, 0)).unwrap().as_stream().unwrap();
        assert_eq!(f.content, packed);
    }
}
