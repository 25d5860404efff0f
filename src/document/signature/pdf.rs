//! Small helpers over lopdf objects with bounded reference chains.

use lopdf::{Dictionary, Document, Object, ObjectId};

/// How many indirect references in a row are followed before giving up.
pub(crate) const MAX_REF_CHAIN: usize = 32;

/// Follows references from `obj` (bounded); returns the id of the last reference followed, if any.
pub(crate) fn resolve<'a>(doc: &'a Document, obj: &'a Object) -> Option<(Option<ObjectId>, &'a Object)> {
    let mut current = obj;
    let mut id = None;
    for _ in 0..MAX_REF_CHAIN {
        match current {
            Object::Reference(r) => {
                id = Some(*r);
                current = doc.objects.get(r)?;
            }
            other => return Some((id, other)),
        }
    }
    None
}

/// The value of `key` in `dict`, references followed.
pub(crate) fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    resolve(doc, dict.get(key).ok()?).map(|(_, o)| o)
}

/// The dictionary of `key` in `dict` (a stream's dictionary counts).
pub(crate) fn get_dict<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    as_dict(get(doc, dict, key)?)
}

pub(crate) fn as_dict(obj: &Object) -> Option<&Dictionary> {
    match obj {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// The dictionary an object id holds (a stream's dictionary counts).
pub(crate) fn dict_by_id(doc: &Document, id: ObjectId) -> Option<&Dictionary> {
    as_dict(resolve(doc, doc.objects.get(&id)?)?.1)
}

pub(crate) fn name<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    match get(doc, dict, key)? {
        Object::Name(n) => Some(n),
        _ => None,
    }
}

pub(crate) fn name_string(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<String> {
    name(doc, dict, key).map(|n| String::from_utf8_lossy(n).into_owned())
}

pub(crate) fn string<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    match get(doc, dict, key)? {
        Object::String(s, _) => Some(s),
        _ => None,
    }
}

/// A text string (PDFDocEncoding or UTF-16BE) as a Rust string.
pub(crate) fn text(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<String> {
    let obj = get(doc, dict, key)?;
    lopdf::decode_text_string(obj).ok()
}

pub(crate) fn array<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Vec<Object>> {
    match get(doc, dict, key)? {
        Object::Array(a) => Some(a),
        _ => None,
    }
}

/// The catalog's id and dictionary.
pub(crate) fn catalog(doc: &Document) -> Option<(ObjectId, &Dictionary)> {
    let id = doc.trailer.get(b"Root").ok()?.as_reference().ok()?;
    Some((id, dict_by_id(doc, id)?))
}

/// Pages in order: page number (1-based) to page id.
pub(crate) fn pages(doc: &Document) -> Vec<(u32, ObjectId)> {
    doc.get_pages().into_iter().collect()
}

/// Whether two objects are equal for the purpose of comparing revisions: streams compare by
/// dictionary and raw content, not by where they were read from.
pub(crate) fn same_value(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Stream(x), Object::Stream(y)) => x.dict == y.dict && x.content == y.content,
        // A text string rewritten in another encoding (UTF-16 as PDFDocEncoding, hex as
        // literal) says the same thing; signing tools do that when they rewrite a field.
        (Object::String(x, _), Object::String(y, _)) => {
            x == y
                || matches!(
                    (lopdf::decode_text_string(a), lopdf::decode_text_string(b)),
                    (Ok(s), Ok(t)) if s == t
                )
        }
        _ => a == b,
    }
}
