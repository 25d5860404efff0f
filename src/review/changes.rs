//! What changed between two views of an agreement, in plain words, grouped by section.

use serde::Serialize;

use crate::base::i18n::{Lang, Msg};
use crate::catalog::DELINGSVILKAAR;
use crate::document::view::{TjenesteView, View};

#[derive(Debug, Serialize)]
pub struct Change {
    pub section: &'static str,
    /// The change in English (the JSON contract and `avtale diff`).
    pub message: String,
    /// The same from the message catalogue, for another language (`in_lang`).
    #[serde(skip)]
    pub text: Msg,
}

impl Change {
    fn new(section: &'static str, text: Msg) -> Change {
        Change {
            section,
            message: text.render(Lang::En),
            text,
        }
    }

    /// An agreement on the old side only.
    pub fn agreement_removed(id: &str) -> Change {
        Change::new("avtale", Msg::new("change-agreement-removed").arg("id", id))
    }

    /// An agreement on the new side only.
    pub fn agreement_added(id: &str) -> Change {
        Change::new("avtale", Msg::new("change-agreement-added").arg("id", id))
    }

    /// The document's language changed.
    pub fn language(old: &str, new: &str) -> Change {
        Change::new("avtale", what("language").arg("old", old).arg("new", new))
    }

    /// The change in `lang`.
    pub fn in_lang(&self, lang: Lang) -> String {
        self.text.render(lang)
    }
}

/// What changed, named for the catalogue's `change-value` (`the date`, `the { $role }
/// contact's name`), with the values that name needs.
fn what_of(key: &'static str, role: &str, id: &str) -> Msg {
    Msg::new("change-value")
        .arg("what", key)
        .arg("role", role)
        .arg("id", id)
}

/// What changed, for a name that needs neither a role nor a service.
fn what(key: &'static str) -> Msg {
    what_of(key, "", "")
}

#[derive(Debug, Serialize)]
pub struct AgreementDiff {
    pub id: String,
    pub changes: Vec<Change>,
    /// Unified diff of the text rendering.
    pub diff: String,
}

fn push(changes: &mut Vec<Change>, section: &'static str, what: Msg, old: &str, new: &str) {
    if old != new {
        changes.push(Change::new(section, what.arg("old", old).arg("new", new)));
    }
}

/// Entries only in `old` are reported as `removed`, entries only in `new` as `added`.
fn set_changes(
    c: &mut Vec<Change>,
    section: &'static str,
    old: &[String],
    new: &[String],
    removed: &'static str,
    added: &'static str,
) {
    for x in old.iter().filter(|x| !new.contains(x)) {
        c.push(Change::new(section, Msg::new(removed).arg("entry", x)));
    }
    for x in new.iter().filter(|x| !old.contains(x)) {
        c.push(Change::new(section, Msg::new(added).arg("entry", x)));
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
    push(c, "avtale", what("agreement-id"), &a.id, &b.id);
    push(c, "avtale", what("date"), &a.dato, &b.dato);
    push(c, "avtale", what("status"), &a.status, &b.status);
    push(c, "avtale", what("start-date"), opt(&a.gyldig_fra), opt(&b.gyldig_fra));
    push(c, "avtale", what("replaced"), opt(&a.erstatter), opt(&b.erstatter));
}

/// The consumer and its segment.
fn party_changes(c: &mut Vec<Change>, a: &View, b: &View) {
    let (ka, kb) = (&a.konsument, &b.konsument);
    push(c, "parter", what("consumer-name"), &ka.navn, &kb.navn);
    push(c, "parter", what("consumer-orgnr"), &ka.orgnr, &kb.orgnr);
    push(
        c,
        "parter",
        what("organisation-form"),
        opt(&ka.organisasjonsform),
        opt(&kb.organisasjonsform),
    );
    push(c, "parter", what("postal-address"), &ka.adresse, &kb.adresse);
    push(
        c,
        "parter",
        what("notification-address"),
        &ka.varslingsadresse,
        &kb.varslingsadresse,
    );
    let seg = |v: &View| {
        v.segment
            .as_ref()
            .map(|s| format!("{} ({}, {})", s.id, s.ansvarlig_navn, s.ansvarlig_orgnr))
    };
    push(c, "parter", what("segment"), opt(&seg(a)), opt(&seg(b)));
}

/// Contacts, matched by role.
fn contact_changes(c: &mut Vec<Change>, a: &View, b: &View) {
    for kx in &a.kontakter {
        match b.kontakter.iter().find(|y| y.rolle == kx.rolle) {
            None => c.push(Change::new(
                "kontakter",
                Msg::new("change-contact-removed")
                    .arg("role", &kx.rolle)
                    .arg("name", &kx.navn),
            )),
            Some(ky) => {
                let who = |key| what_of(key, &kx.rolle, "");
                push(c, "kontakter", who("contact-name"), &kx.navn, &ky.navn);
                push(c, "kontakter", who("contact-title"), opt(&kx.tittel), opt(&ky.tittel));
                push(c, "kontakter", who("contact-email"), &kx.epost, &ky.epost);
                push(c, "kontakter", who("contact-phone"), opt(&kx.telefon), opt(&ky.telefon));
            }
        }
    }
    for ky in b
        .kontakter
        .iter()
        .filter(|y| !a.kontakter.iter().any(|x| x.rolle == y.rolle))
    {
        c.push(Change::new(
            "kontakter",
            Msg::new("change-contact-added")
                .arg("role", &ky.rolle)
                .arg("name", &ky.navn)
                .arg("email", &ky.epost),
        ));
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
        "change-signatory-removed",
        "change-signatory-added",
    );
}

/// Services, matched by service and rights package.
fn service_changes(c: &mut Vec<Change>, a: &View, b: &View) {
    let key = |t: &TjenesteView| (t.id.clone(), t.pakke.clone());
    for tx in &a.tjenester {
        match b.tjenester.iter().find(|ty| key(ty) == key(tx)) {
            None => c.push(Change::new(
                "tjenester",
                Msg::new("change-service-removed")
                    .arg("id", &tx.id)
                    .arg("package", &tx.pakke),
            )),
            Some(ty) => {
                let what = |key| what_of(key, "", &tx.id);
                push(c, "tjenester", what("service-purpose"), &tx.formaal, &ty.formaal);
                push(c, "tjenester", what("service-environments"), &tx.miljoe, &ty.miljoe);
                push(
                    c,
                    "tjenester",
                    what("service-connection"),
                    &tx.tilkobling,
                    &ty.tilkobling,
                );
                let basis = |t: &TjenesteView| format!("{}: {}", t.utlevering_type, t.utlevering_henvisning);
                push(c, "tjenester", what("service-disclosure-basis"), &basis(tx), &basis(ty));
                let proc = |t: &TjenesteView| format!("{}: {}", t.behandling_type, t.behandling_henvisning);
                push(c, "tjenester", what("service-processing-basis"), &proc(tx), &proc(ty));
                let statute = (opt(&tx.egen_hjemmel), opt(&ty.egen_hjemmel));
                push(c, "tjenester", what("service-own-statute"), statute.0, statute.1);
                let urls = (tx.retur_url.join(", "), ty.retur_url.join(", "));
                push(c, "tjenester", what("service-return-addresses"), &urls.0, &urls.1);
                push(c, "vilkaar", what("terms-of-use"), &tx.bruksvilkaar, &ty.bruksvilkaar);
            }
        }
    }
    for ty in b
        .tjenester
        .iter()
        .filter(|ty| !a.tjenester.iter().any(|tx| key(tx) == key(ty)))
    {
        c.push(Change::new(
            "tjenester",
            Msg::new("change-service-added")
                .arg("id", &ty.id)
                .arg("package", &ty.pakke)
                .arg("basis", ty.utlevering_type.to_lowercase()),
        ));
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
        "change-processor-removed",
        "change-processor-added",
    );
}

/// The delingsvilkår version.
fn terms_changes(c: &mut Vec<Change>, a: &View, b: &View) {
    if let (Some(x), Some(y)) = (terms_version(a, DELINGSVILKAAR), terms_version(b, DELINGSVILKAAR))
        && x != y
    {
        c.push(Change::new(
            "vilkaar",
            Msg::new("change-sharing-terms").arg("old", x).arg("new", y),
        ));
    }
}
