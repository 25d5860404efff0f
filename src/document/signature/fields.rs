//! Signature fields read from the AcroForm `/Fields` tree.

use std::collections::{HashMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::pdf;

/// Depth limit for the `/Kids` tree.
const MAX_FIELD_DEPTH: usize = 32;
/// Limit on the number of field nodes visited.
const MAX_FIELD_NODES: usize = 10_000;

/// The `/V` signature dictionary of a field.
#[derive(Clone, Debug, Default)]
pub(crate) struct SigValue {
    pub id: Option<ObjectId>,
    pub type_name: Option<String>,
    pub sub_filter: Option<String>,
    pub byte_range: Option<Vec<i64>>,
    pub contents: Option<Vec<u8>>,
    pub m: Option<Vec<u8>>,
    pub name: Option<String>,
}

/// A terminal signature field.
#[derive(Clone, Debug)]
pub(crate) struct SigField {
    pub name: String,
    pub id: Option<ObjectId>,
    pub widgets: Vec<ObjectId>,
    pub page: Option<u32>,
    pub value: Option<SigValue>,
}

/// A non-signature or signature terminal field, for the signer's error messages.
#[derive(Clone, Debug)]
pub(crate) struct AnyField {
    pub name: String,
    pub sig: Option<SigField>,
}

struct Walk<'a> {
    doc: &'a Document,
    seen: HashSet<ObjectId>,
    nodes: usize,
    out: Vec<AnyField>,
    annot_pages: HashMap<ObjectId, u32>,
}

/// Which page's `/Annots` holds each annotation.
fn annotation_pages(doc: &Document) -> HashMap<ObjectId, u32> {
    let mut map = HashMap::new();
    for (number, page_id) in pdf::pages(doc) {
        let Some(page) = pdf::dict_by_id(doc, page_id) else {
            continue;
        };
        for annot in pdf::array(doc, page, b"Annots").into_iter().flatten() {
            if let Object::Reference(id) = annot {
                map.entry(*id).or_insert(number);
            }
        }
    }
    map
}

fn read_value(doc: &Document, field: &Dictionary) -> Option<SigValue> {
    let (id, obj) = pdf::resolve(doc, field.get(b"V").ok()?)?;
    let dict = pdf::as_dict(obj)?;
    let byte_range = pdf::array(doc, dict, b"ByteRange").map(|a| a.iter().filter_map(|o| o.as_i64().ok()).collect());
    Some(SigValue {
        id,
        type_name: pdf::name_string(doc, dict, b"Type"),
        sub_filter: pdf::name_string(doc, dict, b"SubFilter"),
        byte_range,
        contents: pdf::string(doc, dict, b"Contents").map(<[u8]>::to_vec),
        m: pdf::string(doc, dict, b"M").map(<[u8]>::to_vec),
        name: pdf::text(doc, dict, b"Name"),
    })
}

impl Walk<'_> {
    fn visit(&mut self, obj: &Object, parent_name: &str, parent_ft: Option<&[u8]>, depth: usize) {
        if depth > MAX_FIELD_DEPTH || self.nodes >= MAX_FIELD_NODES {
            return;
        }
        self.nodes += 1;
        let Some((id, node)) = pdf::resolve(self.doc, obj) else {
            return;
        };
        if let Some(id) = id
            && !self.seen.insert(id)
        {
            return;
        }
        let Some(dict) = pdf::as_dict(node) else { return };
        let doc = self.doc;
        let partial = pdf::text(doc, dict, b"T");
        let name = match (&partial, parent_name.is_empty()) {
            (Some(p), true) => p.clone(),
            (Some(p), false) => format!("{parent_name}.{p}"),
            (None, _) => parent_name.to_string(),
        };
        let ft = pdf::name(doc, dict, b"FT").or(parent_ft);
        let kids = pdf::array(doc, dict, b"Kids").cloned().unwrap_or_default();
        let field_kids: Vec<&Object> = kids.iter().filter(|k| self.kid_has_name(k)).collect();
        if !field_kids.is_empty() {
            for kid in field_kids {
                self.visit(kid, &name, ft, depth + 1);
            }
            return;
        }
        let mut widgets: Vec<ObjectId> = kids.iter().filter_map(|k| k.as_reference().ok()).collect();
        if pdf::name(doc, dict, b"Subtype") == Some(b"Widget")
            && let Some(id) = id
        {
            widgets.insert(0, id);
        }
        self.push_terminal(dict, id, name, ft == Some(b"Sig"), widgets);
    }

    fn kid_has_name(&self, kid: &Object) -> bool {
        pdf::resolve(self.doc, kid)
            .and_then(|(_, o)| pdf::as_dict(o))
            .is_some_and(|d| d.has(b"T"))
    }

    fn push_terminal(&mut self, dict: &Dictionary, id: Option<ObjectId>, name: String, sig: bool, w: Vec<ObjectId>) {
        let page = w.iter().find_map(|w| self.annot_pages.get(w).copied());
        let sig_field = sig.then(|| SigField {
            name: name.clone(),
            id,
            widgets: w,
            page,
            value: read_value(self.doc, dict),
        });
        self.out.push(AnyField { name, sig: sig_field });
    }
}

/// Every terminal field of the AcroForm, in `/Fields` order.
pub(crate) fn all_fields(doc: &Document) -> Vec<AnyField> {
    let Some((_, catalog)) = pdf::catalog(doc) else {
        return Vec::new();
    };
    let Some(acroform) = pdf::get_dict(doc, catalog, b"AcroForm") else {
        return Vec::new();
    };
    let Some(fields) = pdf::array(doc, acroform, b"Fields") else {
        return Vec::new();
    };
    let mut walk = Walk {
        doc,
        seen: HashSet::new(),
        nodes: 0,
        out: Vec::new(),
        annot_pages: annotation_pages(doc),
    };
    for field in fields {
        walk.visit(field, "", None, 0);
    }
    walk.out
}

/// The signature fields of the AcroForm.
pub(crate) fn signature_fields(doc: &Document) -> Vec<SigField> {
    all_fields(doc).into_iter().filter_map(|f| f.sig).collect()
}
