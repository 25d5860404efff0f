//! The comparison of two versions of agreement files: agreements paired by id, the changes
//! in plain words, and a unified diff of their text.

use serde::Serialize;

use crate::catalog::lang::Texts;
use crate::catalog::{BASE_LANGUAGE, Catalogue};
use crate::document::text::agreement_text;
use crate::document::view::{self, View};
use crate::input::load::Run;
use crate::review::changes::{Change, changes};

#[derive(Debug, Serialize)]
pub struct AgreementDiff {
    pub id: String,
    pub changes: Vec<Change>,
    /// Unified diff of the text rendering.
    pub diff: String,
}

/// What differs between the agreements of two sides.
#[derive(Debug, Default)]
pub struct Comparison {
    pub agreements: Vec<AgreementDiff>,
    /// Agreements added or removed.
    pub notes: Vec<String>,
}

impl Comparison {
    pub fn changed(&self) -> bool {
        !self.agreements.is_empty() || !self.notes.is_empty()
    }
}

/// Each agreement's view in its own language (for the text diff) and in bokmål (for the
/// changes in plain words, so that a change of language does not show as every label changed).
pub fn views(run: &Run, cat: &Catalogue, texts: &Texts) -> Result<Vec<(View, View)>, String> {
    let mut out = Vec::new();
    for a in &run.agreements {
        if a.has_errors() {
            return Err("has errors (run avtale check)".into());
        }
        let own = view::view(&a.agreement, cat, texts).map_err(|e| e.0)?;
        let base = if own.spraak == BASE_LANGUAGE {
            own.clone()
        } else {
            view::view_in(&a.agreement, cat, texts.table(BASE_LANGUAGE)).map_err(|e| e.0)?
        };
        out.push((own, base));
    }
    Ok(out)
}

/// Compare the views of two sides (from [`views`]); `labels` head the text diffs.
pub fn compare(old: &[(View, View)], new: &[(View, View)], cat: &Catalogue, labels: (&str, &str)) -> Comparison {
    let mut result = Comparison::default();
    for (a, b) in pairs(old, new) {
        match (a, b) {
            (Some(a), Some(b)) => result.agreements.extend(compare_one(a, b, cat, labels)),
            (Some((a, _)), None) => result.notes.push(Change::agreement_removed(&a.id).message),
            (None, Some((b, _))) => result.notes.push(Change::agreement_added(&b.id).message),
            (None, None) => {}
        }
    }
    result
}

/// What changed between two sides, in words only: the changes of each agreement on both
/// sides and the agreements removed or added, without the text diffs `compare` also makes.
pub fn word_changes(old: &[(View, View)], new: &[(View, View)]) -> Vec<Change> {
    let mut out = Vec::new();
    for (a, b) in pairs(old, new) {
        match (a, b) {
            (Some(a), Some(b)) => out.extend(agreement_changes(a, b)),
            (Some((a, _)), None) => out.push(Change::agreement_removed(&a.id)),
            (None, Some((b, _))) => out.push(Change::agreement_added(&b.id)),
            (None, None) => {}
        }
    }
    out
}

/// The changes in words of one agreement, the language first.
fn agreement_changes((a, a_base): &(View, View), (b, b_base): &(View, View)) -> Vec<Change> {
    let mut changes = changes(a_base, b_base);
    if a.spraak != b.spraak {
        changes.insert(0, Change::language(&a.spraak, &b.spraak));
    }
    changes
}

type Pair<'a> = (Option<&'a (View, View)>, Option<&'a (View, View)>);

/// The agreements of two sides paired: one with one whatever their ids, else by id.
fn pairs<'a>(va: &'a [(View, View)], vb: &'a [(View, View)]) -> Vec<Pair<'a>> {
    if va.len() == 1 && vb.len() == 1 {
        return vec![(Some(&va[0]), Some(&vb[0]))];
    }
    let mut p: Vec<Pair> = va
        .iter()
        .map(|a| (Some(a), vb.iter().find(|b| b.0.id == a.0.id)))
        .collect();
    p.extend(
        vb.iter()
            .filter(|b| !va.iter().any(|a| a.0.id == b.0.id))
            .map(|b| (None, Some(b))),
    );
    p
}

fn compare_one(
    old: &(View, View),
    new: &(View, View),
    cat: &Catalogue,
    (old_label, new_label): (&str, &str),
) -> Option<AgreementDiff> {
    let (a, b) = (&old.0, &new.0);
    let ta = agreement_text(a, cat).unwrap_or_default();
    let tb = agreement_text(b, cat).unwrap_or_default();
    let changes = agreement_changes(old, new);
    if changes.is_empty() && ta == tb {
        return None;
    }
    let diff = similar::TextDiff::from_lines(&ta, &tb)
        .unified_diff()
        .context_radius(3)
        .header(old_label, new_label)
        .to_string();
    Some(AgreementDiff {
        id: b.id.clone(),
        changes,
        diff,
    })
}
