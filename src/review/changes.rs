//! What changed between two views of an agreement, in plain words, grouped by section.

use serde::Serialize;

use crate::catalog::DELINGSVILKAAR;
use crate::document::view::{TjenesteView, View};

#[derive(Debug, Serialize)]
pub struct Change {
    pub section: &'static str,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct AgreementDiff {
    pub id: String,
    pub changes: Vec<Change>,
    /// Unified diff of the text rendering.
    pub diff: String,
}

fn push(changes: &mut Vec<Change>, section: &'static str, what: &str, old: &str, new: &str) {
    if old != new {
        changes.push(Change {
            section,
            message: format!("{what} changed from «{old}» to «{new}»"),
        });
    }
}

/// Entries only in `old` are reported as `removed`, entries only in `new` as `added`.
fn set_changes(c: &mut Vec<Change>, section: &'static str, old: &[String], new: &[String], removed: &str, added: &str) {
    for x in old.iter().filter(|x| !new.contains(x)) {
        c.push(Change {
            section,
            message: format!("{removed}: {x}"),
        });
    }
    for x in new.iter().filter(|x| !old.contains(x)) {
        c.push(Change {
            section,
            message: format!("{added}: {x}"),
        });
    }
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("–")
}

fn terms_version(v: &View, id: &str) -> Option<String> {
    v.dokumenter.iter().find(|d| d.id == id).map(|d| d.versjon.clone())
}

/// What changed between two views of an agreement, grouped by section.
pub fn changes(a: &View, b: &View) -> Vec<Change> {
    let mut c = Vec::new();
    avtale_changes(&mut c, a, b);
    party_changes(&mut c, a, b);
    contact_changes(&mut c, a, b);
    signatory_changes(&mut c, a, b);
    service_changes(&mut c, a, b);
    processor_changes(&mut c, a, b);
    terms_changes(&mut c, a, b);
    c
}

/// The agreement itself: id, dates, status, what it replaces.
fn avtale_changes(c: &mut Vec<Change>, a: &View, b: &View) {
    push(c, "avtale", "the agreement id", &a.id, &b.id);
    push(c, "avtale", "the date", &a.dato, &b.dato);
    push(c, "avtale", "the status", &a.status, &b.status);
    push(c, "avtale", "the start date", opt(&a.gyldig_fra), opt(&b.gyldig_fra));
    push(
        c,
        "avtale",
        "the replaced agreement",
        opt(&a.erstatter),
        opt(&b.erstatter),
    );
}

/// The consumer and its segment.
fn party_changes(c: &mut Vec<Change>, a: &View, b: &View) {
    let (ka, kb) = (&a.konsument, &b.konsument);
    push(c, "parter", "the consumer's name", &ka.navn, &kb.navn);
    push(c, "parter", "the consumer's organisation number", &ka.orgnr, &kb.orgnr);
    push(
        c,
        "parter",
        "the organisation form",
        opt(&ka.organisasjonsform),
        opt(&kb.organisasjonsform),
    );
    push(c, "parter", "the postal address", &ka.adresse, &kb.adresse);
    push(
        c,
        "parter",
        "the notification address",
        &ka.varslingsadresse,
        &kb.varslingsadresse,
    );
    let seg = |v: &View| {
        v.segment
            .as_ref()
            .map(|s| format!("{} ({}, {})", s.id, s.ansvarlig_navn, s.ansvarlig_orgnr))
    };
    push(c, "parter", "the segment", opt(&seg(a)), opt(&seg(b)));
}

/// Contacts, matched by role.
fn contact_changes(c: &mut Vec<Change>, a: &View, b: &View) {
    for kx in &a.kontakter {
        match b.kontakter.iter().find(|y| y.rolle == kx.rolle) {
            None => c.push(Change {
                section: "kontakter",
                message: format!("the {} contact {} removed", kx.rolle, kx.navn),
            }),
            Some(ky) => {
                let who = format!("the {} contact's", kx.rolle);
                push(c, "kontakter", &format!("{who} name"), &kx.navn, &ky.navn);
                push(
                    c,
                    "kontakter",
                    &format!("{who} title"),
                    opt(&kx.tittel),
                    opt(&ky.tittel),
                );
                push(c, "kontakter", &format!("{who} e-mail"), &kx.epost, &ky.epost);
                push(
                    c,
                    "kontakter",
                    &format!("{who} phone"),
                    opt(&kx.telefon),
                    opt(&ky.telefon),
                );
            }
        }
    }
    for ky in b
        .kontakter
        .iter()
        .filter(|y| !a.kontakter.iter().any(|x| x.rolle == y.rolle))
    {
        c.push(Change {
            section: "kontakter",
            message: format!("a {} contact added: {} ({})", ky.rolle, ky.navn, ky.epost),
        });
    }
}

/// Signatories, as a set.
fn signatory_changes(c: &mut Vec<Change>, a: &View, b: &View) {
    let sig = |v: &View| {
        v.signatarer
            .iter()
            .map(|s| format!("{}, {}, {}", s.navn, s.tittel, s.fullmakt))
            .collect::<Vec<_>>()
    };
    set_changes(
        c,
        "signatarer",
        &sig(a),
        &sig(b),
        "signatory removed",
        "signatory added",
    );
}

/// Services, matched by service and rights package.
fn service_changes(c: &mut Vec<Change>, a: &View, b: &View) {
    let key = |t: &TjenesteView| (t.id.clone(), t.pakke.clone());
    for tx in &a.tjenester {
        match b.tjenester.iter().find(|ty| key(ty) == key(tx)) {
            None => c.push(Change {
                section: "tjenester",
                message: format!("service `{}` with rights package `{}` removed", tx.id, tx.pakke),
            }),
            Some(ty) => {
                let what = |f: &str| format!("`{}`: the {f}", tx.id);
                push(c, "tjenester", &what("purpose"), &tx.formaal, &ty.formaal);
                push(c, "tjenester", &what("environments"), &tx.miljoe, &ty.miljoe);
                push(c, "tjenester", &what("connection"), &tx.tilkobling, &ty.tilkobling);
                let basis = |t: &TjenesteView| format!("{}: {}", t.utlevering_type, t.utlevering_henvisning);
                push(c, "tjenester", &what("disclosure basis"), &basis(tx), &basis(ty));
                let proc = |t: &TjenesteView| format!("{}: {}", t.behandling_type, t.behandling_henvisning);
                push(c, "tjenester", &what("processing basis"), &proc(tx), &proc(ty));
                push(
                    c,
                    "tjenester",
                    &what("own statute"),
                    opt(&tx.egen_hjemmel),
                    opt(&ty.egen_hjemmel),
                );
                push(
                    c,
                    "tjenester",
                    &what("return addresses"),
                    &tx.retur_url.join(", "),
                    &ty.retur_url.join(", "),
                );
                push(
                    c,
                    "vilkaar",
                    &format!("bruksvilkår for `{}`", tx.id),
                    &tx.bruksvilkaar,
                    &ty.bruksvilkaar,
                );
            }
        }
    }
    for ty in b
        .tjenester
        .iter()
        .filter(|ty| !a.tjenester.iter().any(|tx| key(tx) == key(ty)))
    {
        c.push(Change {
            section: "tjenester",
            message: format!(
                "service `{}` added with rights package `{}` ({})",
                ty.id,
                ty.pakke,
                ty.utlevering_type.to_lowercase()
            ),
        });
    }
}

/// Data processors, as a set.
fn processor_changes(c: &mut Vec<Change>, a: &View, b: &View) {
    let dbh = |v: &View| {
        v.databehandlere
            .iter()
            .map(|d| {
                format!(
                    "{} ({}), {}, {}, {}",
                    d.navn, d.orgnr, d.rolle, d.avtaledato, d.tjenester
                )
            })
            .collect::<Vec<_>>()
    };
    set_changes(
        c,
        "databehandlere",
        &dbh(a),
        &dbh(b),
        "data processor removed or changed",
        "data processor added or changed",
    );
}

/// The delingsvilkår version.
fn terms_changes(c: &mut Vec<Change>, a: &View, b: &View) {
    if let (Some(x), Some(y)) = (terms_version(a, DELINGSVILKAAR), terms_version(b, DELINGSVILKAAR))
        && x != y
    {
        c.push(Change {
            section: "vilkaar",
            message: format!("delingsvilkår {x} → {y}"),
        });
    }
}
