//! The signature fields of a PDF and who signed them.

use lopdf::{Document, Object};

use crate::verify::report::Field;

/// The signature fields of a PDF, whether each is signed, and by whom.
pub fn signature_fields(doc: &Document) -> Vec<Field> {
    let mut out = Vec::new();
    let pages = doc.get_pages();
    let Ok(catalog) = doc.catalog() else { return out };
    let Some(form) = catalog
        .get(b"AcroForm")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
    else {
        return out;
    };
    let Ok(Object::Array(fields)) = form.get(b"Fields").and_then(|o| doc.dereference(o).map(|x| x.1)) else {
        return out;
    };
    for f in fields {
        let Some(dict) = doc.dereference(f).ok().and_then(|(_, o)| o.as_dict().ok()) else {
            continue;
        };
        if !matches!(dict.get(b"FT"), Ok(Object::Name(n)) if n == b"Sig") {
            continue;
        }
        let name = dict
            .get(b"T")
            .ok()
            .and_then(|o| lopdf::decode_text_string(o).ok())
            .unwrap_or_default();
        let page = dict
            .get(b"P")
            .and_then(Object::as_reference)
            .ok()
            .and_then(|p| pages.iter().find(|(_, id)| **id == p).map(|(n, _)| *n));
        let value = dict
            .get(b"V")
            .ok()
            .and_then(|o| doc.dereference(o).ok())
            .and_then(|(_, o)| o.as_dict().ok());
        let signer = value.and_then(|v| {
            v.get(b"Name")
                .ok()
                .and_then(|o| lopdf::decode_text_string(o).ok())
                .or_else(|| {
                    v.get(b"Contents")
                        .ok()
                        .and_then(|c| c.as_str().ok())
                        .and_then(common_name)
                })
        });
        out.push(Field {
            name,
            page,
            signed: value.is_some(),
            signer,
        });
    }
    out
}

/// The subject common name of the signing certificate in a CMS signature: the last
/// `CN` attribute of the first certificate (its issuer's comes first).
fn common_name(der: &[u8]) -> Option<String> {
    const CN_OID: [u8; 5] = [0x06, 0x03, 0x55, 0x04, 0x03];
    let mut names = Vec::new();
    let mut i = 0;
    while i + CN_OID.len() + 2 < der.len() {
        if der[i..i + CN_OID.len()] == CN_OID {
            let tag = der[i + 5];
            let len = der[i + 6] as usize;
            if matches!(tag, 0x0C | 0x13 | 0x16 | 0x1E) && len < 0x80 && i + 7 + len <= der.len() {
                names.push(String::from_utf8_lossy(&der[i + 7..i + 7 + len]).into_owned());
            }
        }
        i += 1;
    }
    names.get(1).or(names.first()).cloned()
}
