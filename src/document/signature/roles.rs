//! What each object of a revision is: page, content stream, annotation, signature field, ...

use std::collections::{HashMap, HashSet, VecDeque};

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::{fields, pdf};

/// Most objects visited by one reachability walk.
const MAX_REACH: usize = 200_000;
/// Most roles recorded for one object.
const MAX_ROLES_PER_OBJECT: usize = 8;

/// A role of an object in a revision.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Role {
    Catalog,
    AcroForm,
    PageTree,
    Page(u32),
    PageContent(u32),
    PageResource(u32),
    Annotation(u32),
    SigField(String),
    SigWidget(String),
    SigValue(String),
    SigAppearance(String),
    Field(String),
    Dss,
    Metadata,
    Info,
    Container,
    EmbeddedFile,
    Names,
    Other,
}

/// The roles of the objects of one revision.
#[derive(Default)]
pub(crate) struct Roles {
    map: HashMap<ObjectId, Vec<Role>>,
    pub page_count: usize,
    /// Field name to whether its `/V` is set.
    pub signed_fields: HashMap<String, bool>,
}

impl Roles {
    fn add(&mut self, id: ObjectId, role: Role) {
        let roles = self.map.entry(id).or_default();
        if roles.len() < MAX_ROLES_PER_OBJECT && !roles.contains(&role) {
            roles.push(role);
        }
    }

    /// The roles of `id`, or `[Other]` when nothing refers to it in a way we know.
    pub(crate) fn of(&self, id: ObjectId) -> Vec<Role> {
        self.map.get(&id).cloned().unwrap_or_else(|| vec![Role::Other])
    }
}

/// Every object id reachable from `start` (not crossing into pages or the page tree).
fn reach(doc: &Document, start: &Object) -> Vec<ObjectId> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut queue: VecDeque<&Object> = VecDeque::from([start]);
    while let Some(obj) = queue.pop_front() {
        if seen.len() >= MAX_REACH {
            break;
        }
        match obj {
            Object::Reference(id) => {
                if !seen.insert(*id) {
                    continue;
                }
                let Some(target) = doc.objects.get(id) else { continue };
                let kind = pdf::as_dict(target)
                    .and_then(|d| d.get(b"Type").ok())
                    .and_then(|t| t.as_name().ok());
                if matches!(kind, Some(b"Page" | b"Pages")) {
                    continue;
                }
                out.push(*id);
                queue.push_back(target);
            }
            Object::Array(items) => queue.extend(items.iter()),
            Object::Dictionary(d) => queue.extend(d.iter().map(|(_, v)| v)),
            Object::Stream(s) => queue.extend(s.dict.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    out
}

fn add_reach(roles: &mut Roles, doc: &Document, start: Option<&Object>, role: &Role) {
    if let Some(start) = start {
        for id in reach(doc, start) {
            roles.add(id, role.clone());
        }
    }
}

fn add_fields(roles: &mut Roles, doc: &Document) {
    for field in fields::all_fields(doc) {
        let Some(sig) = field.sig else {
            continue;
        };
        let name = sig.name.clone();
        roles.signed_fields.insert(name.clone(), sig.value.is_some());
        if let Some(id) = sig.id {
            roles.add(id, Role::SigField(name.clone()));
        }
        if let Some(id) = sig.value.as_ref().and_then(|v| v.id) {
            roles.add(id, Role::SigValue(name.clone()));
        }
        for w in &sig.widgets {
            roles.add(*w, Role::SigWidget(name.clone()));
            let ap = pdf::dict_by_id(doc, *w).and_then(|d| d.get(b"AP").ok());
            add_reach(roles, doc, ap, &Role::SigAppearance(name.clone()));
        }
    }
    for id in field_node_ids(doc) {
        if !roles.map.contains_key(&id) {
            roles.add(id, Role::Field(String::new()));
        }
    }
}

/// The ids of every node of the `/Fields` tree (for non-signature fields and intermediate nodes).
fn field_node_ids(doc: &Document) -> Vec<ObjectId> {
    let Some((_, catalog)) = pdf::catalog(doc) else {
        return Vec::new();
    };
    let Some(acroform) = pdf::get_dict(doc, catalog, b"AcroForm") else {
        return Vec::new();
    };
    acroform.get(b"Fields").map(|f| reach(doc, f)).unwrap_or_default()
}

fn add_pages(roles: &mut Roles, doc: &Document) {
    let pages = pdf::pages(doc);
    roles.page_count = pages.len();
    for (n, id) in pages {
        roles.add(id, Role::Page(n));
        let Some(page) = pdf::dict_by_id(doc, id) else { continue };
        for c in doc.get_page_contents(id) {
            roles.add(c, Role::PageContent(n));
        }
        add_reach(roles, doc, page.get(b"Contents").ok(), &Role::PageContent(n));
        add_reach(roles, doc, page.get(b"Resources").ok(), &Role::PageResource(n));
        for annot in pdf::array(doc, page, b"Annots").into_iter().flatten() {
            if let Ok(annot_id) = annot.as_reference() {
                roles.add(annot_id, Role::Annotation(n));
                let ap = pdf::dict_by_id(doc, annot_id).and_then(|d| d.get(b"AP").ok());
                add_reach(roles, doc, ap, &Role::Annotation(n));
            }
        }
    }
}

fn add_page_tree(roles: &mut Roles, doc: &Document, catalog: &Dictionary) {
    let mut queue: Vec<ObjectId> = catalog
        .get(b"Pages")
        .ok()
        .and_then(|p| p.as_reference().ok())
        .into_iter()
        .collect();
    let mut seen = HashSet::new();
    while let Some(id) = queue.pop() {
        if seen.len() >= MAX_REACH || !seen.insert(id) {
            continue;
        }
        let Some(node) = pdf::dict_by_id(doc, id) else { continue };
        if pdf::name(doc, node, b"Type") != Some(b"Pages") {
            continue;
        }
        roles.add(id, Role::PageTree);
        for kid in pdf::array(doc, node, b"Kids").into_iter().flatten() {
            if let Ok(k) = kid.as_reference() {
                queue.push(k);
            }
        }
    }
}

fn add_by_type(roles: &mut Roles, doc: &Document) {
    for (id, obj) in &doc.objects {
        let Some(dict) = pdf::as_dict(obj) else { continue };
        match dict.get(b"Type").ok().and_then(|t| t.as_name().ok()) {
            Some(b"XRef" | b"ObjStm") => roles.add(*id, Role::Container),
            Some(b"EmbeddedFile" | b"Filespec") => roles.add(*id, Role::EmbeddedFile),
            _ => {}
        }
    }
}

/// Works out the roles of every object of `doc`.
pub(crate) fn roles(doc: &Document) -> Roles {
    let mut roles = Roles::default();
    add_fields(&mut roles, doc);
    if let Ok(info) = doc.trailer.get(b"Info") {
        add_reach(&mut roles, doc, Some(info), &Role::Info);
    }
    if let Some((id, catalog)) = pdf::catalog(doc) {
        roles.add(id, Role::Catalog);
        if let Ok(Object::Reference(af)) = catalog.get(b"AcroForm") {
            roles.add(*af, Role::AcroForm);
        }
        add_reach(&mut roles, doc, catalog.get(b"DSS").ok(), &Role::Dss);
        add_reach(&mut roles, doc, catalog.get(b"Metadata").ok(), &Role::Metadata);
        add_reach(&mut roles, doc, catalog.get(b"Names").ok(), &Role::Names);
        add_page_tree(&mut roles, doc, catalog);
    }
    add_pages(&mut roles, doc);
    add_by_type(&mut roles, doc);
    roles
}
