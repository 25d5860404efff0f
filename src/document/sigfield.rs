//! Unsigned signature fields over the signature boxes. Typst has no form fields, so the
//! boxes carry a labelled marker; after layout the introspector gives each one's page and
//! position, and the fields are added to the exported PDF with lopdf — with an appearance
//! stream, the print flag and a `Form` structure element, as PDF/A and PDF/UA require.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};
use typst::foundations::Value;
use typst_layout::PagedDocument;

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

fn text(s: &str) -> Object {
    // UTF-16BE with a byte-order mark: any name is representable.
    let mut bytes = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        bytes.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// Add the fields to `pdf`. The result is a whole new file, deterministic for the same input.
pub fn add_fields(pdf: &[u8], fields: &[FieldSpec]) -> Result<Vec<u8>, String> {
    if fields.is_empty() {
        return repair_trailing_cr(pdf.to_vec());
    }
    let mut doc = Document::load_mem(pdf).map_err(|e| format!("cannot read the exported PDF: {e}"))?;
    let pages = doc.get_pages();
    let mut tree = StructTree::read(&doc)?;
    let mut field_refs = Vec::new();
    for f in fields {
        let widget_id = add_field(&mut doc, &pages, f, &mut tree)?;
        field_refs.push(Object::Reference(widget_id));
    }
    tree.link(&mut doc)?;
    set_acroform(&mut doc, field_refs)?;

    avoid_trailing_cr(&mut doc);
    let mut out = Vec::with_capacity(pdf.len() + 4096);
    doc.save_to(&mut out)
        .map_err(|e| format!("cannot write the PDF: {e}"))?;
    if out.last() != Some(&b'\n') {
        out.push(b'\n');
    }
    Ok(out)
}

/// Add one field to its page: appearance stream, widget annotation and Form element.
fn add_field(
    doc: &mut Document,
    pages: &BTreeMap<u32, ObjectId>,
    f: &FieldSpec,
    tree: &mut StructTree,
) -> Result<ObjectId, String> {
    let page_id = *pages
        .get(&(f.page as u32))
        .ok_or_else(|| format!("no page {}", f.page))?;
    let ap_id = doc.add_object(appearance_stream(f));
    let widget_id = doc.add_object(widget(f, page_id, ap_id, tree.next_struct_parent()));
    tree.add_form_element(doc, f, widget_id, page_id);
    add_annotation(doc, page_id, widget_id)?;
    Ok(widget_id)
}

/// The field's (empty) normal appearance: a form XObject the size of its rectangle.
fn appearance_stream(f: &FieldSpec) -> Stream {
    let (w, h) = (f.rect[2] - f.rect[0], f.rect[3] - f.rect[1]);
    let mut ap = Dictionary::new();
    ap.set("Type", Object::Name(b"XObject".to_vec()));
    ap.set("Subtype", Object::Name(b"Form".to_vec()));
    ap.set("BBox", Object::Array(vec![0.into(), 0.into(), w.into(), h.into()]));
    ap.set("Resources", Object::Dictionary(Dictionary::new()));
    Stream::new(ap, Vec::new())
}

/// The merged signature field and widget annotation, printable, with its appearance.
fn widget(f: &FieldSpec, page_id: ObjectId, ap_id: ObjectId, struct_parent: Option<i64>) -> Dictionary {
    let mut widget = Dictionary::new();
    widget.set("Type", Object::Name(b"Annot".to_vec()));
    widget.set("Subtype", Object::Name(b"Widget".to_vec()));
    widget.set("FT", Object::Name(b"Sig".to_vec()));
    widget.set("T", text(&f.name));
    widget.set("TU", text(&f.description));
    widget.set("F", Object::Integer(4));
    widget.set("Rect", Object::Array(f.rect.iter().map(|v| Object::Real(*v)).collect()));
    widget.set("P", Object::Reference(page_id));
    let mut apd = Dictionary::new();
    apd.set("N", Object::Reference(ap_id));
    widget.set("AP", Object::Dictionary(apd));
    if let Some(key) = struct_parent {
        widget.set("StructParent", Object::Integer(key));
    }
    widget
}

/// The `Form` structure element of a widget, under `parent`.
fn form_element(f: &FieldSpec, widget_id: ObjectId, page_id: ObjectId, parent: ObjectId) -> Dictionary {
    let mut objr = Dictionary::new();
    objr.set("Type", Object::Name(b"OBJR".to_vec()));
    objr.set("Obj", Object::Reference(widget_id));
    objr.set("Pg", Object::Reference(page_id));
    let mut elem = Dictionary::new();
    elem.set("Type", Object::Name(b"StructElem".to_vec()));
    elem.set("S", Object::Name(b"Form".to_vec()));
    elem.set("P", Object::Reference(parent));
    elem.set("Pg", Object::Reference(page_id));
    elem.set("Alt", text(&f.description));
    elem.set("K", Object::Dictionary(objr));
    elem
}

/// Add the widget to its page's annotations, with tab order by structure.
fn add_annotation(doc: &mut Document, page_id: ObjectId, widget_id: ObjectId) -> Result<(), String> {
    let page = doc.get_dictionary_mut(page_id).map_err(|e| e.to_string())?;
    match page.get_mut(b"Annots") {
        Ok(Object::Array(a)) => a.push(Object::Reference(widget_id)),
        _ => page.set("Annots", Object::Array(vec![Object::Reference(widget_id)])),
    }
    if !page.has(b"Tabs") {
        page.set("Tabs", Object::Name(b"S".to_vec()));
    }
    Ok(())
}

/// The document's structure tree as the fields' Form elements need it, and the elements
/// added so far.
struct StructTree {
    root: Option<ObjectId>,
    /// The element the Form elements go under: the tree's document element when there is one.
    parent_elem: Option<ObjectId>,
    parent_tree: Option<ObjectId>,
    next_key: i64,
    nums_added: Vec<(i64, ObjectId)>,
    kids_added: Vec<ObjectId>,
}

impl StructTree {
    /// Read the structure tree root of the document's catalog, if it has one.
    fn read(doc: &Document) -> Result<StructTree, String> {
        let catalog = doc.catalog().map_err(|e| e.to_string())?;
        let mut tree = StructTree {
            root: catalog.get(b"StructTreeRoot").and_then(Object::as_reference).ok(),
            parent_elem: None,
            parent_tree: None,
            next_key: 0,
            nums_added: Vec::new(),
            kids_added: Vec::new(),
        };
        if let Some(root_id) = tree.root {
            let root = doc.get_dictionary(root_id).map_err(|e| e.to_string())?;
            tree.parent_elem = match root.get(b"K") {
                Ok(Object::Reference(r)) => Some(*r),
                Ok(Object::Array(a)) => a.iter().find_map(|o| o.as_reference().ok()),
                _ => None,
            };
            tree.parent_tree = root.get(b"ParentTree").and_then(Object::as_reference).ok();
            tree.next_key = root.get(b"ParentTreeNextKey").and_then(Object::as_i64).unwrap_or(0);
        }
        Ok(tree)
    }

    /// The `StructParent` key of the next widget, when Form elements are added.
    fn next_struct_parent(&self) -> Option<i64> {
        self.parent_elem.map(|_| self.next_key)
    }

    /// Add the Form element of a widget (when there is an element to put it under).
    fn add_form_element(&mut self, doc: &mut Document, f: &FieldSpec, widget_id: ObjectId, page_id: ObjectId) {
        if let Some(parent) = self.parent_elem {
            let elem_id = doc.add_object(form_element(f, widget_id, page_id, parent));
            self.nums_added.push((self.next_key, elem_id));
            self.kids_added.push(elem_id);
            self.next_key += 1;
        }
    }

    /// Link the added Form elements into the tree: as kids of their parent element and in
    /// the parent tree, whose next key is advanced.
    fn link(&self, doc: &mut Document) -> Result<(), String> {
        let Some(parent) = self.parent_elem else {
            return Ok(());
        };
        let elem = doc.get_dictionary_mut(parent).map_err(|e| e.to_string())?;
        let mut kids = match elem.get(b"K") {
            Ok(Object::Array(a)) => a.clone(),
            Ok(other) => vec![other.clone()],
            Err(_) => Vec::new(),
        };
        kids.extend(self.kids_added.iter().map(|k| Object::Reference(*k)));
        elem.set("K", Object::Array(kids));
        let root_id = self.root.ok_or("no structure tree")?;
        let tree = parent_tree_mut(doc, self.parent_tree, root_id)?;
        match tree.get_mut(b"Nums") {
            Ok(Object::Array(nums)) => {
                for (k, id) in &self.nums_added {
                    nums.push(Object::Integer(*k));
                    nums.push(Object::Reference(*id));
                }
            }
            _ => return Err("the structure parent tree is not a flat number tree".into()),
        }
        let root = doc.get_dictionary_mut(root_id).map_err(|e| e.to_string())?;
        root.set("ParentTreeNextKey", Object::Integer(self.next_key));
        Ok(())
    }
}

/// The parent tree: the object `parent_tree`, or else the root's own (created empty if missing).
fn parent_tree_mut(
    doc: &mut Document,
    parent_tree: Option<ObjectId>,
    root_id: ObjectId,
) -> Result<&mut Dictionary, String> {
    match parent_tree {
        Some(id) => doc.get_dictionary_mut(id).map_err(|e| e.to_string()),
        None => {
            let root = doc.get_dictionary_mut(root_id).map_err(|e| e.to_string())?;
            if !root.has(b"ParentTree") {
                root.set(
                    "ParentTree",
                    Object::Dictionary(Dictionary::from_iter([("Nums", Object::Array(vec![]))])),
                );
            }
            root.get_mut(b"ParentTree")
                .and_then(Object::as_dict_mut)
                .map_err(|e| e.to_string())
        }
    }
}

/// Set the catalog's interactive form to the fields.
fn set_acroform(doc: &mut Document, field_refs: Vec<Object>) -> Result<(), String> {
    let mut acroform = Dictionary::new();
    acroform.set("Fields", Object::Array(field_refs));
    let catalog = doc.catalog_mut().map_err(|e| e.to_string())?;
    catalog.set("AcroForm", Object::Dictionary(acroform));
    Ok(())
}

/// PDF/A validators may read stream data that ends in a carriage return as ending one byte
/// early (the CR looks like part of the end-of-line marker before `endstream`) and reject
/// the file. A zlib stream ends in the checksum of its data, so such a stream gets white
/// space appended to its data, which changes the checksum; only page content streams and
/// object streams, where trailing white space means nothing, are changed.
fn avoid_trailing_cr(doc: &mut Document) {
    use std::io::Write;
    let mut ids: Vec<ObjectId> = Vec::new();
    for page in doc.get_pages().into_values() {
        match doc.get_dictionary(page).and_then(|d| d.get(b"Contents")) {
            Ok(Object::Reference(id)) => ids.push(*id),
            Ok(Object::Array(a)) => ids.extend(a.iter().filter_map(|o| o.as_reference().ok())),
            _ => {}
        }
    }
    for (id, obj) in &doc.objects {
        if let Object::Stream(s) = obj
            && matches!(s.dict.get(b"Type"), Ok(Object::Name(n)) if n == b"ObjStm")
        {
            ids.push(*id);
        }
    }
    for id in ids {
        let Ok(Object::Stream(s)) = doc.get_object_mut(id) else {
            continue;
        };
        let flate = matches!(s.dict.get(b"Filter"), Ok(Object::Name(n)) if n == b"FlateDecode");
        if s.content.last() != Some(&b'\r') || !flate || s.dict.has(b"DecodeParms") {
            continue;
        }
        let Ok(plain) = s.decompressed_content() else {
            continue;
        };
        for pad in 1..=4 {
            let mut padded = plain.clone();
            padded.resize(plain.len() + pad, b'\n');
            let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
            let Ok(packed) = enc.write_all(&padded).and_then(|()| enc.finish()) else {
                break;
            };
            if packed.last() != Some(&b'\r') {
                s.set_content(packed);
                break;
            }
        }
    }
}

/// The same repair for a PDF without signature fields, which is otherwise Typst's output
/// unchanged: rewritten only when a stream's data ends in a carriage return.
pub fn repair_trailing_cr(pdf: Vec<u8>) -> Result<Vec<u8>, String> {
    if !pdf.windows(11).any(|w| w == b"\r\nendstream") {
        return Ok(pdf);
    }
    let mut doc = Document::load_mem(&pdf).map_err(|e| format!("cannot read the exported PDF: {e}"))?;
    avoid_trailing_cr(&mut doc);
    let mut out = Vec::with_capacity(pdf.len());
    doc.save_to(&mut out)
        .map_err(|e| format!("cannot write the PDF: {e}"))?;
    Ok(out)
}

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
        let mut doc = Document::with_version("1.7");
        let mut dict = Dictionary::new();
        dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        let id = doc.add_object(Stream::new(dict.clone(), zlib(&plain)));
        // Any other stream, such as font data or an ICC profile, is left alone.
        let font_id = doc.add_object(Stream::new(dict, zlib(&plain)));
        let pages_id = doc.new_object_id();
        let page_id = doc.add_object(Dictionary::from_iter([
            ("Type", Object::Name(b"Page".to_vec())),
            ("Parent", Object::Reference(pages_id)),
            ("Contents", Object::Reference(id)),
        ]));
        doc.objects.insert(
            pages_id,
            Object::Dictionary(Dictionary::from_iter([
                ("Type", Object::Name(b"Pages".to_vec())),
                ("Kids", Object::Array(vec![Object::Reference(page_id)])),
                ("Count", Object::Integer(1)),
            ])),
        );
        let catalog_id = doc.add_object(Dictionary::from_iter([
            ("Type", Object::Name(b"Catalog".to_vec())),
            ("Pages", Object::Reference(pages_id)),
        ]));
        doc.trailer.set("Root", Object::Reference(catalog_id));

        avoid_trailing_cr(&mut doc);
        let s = doc.get_object(id).unwrap().as_stream().unwrap();
        assert_ne!(s.content.last(), Some(&b'\r'));
        let back = s.decompressed_content().unwrap();
        assert_eq!(back.trim_ascii_end(), plain.as_slice(), "only white space was added");
        let f = doc.get_object(font_id).unwrap().as_stream().unwrap();
        assert_eq!(f.content, zlib(&plain));
    }
}
