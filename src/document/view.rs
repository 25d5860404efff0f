//! The document's view of a checked agreement: what the templates read (labels, formatted
//! dates and numbers, the declaration, the terms documents), in the agreement's language.
//! Its field names are a contract with user templates (`--templates`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::base::digest::sha256_hex;
use crate::catalog::lang::{LanguageTable, Texts};
use crate::catalog::{
    BASE_LANGUAGE, Catalogue, ContactPoints, DELINGSVILKAAR, Service, TermsDoc, TermsText, TermsVersion, name_in,
};
use crate::input::model::{Agreement, Tjeneste};

#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub id: String,
    pub spraak: String,
    pub undertittel: String,
    pub dokumenttittel: String,
    pub emne: String,
    pub nokkelord: Vec<String>,
    pub dato: String,
    pub dato_iso: NaiveDate,
    pub status: String,
    pub utkast: bool,
    pub gyldig_fra: Option<String>,
    pub erstatter: Option<String>,
    /// Skatteetaten's access decision or case number, when given.
    pub vedtak: Option<String>,
    /// Skatteetaten's contact points, from the catalogue.
    pub skatteetaten: Option<ContactPoints>,
    pub konsument: Konsument,
    pub segment: Option<SegmentView>,
    pub kontakter: Vec<KontaktView>,
    pub signatarer: Vec<SignatarView>,
    pub tjenester: Vec<TjenesteView>,
    pub databehandlere: Vec<DatabehandlerView>,
    pub erklaering: Vec<String>,
    pub dokumenter: Vec<DokumentView>,
    pub vedlegg: Vec<VedleggView>,
    pub fingeravtrykk: String,
    pub fingeravtrykk_kort: String,
    /// Files attached to the PDF (the agreement's source and a manifest).
    pub vedlagte_filer: Vec<AttachmentView>,
    /// Set when the appendices are laid out as a document of their own: how many blank
    /// pages the agreement leaves for them.
    pub vedleggssider: Option<usize>,
    /// The fixed text of the templates in the agreement's language, by key.
    pub t: BTreeMap<String, String>,
}

impl View {
    /// A fixed text of the agreement's language (the key itself if the table lacks it).
    pub fn tr<'a>(&'a self, key: &'a str) -> &'a str {
        self.t.get(key).map_or(key, String::as_str)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AttachmentView {
    pub navn: String,
    pub sti: String,
    pub mime: String,
    pub beskrivelse: String,
    pub forhold: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Konsument {
    pub navn: String,
    pub orgnr: String,
    pub organisasjonsform: Option<String>,
    pub adresse: String,
    pub varslingsadresse: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentView {
    pub id: String,
    /// The segment agreement the member belongs to, when given.
    pub avtale: Option<String>,
    pub ansvarlig_navn: String,
    pub ansvarlig_orgnr: String,
    /// What membership means, in the agreement's language.
    pub beskrivelse: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct KontaktView {
    pub rolle: String,
    pub navn: String,
    pub tittel: Option<String>,
    pub epost: String,
    pub telefon: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignatarView {
    pub nummer: String,
    pub navn: String,
    pub tittel: String,
    pub fullmakt: String,
    pub epost: Option<String>,
    /// Label of the signature box, also the name of its PDF signature field.
    pub etikett: String,
    /// What the signature field is for, for assistive technology.
    pub beskrivelse: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TjenesteView {
    pub nummer: String,
    pub id: String,
    pub navn: String,
    pub scope: String,
    pub pakke: String,
    pub pakke_navn: String,
    pub formaal: String,
    pub miljoe: String,
    pub tilkobling: String,
    pub utlevering_type: String,
    pub utlevering_henvisning: String,
    pub egen_hjemmel: Option<String>,
    pub lovgrunnlag: Option<String>,
    pub samtykkekode: Option<String>,
    pub retur_url: Vec<String>,
    pub behandling_type: String,
    pub behandling_henvisning: String,
    pub databehandlere: Vec<String>,
    pub bruksvilkaar: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DatabehandlerView {
    pub navn: String,
    pub orgnr: String,
    pub rolle: String,
    pub avtaledato: String,
    pub tjenester: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DokumentView {
    pub nummer: String,
    /// A sample text, not the terms owner's official one.
    pub eksempeltekst: bool,
    pub id: String,
    pub navn: String,
    pub versjon: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VedleggView {
    pub nummer: String,
    pub tittel: String,
    pub versjon: String,
    pub sha256: String,
    /// Path of the terms text inside the template directory, absolute in Typst's terms.
    pub fil: String,
    /// The language of the text included.
    pub spraak: String,
    /// Said before the text when it is not in the agreement's language.
    pub merknad: Option<String>,
    /// The text is a sample, not the terms owner's official text; its heading says so.
    pub eksempeltekst: bool,
}

/// `974 761 076`.
pub fn orgnr_grouped(n: &str) -> String {
    let d = crate::input::rules::normalise_orgnr(n);
    if d.len() == 9 {
        format!("{} {} {}", &d[0..3], &d[3..6], &d[6..9])
    } else {
        d
    }
}

/// The SHA-256 of what the agreement says, independent of how the file was laid out:
/// the same agreement gives the same fingerprint whatever its comments or key order.
pub fn fingerprint(a: &Agreement) -> String {
    let json = serde_json::to_vec(a).unwrap_or_default();
    sha256_hex(&json)
}

/// Why a checked agreement still cannot be rendered.
#[derive(Debug)]
pub struct ViewError(pub String);

fn need<T: Clone>(v: &Option<crate::base::diag::Sp<T>>, what: &str) -> Result<T, ViewError> {
    v.as_ref()
        .map(|s| s.v.clone())
        .ok_or_else(|| ViewError(format!("missing {what}")))
}

fn opt(v: &Option<crate::base::diag::Sp<String>>) -> Option<String> {
    v.as_ref().map(|s| s.v.clone())
}

pub fn view(a: &Agreement, cat: &Catalogue, texts: &Texts) -> Result<View, ViewError> {
    let spraak = opt(&a.avtale.spraak).unwrap_or_else(|| BASE_LANGUAGE.into());
    view_in(a, cat, texts.table(&spraak))
}

/// The view of an agreement as if it were written in the language of `l`: what `diff`
/// compares, so that a change of language is one change rather than every label changed.
pub fn view_in(a: &Agreement, cat: &Catalogue, l: &LanguageTable) -> Result<View, ViewError> {
    let spraak = l.code.clone();
    let id = need(&a.avtale.id, "avtale.id")?;
    let dato = need(&a.avtale.dato, "avtale.dato")?;
    let status = opt(&a.avtale.status).unwrap_or_else(|| "utkast".into());
    let konsument = konsument_view(a)?;
    let segment = segment_view(a, l)?;
    let kontakter = kontakt_views(a, l)?;
    let signatarer = signatar_views(a, l)?;
    let databehandlere = databehandler_views(a, l)?;

    // Terms documents: the pinned bruksvilkår of each service (each once), then the
    // delingsvilkår in the variant the segment membership decides, each in the agreement's
    // language where the catalogue has it and in bokmål otherwise.
    let fp = fingerprint(a);
    let mut terms = TermsDocuments::new(l, &id, &fp);
    let mut tjenester = Vec::new();
    let mut consent = false;
    for (i, t) in a.tjeneste.iter().enumerate() {
        let (tjeneste, by_consent) = tjeneste_view(a, cat, l, i, t, &mut terms)?;
        consent |= by_consent;
        tjenester.push(tjeneste);
    }
    add_delingsvilkaar(a, cat, l, segment.is_some(), &mut terms)?;
    let (dokumenter, vedlegg) = terms.numbered();

    let erklaering = declaration(l, consent, segment.is_some(), !databehandlere.is_empty());
    let meta = Metadata::new(l, &id, &konsument, &tjenester);
    Ok(View {
        undertittel: meta.undertittel,
        dokumenttittel: meta.dokumenttittel,
        emne: meta.emne,
        nokkelord: meta.nokkelord,
        dato: l.date(dato),
        dato_iso: dato,
        utkast: status == "utkast",
        status: l.label(&status),
        gyldig_fra: a.avtale.gyldig_fra.as_ref().map(|d| l.date(d.v)),
        erstatter: opt(&a.avtale.erstatter),
        vedtak: opt(&a.avtale.vedtak),
        skatteetaten: cat.skatteetaten.clone(),
        konsument,
        segment,
        kontakter,
        signatarer,
        tjenester,
        databehandlere,
        erklaering,
        dokumenter,
        vedlegg,
        fingeravtrykk_kort: fp[..12].to_string(),
        fingeravtrykk: fp,
        vedlagte_filer: Vec::new(),
        vedleggssider: None,
        t: l.tekst.clone(),
        spraak,
        id,
    })
}

/// The consumer: name, organisation number, postal and notification addresses.
fn konsument_view(a: &Agreement) -> Result<Konsument, ViewError> {
    let v = &a.virksomhet;
    let adr = v
        .postadresse
        .as_ref()
        .ok_or_else(|| ViewError("missing postadresse".into()))?;
    Ok(Konsument {
        navn: need(&v.navn, "virksomhet.navn")?,
        orgnr: orgnr_grouped(&need(&v.organisasjonsnummer, "organisasjonsnummer")?),
        organisasjonsform: opt(&v.organisasjonsform),
        adresse: format!(
            "{}, {} {}",
            need(&adr.adresse, "adresse")?,
            need(&adr.postnummer, "postnummer")?,
            need(&adr.poststed, "poststed")?
        ),
        varslingsadresse: need(&v.varslingsadresse, "varslingsadresse")?,
    })
}

/// The segment the consumer takes part through, if any.
fn segment_view(a: &Agreement, l: &LanguageTable) -> Result<Option<SegmentView>, ViewError> {
    let Some(s) = &a.segment else {
        return Ok(None);
    };
    let owner = s
        .ansvarlig
        .as_ref()
        .ok_or_else(|| ViewError("missing segment.ansvarlig".into()))?;
    let id = need(&s.id, "segment.id")?;
    Ok(Some(SegmentView {
        beskrivelse: l.text("i_segment", &[("segment", &id)]),
        avtale: opt(&s.avtale),
        id,
        ansvarlig_navn: need(&owner.navn, "segment.ansvarlig.navn")?,
        ansvarlig_orgnr: orgnr_grouped(&need(
            &owner.organisasjonsnummer,
            "segment.ansvarlig.organisasjonsnummer",
        )?),
    }))
}

/// The contact persons, in the order of the file.
fn kontakt_views(a: &Agreement, l: &LanguageTable) -> Result<Vec<KontaktView>, ViewError> {
    let mut kontakter = Vec::new();
    for k in &a.kontakt {
        kontakter.push(KontaktView {
            rolle: l.label(&need(&k.rolle, "kontakt.rolle")?),
            navn: need(&k.navn, "kontakt.navn")?,
            tittel: opt(&k.tittel),
            epost: need(&k.epost, "kontakt.epost")?,
            telefon: opt(&k.telefon),
        });
    }
    Ok(kontakter)
}

/// The signatories, numbered from 1, with the labels of their signature boxes.
fn signatar_views(a: &Agreement, l: &LanguageTable) -> Result<Vec<SignatarView>, ViewError> {
    let mut signatarer = Vec::new();
    for (i, s) in a.signatar.iter().enumerate() {
        let fullmakt = need(&s.fullmakt, "signatar.fullmakt")?;
        let mut fullmakt_tekst = l.label(&fullmakt);
        if let Some(r) = opt(&s.fullmakt_referanse) {
            fullmakt_tekst = format!("{fullmakt_tekst} ({r})");
        }
        let navn = need(&s.navn, "signatar.navn")?;
        let tittel = need(&s.tittel, "signatar.tittel")?;
        signatarer.push(SignatarView {
            nummer: (i + 1).to_string(),
            beskrivelse: l.text("signatur_for", &[("navn", &navn), ("tittel", &tittel)]),
            navn,
            tittel,
            fullmakt: fullmakt_tekst,
            epost: opt(&s.epost),
            etikett: format!("signatar-{}", i + 1),
        });
    }
    Ok(signatarer)
}

/// The data processors, in the order of the file.
fn databehandler_views(a: &Agreement, l: &LanguageTable) -> Result<Vec<DatabehandlerView>, ViewError> {
    let mut databehandlere = Vec::new();
    for d in &a.databehandler {
        databehandlere.push(DatabehandlerView {
            navn: need(&d.navn, "databehandler.navn")?,
            orgnr: orgnr_grouped(&need(&d.organisasjonsnummer, "databehandler.organisasjonsnummer")?),
            rolle: l.label(&need(&d.rolle, "databehandler.rolle")?),
            avtaledato: l.date(need(&d.databehandleravtale, "databehandleravtale")?),
            tjenester: l.join(&d.tjenester.iter().map(|t| t.v.clone()).collect::<Vec<_>>()),
        });
    }
    Ok(databehandlere)
}

/// The documents the agreement consists of and the terms texts appended to it, collected
/// in order: the agreement itself first, then each terms text once.
struct TermsDocuments<'l> {
    l: &'l LanguageTable,
    dokumenter: Vec<DokumentView>,
    vedlegg: Vec<VedleggView>,
}

impl<'l> TermsDocuments<'l> {
    /// The list with the agreement itself as its first document.
    fn new(l: &'l LanguageTable, id: &str, fp: &str) -> Self {
        let dokumenter = vec![DokumentView {
            nummer: "1".into(),
            eksempeltekst: false,
            id: "konsumentavtale".into(),
            navn: l.text("denne_avtalen", &[]),
            versjon: id.to_string(),
            sha256: fp.to_string(),
        }];
        TermsDocuments {
            l,
            dokumenter,
            vedlegg: Vec::new(),
        }
    }

    /// Add a terms text as an appendix and a document, unless its file is already added.
    fn add(&mut self, navn: String, version: &TermsVersion, text: &TermsText, id: &str) {
        let versjon = version.versjon.as_str();
        let eksempeltekst = version.eksempeltekst;
        let l = self.l;
        let fil = format!("/{}", text.fil);
        if self.vedlegg.iter().any(|v| v.fil == fil) {
            return;
        }
        self.vedlegg.push(VedleggView {
            nummer: String::new(),
            tittel: navn.clone(),
            versjon: versjon.to_string(),
            sha256: text.sha256.clone(),
            merknad: (text.spraak != l.code).then(|| l.text("bare_bokmaal", &[])),
            eksempeltekst,
            spraak: text.spraak.clone(),
            fil,
        });
        self.dokumenter.push(DokumentView {
            nummer: String::new(),
            eksempeltekst,
            id: id.to_string(),
            navn,
            versjon: versjon.to_string(),
            sha256: text.sha256.clone(),
        });
    }

    /// The documents and appendices, each numbered from 1 in the order they were added.
    fn numbered(mut self) -> (Vec<DokumentView>, Vec<VedleggView>) {
        for (i, d) in self.dokumenter.iter_mut().enumerate() {
            d.nummer = (i + 1).to_string();
        }
        for (i, v) in self.vedlegg.iter_mut().enumerate() {
            v.nummer = (i + 1).to_string();
        }
        (self.dokumenter, self.vedlegg)
    }
}

/// One requested service (numbered `3.<i + 1>`), adding its bruksvilkår to `terms`; also
/// whether its disclosure rests on consent.
fn tjeneste_view(
    a: &Agreement,
    cat: &Catalogue,
    l: &LanguageTable,
    i: usize,
    t: &Tjeneste,
    terms: &mut TermsDocuments<'_>,
) -> Result<(TjenesteView, bool), ViewError> {
    let spraak = &l.code;
    let sid = need(&t.id, "tjeneste.id")?;
    let service = cat
        .service(&sid)
        .ok_or_else(|| ViewError(format!("unknown service {sid}")))?;
    let pid = need(&t.rettighetspakke, "tjeneste.rettighetspakke")?;
    let pkg = service
        .package(&pid)
        .ok_or_else(|| ViewError(format!("unknown package {pid}")))?;
    let (doc, tv, text) = pinned_terms(cat, service, t, spraak)?;
    let doc_navn = name_in(&doc.navn, &doc.navn_oversatt, spraak).to_string();
    terms.add(doc_navn.clone(), tv, text, &doc.id);
    let g = t
        .utleveringsgrunnlag
        .as_ref()
        .ok_or_else(|| ViewError("missing utleveringsgrunnlag".into()))?;
    let b = t
        .behandlingsgrunnlag
        .as_ref()
        .ok_or_else(|| ViewError("missing behandlingsgrunnlag".into()))?;
    let kind = need(&g.kind, "utleveringsgrunnlag.type")?;
    let consent = kind == "samtykke";
    let view = TjenesteView {
        nummer: format!("3.{}", i + 1),
        id: sid.clone(),
        navn: name_in(&service.navn, &service.navn_oversatt, spraak).to_string(),
        scope: service.scope_for(&pid),
        pakke: pid.clone(),
        pakke_navn: name_in(&pkg.navn, &pkg.navn_oversatt, spraak).to_string(),
        formaal: need(&t.formaal, "formaal")?,
        miljoe: l.join(&miljoe_labels(l, t)),
        tilkobling: opt(&t.tilkobling)
            .map(|x| l.label(&x))
            .unwrap_or_else(|| l.text("ikke_oppgitt", &[])),
        utlevering_type: l.label(&kind),
        utlevering_henvisning: need(&g.henvisning, "utleveringsgrunnlag.henvisning")?,
        egen_hjemmel: opt(&g.egen_hjemmel),
        lovgrunnlag: pkg.lovgrunnlag.clone(),
        samtykkekode: pkg.samtykkekode.clone(),
        retur_url: t
            .retur_url
            .as_ref()
            .map(|l| l.iter().map(|u| u.v.clone()).collect())
            .unwrap_or_default(),
        behandling_type: l.label(&need(&b.kind, "behandlingsgrunnlag.type")?),
        behandling_henvisning: need(&b.henvisning, "behandlingsgrunnlag.henvisning")?,
        databehandlere: tjeneste_databehandlere(a, l, &sid),
        bruksvilkaar: l.text("bruksvilkaar_versjon", &[("navn", &doc_navn), ("versjon", &tv.versjon)]),
    };
    Ok((view, consent))
}

/// The bruksvilkår document, the version the service pins and its text in `spraak`.
fn pinned_terms<'c>(
    cat: &'c Catalogue,
    service: &Service,
    t: &Tjeneste,
    spraak: &str,
) -> Result<(&'c TermsDoc, &'c TermsVersion, &'c TermsText), ViewError> {
    let terms_version = need(&t.bruksvilkaar, "tjeneste.bruksvilkaar")?;
    let doc = cat
        .terms(&service.bruksvilkaar)
        .ok_or_else(|| ViewError("unknown terms".into()))?;
    let tv = doc
        .version(&terms_version)
        .ok_or_else(|| ViewError("unknown terms version".into()))?;
    let text = tv
        .text("standard", spraak)
        .ok_or_else(|| ViewError("terms text".into()))?;
    Ok((doc, tv, text))
}

/// The labels of a service's environments: test and production when none are given.
fn miljoe_labels(l: &LanguageTable, t: &Tjeneste) -> Vec<String> {
    if t.miljoe.is_empty() {
        vec![l.label("test"), l.label("produksjon")]
    } else {
        t.miljoe.iter().map(|m| l.label(&m.v)).collect()
    }
}

/// The data processors that handle service `sid`, each with the date of its agreement.
fn tjeneste_databehandlere(a: &Agreement, l: &LanguageTable, sid: &str) -> Vec<String> {
    a.databehandler
        .iter()
        .filter(|d| d.tjenester.iter().any(|x| x.v == sid))
        .map(|d| {
            l.text(
                "databehandler_med_avtale",
                &[
                    ("navn", d.navn.as_ref().map(|n| n.v.as_str()).unwrap_or_default()),
                    (
                        "dato",
                        &d.databehandleravtale.as_ref().map(|x| l.date(x.v)).unwrap_or_default(),
                    ),
                ],
            )
        })
        .collect()
}

/// Add the delingsvilkår to `terms`, in the variant the segment membership decides.
fn add_delingsvilkaar(
    a: &Agreement,
    cat: &Catalogue,
    l: &LanguageTable,
    segment: bool,
    terms: &mut TermsDocuments<'_>,
) -> Result<(), ViewError> {
    let spraak = &l.code;
    let dv = need(&a.vilkaar.delingsvilkaar, "vilkaar.delingsvilkaar")?;
    let ddoc = cat
        .terms(DELINGSVILKAAR)
        .ok_or_else(|| ViewError("no delingsvilkaar".into()))?;
    let dver = ddoc
        .version(&dv)
        .ok_or_else(|| ViewError("unknown delingsvilkaar version".into()))?;
    let variant = if segment { "segment" } else { "enkeltstaaende" };
    let dtext = dver
        .text(variant, spraak)
        .ok_or_else(|| ViewError(format!("delingsvilkaar {dv} has no variant {variant}")))?;
    let navn = name_in(&ddoc.navn, &ddoc.navn_oversatt, spraak);
    // A version with one text for every consumer (before 2022) is named without a variant.
    let dname = if dver.tekster.contains_key(variant) {
        l.text(&format!("delingsvilkaar_{variant}"), &[("navn", navn)])
    } else {
        navn.to_string()
    };
    terms.add(dname, dver, dtext, DELINGSVILKAAR);
    Ok(())
}

/// The one-line titles and keywords of the document's metadata.
struct Metadata {
    undertittel: String,
    dokumenttittel: String,
    emne: String,
    nokkelord: Vec<String>,
}

impl Metadata {
    /// The metadata of agreement `id` between the consumer and Skatteetaten for `tjenester`.
    fn new(l: &LanguageTable, id: &str, konsument: &Konsument, tjenester: &[TjenesteView]) -> Self {
        let mut nokkelord = vec![l.text("nokkelord", &[]), "Skatteetaten".to_string(), id.to_string()];
        nokkelord.extend(tjenester.iter().map(|t| t.id.clone()));
        // Metadata is one line: viewers show it in title bars and search results.
        let navn_linje = konsument.navn.split_whitespace().collect::<Vec<_>>().join(" ");
        let tjenestenavn = l.join(&tjenester.iter().map(|t| t.navn.clone()).collect::<Vec<_>>());
        Metadata {
            undertittel: l.text("undertittel", &[("konsument", &konsument.navn)]),
            dokumenttittel: l.text("dokumenttittel", &[("id", id), ("konsument", &navn_linje)]),
            emne: l.text(
                "emne",
                &[("id", id), ("konsument", &navn_linje), ("tjenester", &tjenestenavn)],
            ),
            nokkelord,
        }
    }
}

/// The clauses of the egenerklæring, in the order the document numbers them.
fn declaration(l: &LanguageTable, consent: bool, segment: bool, processors: bool) -> Vec<String> {
    let mut c = vec![
        "grunnlag",
        "formaal",
        "taushetsplikt",
        "kompetanse",
        "kvalitet",
        "tjenestekunnskap",
        "sluttbrukere",
        "eierskap",
        "behandlingsansvar",
        "tilgang",
        "minimering",
    ];
    c.push(if processors {
        "databehandleravtale"
    } else {
        "databehandleravtale_senere"
    });
    if consent {
        c.push("samtykke");
    }
    c.push("varslingsadresse");
    c.push(if segment { "avvik_segment" } else { "avvik" });
    c.push("aksept");
    c.into_iter().map(|k| l.clause(k)).collect()
}

/// The text of a terms file the catalogue loaded, by its path in the view (`/vilkaar/...`).
pub fn terms_text<'a>(cat: &'a Catalogue, fil: &str) -> Option<&'a str> {
    let rel = fil.trim_start_matches('/');
    cat.vilkaar
        .iter()
        .flat_map(|d| &d.versjoner)
        .flat_map(|v| v.all_texts())
        .find(|t| t.fil == rel)
        .map(|t| t.text.as_str())
}

/// The appendices as files for Typst: exactly the texts the catalogue loaded and hashed,
/// wherever the catalogue came from.
pub fn terms_files(view: &View, cat: &Catalogue) -> Vec<(String, Vec<u8>)> {
    view.vedlegg
        .iter()
        .filter_map(|v| terms_text(cat, &v.fil).map(|t| (v.fil.clone(), t.as_bytes().to_vec())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_organisation_numbers() {
        assert_eq!(orgnr_grouped("974761076"), "974 761 076");
    }
}
