//! Comparison of consecutive revisions: what changed, and whether a signature revision or a
//! DSS-only revision may change it.

use std::collections::BTreeSet;

use lopdf::{Dictionary, Document, ObjectId};

use super::pdf;
use super::roles::{Role, Roles, roles};

/// One changed object, described.
#[derive(Debug)]
pub(crate) struct Change {
    pub text: String,
    /// Allowed in a revision that a signature covers.
    pub in_signature: bool,
    /// Allowed in a DSS/document-timestamp-only revision.
    pub in_dss: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Added,
    Changed,
    Removed,
}

struct Ctx<'a> {
    rev: usize,
    old: &'a Document,
    new: &'a Document,
    old_roles: Roles,
    new_roles: Roles,
}

/// Keys whose values differ between two dictionaries.
fn changed_keys(old: &Dictionary, new: &Dictionary) -> BTreeSet<Vec<u8>> {
    let mut keys = BTreeSet::new();
    for (k, v) in old.iter() {
        if new.get(k).map_or(true, |n| !pdf::same_value(v, n)) {
            keys.insert(k.clone());
        }
    }
    for (k, _) in new.iter() {
        if !old.has(k) {
            keys.insert(k.clone());
        }
    }
    keys
}

fn only(keys: &BTreeSet<Vec<u8>>, allowed: &[&[u8]]) -> bool {
    keys.iter().all(|k| allowed.contains(&k.as_slice()))
}

fn key_list(keys: &BTreeSet<Vec<u8>>) -> String {
    keys.iter()
        .map(|k| format!("/{}", String::from_utf8_lossy(k)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The set of references an array entry of a dictionary holds.
fn ref_set(doc: &Document, dict: &Dictionary, key: &[u8]) -> BTreeSet<ObjectId> {
    pdf::array(doc, dict, key)
        .into_iter()
        .flatten()
        .filter_map(|o| o.as_reference().ok())
        .collect()
}

impl Ctx<'_> {
    fn dicts(&self, id: ObjectId) -> (Option<&Dictionary>, Option<&Dictionary>) {
        (pdf::dict_by_id(self.old, id), pdf::dict_by_id(self.new, id))
    }

    fn change(&self, text: String, in_signature: bool, in_dss: bool) -> Change {
        Change {
            text: format!("revision {} {text}", self.rev),
            in_signature,
            in_dss,
        }
    }

    fn sig_value(&self, kind: Kind, name: &str) -> Change {
        let was_signed = self.old_roles.signed_fields.get(name).copied().unwrap_or(false);
        match kind {
            Kind::Added if !was_signed => self.change(format!("adds the signature of field {name}"), true, false),
            _ => self.change(format!("changes the signature value of field {name}"), false, false),
        }
    }

    fn sig_field(&self, kind: Kind, id: ObjectId, name: &str) -> Change {
        let was_signed = self.old_roles.signed_fields.get(name).copied().unwrap_or(false);
        let (Some(old), Some(new), Kind::Changed) = (self.dicts(id).0, self.dicts(id).1, kind) else {
            return self.change(format!("adds or removes signature field {name}"), false, false);
        };
        let keys = changed_keys(old, new);
        if !was_signed && only(&keys, &[b"V", b"AP"]) {
            self.change(format!("fills signature field {name}"), true, false)
        } else {
            self.change(
                format!("changes signature field {name} ({})", key_list(&keys)),
                false,
                false,
            )
        }
    }

    fn sig_widget(&self, kind: Kind, id: ObjectId, name: &str) -> Change {
        let (Some(old), Some(new), Kind::Changed) = (self.dicts(id).0, self.dicts(id).1, kind) else {
            return self.change(
                format!("adds or removes a widget of signature field {name}"),
                false,
                false,
            );
        };
        let keys = changed_keys(old, new);
        let merged = self.new_roles.of(id).contains(&Role::SigField(name.to_string()));
        let allowed: &[&[u8]] = if merged { &[b"AP", b"V"] } else { &[b"AP"] };
        let ok = only(&keys, allowed) && !self.old_roles.signed_fields.get(name).copied().unwrap_or(false);
        self.change(
            format!("changes the widget of signature field {name} ({})", key_list(&keys)),
            ok,
            false,
        )
    }

    fn acroform_ok(&self, old: &Dictionary, new: &Dictionary) -> bool {
        let keys = changed_keys(old, new);
        let fields_same = ref_set(self.old, old, b"Fields") == ref_set(self.new, new, b"Fields");
        keys.iter()
            .all(|k| k.as_slice() == b"SigFlags" || (k.as_slice() == b"Fields" && fields_same))
    }

    fn acroform(&self, kind: Kind, id: ObjectId) -> Change {
        let ((Some(old), Some(new)), Kind::Changed) = (self.dicts(id), kind) else {
            return self.change("replaces the AcroForm dictionary".into(), false, false);
        };
        let text = format!(
            "changes the AcroForm dictionary ({})",
            key_list(&changed_keys(old, new))
        );
        self.change(text, self.acroform_ok(old, new), false)
    }

    fn catalog(&self, kind: Kind, id: ObjectId) -> Change {
        let ((Some(old), Some(new)), Kind::Changed) = (self.dicts(id), kind) else {
            return self.change("replaces the document catalog".into(), false, false);
        };
        let keys = changed_keys(old, new);
        // The AcroForm written in the catalog, or moved out of it into an object of its own.
        let inline_acroform_ok = match (
            pdf::get_dict(self.old, old, b"AcroForm"),
            pdf::get_dict(self.new, new, b"AcroForm"),
        ) {
            (Some(o), Some(n)) => self.acroform_ok(o, n),
            _ => false,
        };
        let sig_ok = keys.iter().all(|k| match k.as_slice() {
            // pyHanko's default policy also accepts developer extensions and a version bump.
            b"DSS" | b"Metadata" | b"Extensions" | b"Version" => true,
            b"AcroForm" => inline_acroform_ok,
            _ => false,
        });
        let dss_ok = only(&keys, &[b"DSS", b"Metadata"]);
        self.change(format!("changes the catalog ({})", key_list(&keys)), sig_ok, dss_ok)
    }

    fn page(&self, kind: Kind, id: ObjectId, n: u32) -> Change {
        let ((Some(old), Some(new)), Kind::Changed) = (self.dicts(id), kind) else {
            let verb = if kind == Kind::Added { "adds" } else { "removes" };
            return self.change(format!("{verb} page {n}"), false, false);
        };
        let keys = changed_keys(old, new);
        let old_annots = ref_set(self.old, old, b"Annots");
        let new_annots = ref_set(self.new, new, b"Annots");
        let text = if new_annots.difference(&old_annots).next().is_some() {
            format!("adds an annotation to page {n}")
        } else if old_annots.difference(&new_annots).next().is_some() {
            format!("removes an annotation from page {n}")
        } else if keys.contains(b"Contents".as_slice()) {
            format!("changes the content of page {n}")
        } else {
            format!("changes page {n} ({})", key_list(&keys))
        };
        self.change(text, false, false)
    }
}

impl Ctx<'_> {
    fn describe(&self, kind: Kind, id: ObjectId, role: &Role) -> Change {
        let verb = match kind {
            Kind::Added => "adds",
            Kind::Changed => "changes",
            Kind::Removed => "removes",
        };
        match role {
            Role::SigValue(name) => self.sig_value(kind, name),
            Role::SigField(name) => self.sig_field(kind, id, name),
            Role::SigWidget(name) => self.sig_widget(kind, id, name),
            Role::SigAppearance(name) => {
                let ok = kind != Kind::Removed;
                self.change(format!("{verb} the appearance of signature field {name}"), ok, false)
            }
            Role::AcroForm => self.acroform(kind, id),
            Role::Catalog => self.catalog(kind, id),
            Role::Page(n) => self.page(kind, id, *n),
            Role::PageContent(n) => self.change(format!("changes the content of page {n}"), false, false),
            Role::PageResource(n) => self.change(format!("{verb} a resource of page {n}"), false, false),
            Role::Annotation(n) if kind == Kind::Added => {
                self.change(format!("adds an annotation to page {n}"), false, false)
            }
            Role::Annotation(n) => self.change(format!("{verb} an annotation on page {n}"), false, false),
            Role::PageTree => self.change("changes the page tree".into(), false, false),
            Role::Field(_) => self.change(format!("{verb} a form field"), false, false),
            Role::Dss => self.change(format!("{verb} DSS data"), kind != Kind::Removed, kind != Kind::Removed),
            Role::Metadata => self.change("updates the XMP metadata".into(), true, true),
            Role::Info => self.change("updates the document information dictionary".into(), true, true),
            Role::Container => self.change(format!("{verb} a cross-reference or object stream"), true, true),
            Role::EmbeddedFile => self.change(format!("{verb} an embedded file"), false, false),
            Role::Names => self.change("changes the Names tree".into(), false, false),
            Role::Other => {
                let text = format!("{verb} object {} {} that no signature needs", id.0, id.1);
                self.change(text, false, false)
            }
        }
    }

    /// Describes one object change: every role the object has in the old or new revision must allow it.
    fn describe_all(&self, kind: Kind, id: ObjectId) -> Vec<Change> {
        let mut roles = match kind {
            Kind::Added => self.new_roles.of(id),
            Kind::Removed => self.old_roles.of(id),
            Kind::Changed => {
                let mut r = self.new_roles.of(id);
                r.extend(self.old_roles.of(id).into_iter().filter(|o| *o != Role::Other));
                r
            }
        };
        if roles.len() > 1 {
            roles.retain(|r| *r != Role::Other);
        }
        if roles
            .iter()
            .any(|r| matches!(r, Role::SigWidget(_) | Role::SigAppearance(_)))
        {
            roles.retain(|r| !matches!(r, Role::Annotation(_)));
        }
        roles.iter().map(|role| self.describe(kind, id, role)).collect()
    }
}

/// The changes from the revision `old` to the revision `new` (`rev` is the 1-based number of `new`).
pub(crate) fn changes(old: &Document, new: &Document, rev: usize) -> Vec<Change> {
    let ctx = Ctx {
        rev,
        old,
        new,
        old_roles: roles(old),
        new_roles: roles(new),
    };
    let mut out = Vec::new();
    for (id, obj) in &new.objects {
        match old.objects.get(id) {
            None => out.extend(ctx.describe_all(Kind::Added, *id)),
            Some(prev) if !pdf::same_value(prev, obj) => out.extend(ctx.describe_all(Kind::Changed, *id)),
            Some(_) => {}
        }
    }
    for id in old.objects.keys() {
        if !new.objects.contains_key(id) {
            out.extend(ctx.describe_all(Kind::Removed, *id));
        }
    }
    if ctx.old_roles.page_count != ctx.new_roles.page_count {
        let text = format!(
            "changes the number of pages from {} to {}",
            ctx.old_roles.page_count, ctx.new_roles.page_count
        );
        out.push(ctx.change(text, false, false));
    }
    merge(out)
}

/// Merges changes with the same text; a merged change is allowed only where all of them are.
fn merge(changes: Vec<Change>) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for c in changes {
        match index.get(&c.text).and_then(|&i| out.get_mut(i)) {
            Some(o) => {
                o.in_signature &= c.in_signature;
                o.in_dss &= c.in_dss;
            }
            None => {
                index.insert(c.text.clone(), out.len());
                out.push(c);
            }
        }
    }
    out
}
