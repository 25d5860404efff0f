//! Which agreements reference a terms version, a service or a rights package, and which
//! pin terms that are superseded or withdrawn.

use std::path::PathBuf;

use serde::Serialize;

use crate::catalog::{Catalogue, DELINGSVILKAAR, TermsStatus};
use crate::input::load::{Loaded, Run};

/// What to look for; an empty query only lists agreements on superseded terms.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// A terms version: (document, version).
    pub terms: Option<(String, String)>,
    pub service: Option<String>,
    pub package: Option<String>,
}

impl Query {
    fn filtering(&self) -> bool {
        self.terms.is_some() || self.service.is_some() || self.package.is_some()
    }
}

/// `DOCUMENT@VERSION` as a terms version the catalogue has.
pub fn parse_terms(spec: &str, cat: &Catalogue) -> Result<(String, String), String> {
    match spec.split_once('@') {
        Some((d, v)) if cat.terms(d).is_some_and(|doc| doc.version(v).is_some()) => Ok((d.to_string(), v.to_string())),
        _ => Err(format!(
            "`{spec}` is not a terms version in the catalogue (write DOCUMENT@VERSION, e.g. iskr@2023-01)"
        )),
    }
}

#[derive(Debug, Serialize)]
pub struct ImpactHit {
    pub id: String,
    pub file: PathBuf,
    pub member: Option<usize>,
    /// What the agreement references that matched.
    pub matches: Vec<String>,
}

/// The answer to a query.
#[derive(Debug)]
pub struct Impact {
    /// Whether the query asked for anything (else `matching` is empty).
    pub filtering: bool,
    pub matching: Vec<ImpactHit>,
    /// Agreements pinning superseded or withdrawn terms.
    pub superseded: Vec<ImpactHit>,
}

/// Every terms pin of an agreement: (document, version, where).
fn pins(a: &Loaded, cat: &Catalogue) -> Vec<(String, String, String)> {
    let ag = &a.agreement;
    let mut pins = Vec::new();
    if let Some(p) = &ag.vilkaar.delingsvilkaar {
        pins.push((DELINGSVILKAAR.into(), p.v.clone(), "delingsvilkaar".into()));
    }
    for t in &ag.tjeneste {
        if let (Some(sid), Some(pin)) = (&t.id, &t.bruksvilkaar)
            && let Some(s) = cat.service(&sid.v)
        {
            pins.push((s.bruksvilkaar.clone(), pin.v.clone(), format!("tjeneste {}", sid.v)));
        }
    }
    pins
}

/// What of the query an agreement matches; `None` when it misses any part of it.
fn matches(a: &Loaded, pins: &[(String, String, String)], q: &Query) -> Option<Vec<String>> {
    let mut found = Vec::new();
    if let Some((d, v)) = &q.terms {
        let hits: Vec<String> = pins
            .iter()
            .filter(|(pd, pv, _)| pd == d && pv == v)
            .map(|(pd, pv, w)| format!("{pd}@{pv} ({w})"))
            .collect();
        if hits.is_empty() {
            return None;
        }
        found.extend(hits);
    }
    if q.service.is_some() || q.package.is_some() {
        let hits: Vec<String> = a
            .agreement
            .tjeneste
            .iter()
            .filter(|t| {
                q.service
                    .as_ref()
                    .is_none_or(|s| t.id.as_ref().is_some_and(|x| &x.v == s))
            })
            .filter(|t| {
                q.package
                    .as_ref()
                    .is_none_or(|p| t.rettighetspakke.as_ref().is_some_and(|x| &x.v == p))
            })
            .map(|t| {
                format!(
                    "tjeneste {} / {}",
                    t.id.as_ref().map(|x| x.v.as_str()).unwrap_or(""),
                    t.rettighetspakke.as_ref().map(|x| x.v.as_str()).unwrap_or("")
                )
            })
            .collect();
        if hits.is_empty() {
            return None;
        }
        found.extend(hits);
    }
    Some(found)
}

/// The pins of superseded or withdrawn terms, described.
fn stale_pins(pins: &[(String, String, String)], cat: &Catalogue) -> Vec<String> {
    pins.iter()
        .filter_map(|(d, v, w)| {
            let doc = cat.terms(d)?;
            let st = doc.version(v)?.status;
            (st != TermsStatus::Gjeldende).then(|| {
                let cur = doc
                    .current()
                    .map(|c| format!(", current {}", c.versjon))
                    .unwrap_or_default();
                format!("{d}@{v} ({w}; {}{cur})", st.label())
            })
        })
        .collect()
}

/// Answer a query over the agreements of a run.
pub fn impact(run: &Run, cat: &Catalogue, q: &Query) -> Impact {
    let mut out = Impact {
        filtering: q.filtering(),
        matching: Vec::new(),
        superseded: Vec::new(),
    };
    for a in &run.agreements {
        let id = a.agreement.avtale.id.as_ref().map(|s| s.v.clone()).unwrap_or_default();
        let pins = pins(a, cat);
        let hit = |matches: Vec<String>| ImpactHit {
            id: id.clone(),
            file: a.origin.file.clone(),
            member: a.origin.member,
            matches,
        };
        if out.filtering
            && let Some(found) = matches(a, &pins, q)
        {
            out.matching.push(hit(found));
        }
        let old = stale_pins(&pins, cat);
        if !old.is_empty() {
            out.superseded.push(hit(old));
        }
    }
    out
}
