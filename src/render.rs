//! From a checked agreement to Typst source: the document's view of the agreement (labels,
//! formatted dates and numbers, the declaration, terms documents) and the minijinja
//! environment that writes it into the templates with every value escaped.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::assets::Assets;
use crate::catalog::{BASE_LANGUAGE, Catalogue, DELINGSVILKAAR, TermsText, hex, name_in};
use crate::lang::{Table, Texts};
use crate::model::Agreement;

pub const MAIN_TEMPLATE: &str = "avtale.typ.j2";
/// The appendices alone, for agreements that share them (optional in a template directory).
pub const APPENDIX_TEMPLATE: &str = "vedlegg.typ.j2";

/// Marks the end of each generated line with the template line it came from, as a Typst
/// block comment, so that a Typst error in generated text can be reported against the
/// template. A block comment, unlike a line comment, cannot swallow text that whitespace
/// control in the template joins onto its line.
pub const MARKER: &str = " /*@L";
pub const MARKER_END: &str = "*/";

/// Append line markers to a template. Blank lines and lines ending in a block tag or
/// comment are left alone: a marker there would change paragraphs or trimming.
pub fn add_markers(template: &str) -> String {
    let mut out = String::with_capacity(template.len() + template.len() / 4);
    for (i, line) in template.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line);
        let t = line.trim_end();
        if !t.is_empty() && !t.ends_with("%}") && !t.ends_with("#}") && !t.ends_with('{') {
            out.push_str(MARKER);
            out.push_str(&(i + 1).to_string());
            out.push_str(MARKER_END);
        }
    }
    out
}

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
}

/// `974 761 076`.
pub fn orgnr_grouped(n: &str) -> String {
    let d = crate::rules::normalise_orgnr(n);
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
    hex(&Sha256::digest(&json))
}

/// Why a checked agreement still cannot be rendered.
#[derive(Debug)]
pub struct RenderError(pub String);

fn need<T: Clone>(v: &Option<crate::raw::Sp<T>>, what: &str) -> Result<T, RenderError> {
    v.as_ref()
        .map(|s| s.v.clone())
        .ok_or_else(|| RenderError(format!("missing {what}")))
}

fn opt(v: &Option<crate::raw::Sp<String>>) -> Option<String> {
    v.as_ref().map(|s| s.v.clone())
}

pub fn view(a: &Agreement, cat: &Catalogue, texts: &Texts) -> Result<View, RenderError> {
    let spraak = opt(&a.avtale.spraak).unwrap_or_else(|| BASE_LANGUAGE.into());
    view_in(a, cat, texts.table(&spraak))
}

/// The view of an agreement as if it were written in the language of `l`: what `diff`
/// compares, so that a change of language is one change rather than every label changed.
pub fn view_in(a: &Agreement, cat: &Catalogue, l: &Table) -> Result<View, RenderError> {
    let spraak = l.code.clone();
    let id = need(&a.avtale.id, "avtale.id")?;
    let dato = need(&a.avtale.dato, "avtale.dato")?;
    let status = opt(&a.avtale.status).unwrap_or_else(|| "utkast".into());
    let v = &a.virksomhet;
    let adr = v
        .postadresse
        .as_ref()
        .ok_or_else(|| RenderError("missing postadresse".into()))?;
    let konsument = Konsument {
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
    };
    let segment = match &a.segment {
        Some(s) => {
            let owner = s
                .ansvarlig
                .as_ref()
                .ok_or_else(|| RenderError("missing segment.ansvarlig".into()))?;
            let id = need(&s.id, "segment.id")?;
            Some(SegmentView {
                beskrivelse: l.text("i_segment", &[("segment", &id)]),
                id,
                ansvarlig_navn: need(&owner.navn, "segment.ansvarlig.navn")?,
                ansvarlig_orgnr: orgnr_grouped(&need(
                    &owner.organisasjonsnummer,
                    "segment.ansvarlig.organisasjonsnummer",
                )?),
            })
        }
        None => None,
    };
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

    // Terms documents: the pinned bruksvilkår of each service (each once), then the
    // delingsvilkår in the variant the segment membership decides, each in the agreement's
    // language where the catalogue has it and in bokmål otherwise.
    let mut dokumenter = Vec::new();
    let mut vedlegg: Vec<VedleggView> = Vec::new();
    let fp = fingerprint(a);
    dokumenter.push(DokumentView {
        nummer: "1".into(),
        id: "konsumentavtale".into(),
        navn: l.text("denne_avtalen", &[]),
        versjon: id.clone(),
        sha256: fp.clone(),
    });
    let mut add_terms = |navn: String, versjon: &str, text: &TermsText, id: &str| {
        let fil = format!("/{}", text.fil);
        if vedlegg.iter().any(|v| v.fil == fil) {
            return;
        }
        vedlegg.push(VedleggView {
            nummer: String::new(),
            tittel: navn.clone(),
            versjon: versjon.to_string(),
            sha256: text.sha256.clone(),
            merknad: (text.spraak != l.code).then(|| l.text("bare_bokmaal", &[])),
            spraak: text.spraak.clone(),
            fil,
        });
        dokumenter.push(DokumentView {
            nummer: String::new(),
            id: id.to_string(),
            navn,
            versjon: versjon.to_string(),
            sha256: text.sha256.clone(),
        });
    };
    let mut tjenester = Vec::new();
    let mut consent = false;
    for (i, t) in a.tjeneste.iter().enumerate() {
        let sid = need(&t.id, "tjeneste.id")?;
        let service = cat
            .service(&sid)
            .ok_or_else(|| RenderError(format!("unknown service {sid}")))?;
        let pid = need(&t.rettighetspakke, "tjeneste.rettighetspakke")?;
        let pkg = service
            .package(&pid)
            .ok_or_else(|| RenderError(format!("unknown package {pid}")))?;
        let terms_version = need(&t.bruksvilkaar, "tjeneste.bruksvilkaar")?;
        let doc = cat
            .terms(&service.bruksvilkaar)
            .ok_or_else(|| RenderError("unknown terms".into()))?;
        let tv = doc
            .version(&terms_version)
            .ok_or_else(|| RenderError("unknown terms version".into()))?;
        let text = tv
            .text("standard", &spraak)
            .ok_or_else(|| RenderError("terms text".into()))?;
        let doc_navn = name_in(&doc.navn, &doc.navn_oversatt, &spraak).to_string();
        add_terms(doc_navn.clone(), &tv.versjon, text, &doc.id);
        let g = t
            .utleveringsgrunnlag
            .as_ref()
            .ok_or_else(|| RenderError("missing utleveringsgrunnlag".into()))?;
        let b = t
            .behandlingsgrunnlag
            .as_ref()
            .ok_or_else(|| RenderError("missing behandlingsgrunnlag".into()))?;
        let kind = need(&g.kind, "utleveringsgrunnlag.type")?;
        consent |= kind == "samtykke";
        let miljoe: Vec<String> = if t.miljoe.is_empty() {
            vec![l.label("test"), l.label("produksjon")]
        } else {
            t.miljoe.iter().map(|m| l.label(&m.v)).collect()
        };
        tjenester.push(TjenesteView {
            nummer: format!("3.{}", i + 1),
            id: sid.clone(),
            navn: name_in(&service.navn, &service.navn_oversatt, &spraak).to_string(),
            scope: service.scope_for(&pid),
            pakke: pid.clone(),
            pakke_navn: name_in(&pkg.navn, &pkg.navn_oversatt, &spraak).to_string(),
            formaal: need(&t.formaal, "formaal")?,
            miljoe: l.join(&miljoe),
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
            databehandlere: a
                .databehandler
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
                .collect(),
            bruksvilkaar: l.text("bruksvilkaar_versjon", &[("navn", &doc_navn), ("versjon", &tv.versjon)]),
        });
    }
    let dv = need(&a.vilkaar.delingsvilkaar, "vilkaar.delingsvilkaar")?;
    let ddoc = cat
        .terms(DELINGSVILKAAR)
        .ok_or_else(|| RenderError("no delingsvilkaar".into()))?;
    let dver = ddoc
        .version(&dv)
        .ok_or_else(|| RenderError("unknown delingsvilkaar version".into()))?;
    let variant = if segment.is_some() { "segment" } else { "enkeltstaaende" };
    let dtext = dver
        .text(variant, &spraak)
        .ok_or_else(|| RenderError(format!("delingsvilkaar {dv} has no variant {variant}")))?;
    let dname = l.text(
        &format!("delingsvilkaar_{variant}"),
        &[("navn", name_in(&ddoc.navn, &ddoc.navn_oversatt, &spraak))],
    );
    add_terms(dname, &dver.versjon, dtext, DELINGSVILKAAR);
    for (i, d) in dokumenter.iter_mut().enumerate() {
        d.nummer = (i + 1).to_string();
    }
    for (i, v) in vedlegg.iter_mut().enumerate() {
        v.nummer = (i + 1).to_string();
    }

    let erklaering = declaration(l, consent, segment.is_some(), !databehandlere.is_empty());
    let mut nokkelord = vec![l.text("nokkelord", &[]), "Skatteetaten".to_string(), id.clone()];
    nokkelord.extend(tjenester.iter().map(|t| t.id.clone()));
    // Metadata is one line: viewers show it in title bars and search results.
    let navn_linje = konsument.navn.split_whitespace().collect::<Vec<_>>().join(" ");
    let tjenestenavn = l.join(&tjenester.iter().map(|t| t.navn.clone()).collect::<Vec<_>>());
    Ok(View {
        undertittel: l.text("undertittel", &[("konsument", &konsument.navn)]),
        dokumenttittel: l.text("dokumenttittel", &[("id", &id), ("konsument", &navn_linje)]),
        emne: l.text(
            "emne",
            &[("id", &id), ("konsument", &navn_linje), ("tjenester", &tjenestenavn)],
        ),
        nokkelord,
        dato: l.date(dato),
        dato_iso: dato,
        utkast: status == "utkast",
        status: l.label(&status),
        gyldig_fra: a.avtale.gyldig_fra.as_ref().map(|d| l.date(d.v)),
        erstatter: opt(&a.avtale.erstatter),
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

/// The clauses of the egenerklæring, in the order the document numbers them.
fn declaration(l: &Table, consent: bool, segment: bool, processors: bool) -> Vec<String> {
    let mut c = vec![
        "grunnlag",
        "formaal",
        "kompetanse",
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

/// Escape a value for Typst markup: every character that could start markup, code, a
/// comment, a shorthand or a smart quote is escaped; line breaks become spaces.
pub fn escape_markup(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' | '#' | '*' | '_' | '`' | '$' | '<' | '>' | '@' | '[' | ']' | '=' | '-' | '+' | '/' | '~' | '\''
            | '"' | '.' | ':' | '{' | '}' | '(' | ')' | ';' | ',' => {
                out.push('\\');
                out.push(c);
            }
            // Typst reads the Unicode line and paragraph separators as line ends too.
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// A Typst string literal holding `s` exactly.
pub fn typst_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The template environment: strict about undefined values, escaping every interpolation
/// in `.typ.j2` templates for Typst markup.
pub fn environment(assets: &Assets) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder().trim_blocks(true).build() {
        env.set_syntax(syntax);
    }
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".typ.j2") {
            AutoEscape::Custom("typst".into())
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(|out, state, value| {
        if matches!(state.auto_escape(), AutoEscape::Custom(n) if n == "typst") {
            if value.is_safe() {
                return out.write_str(value.as_str().unwrap_or_default()).map_err(Error::from);
            }
            if value.is_undefined() || value.is_none() {
                return Err(Error::new(
                    ErrorKind::UndefinedError,
                    "a missing value cannot be written into the document",
                ));
            }
            let mut buf = String::new();
            escape_markup(&value.to_string(), &mut buf);
            return out.write_str(&buf).map_err(Error::from);
        }
        minijinja::escape_formatter(out, state, value)
    });
    env.add_filter("typst_str", |v: Value| {
        Value::from_safe_string(typst_string(&v.to_string()))
    });
    let assets = assets.clone();
    env.set_loader(move |name| match assets.read_string(name) {
        Ok(s) if name.ends_with(".typ.j2") => Ok(Some(add_markers(&s))),
        Ok(s) => Ok(Some(s)),
        Err(_) => Ok(None),
    });
    env
}

/// Render the Typst source of one agreement.
pub fn typst_source(env: &Environment<'_>, view: &View) -> Result<String, Error> {
    typst_source_from(env, MAIN_TEMPLATE, view)
}

/// Render Typst source from one of the templates.
pub fn typst_source_from(env: &Environment<'_>, template: &str, view: &View) -> Result<String, Error> {
    env.get_template(template)?.render(minijinja::value::Serde(view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_organisation_numbers() {
        assert_eq!(orgnr_grouped("974761076"), "974 761 076");
    }

    #[test]
    fn line_and_paragraph_separators_become_spaces_in_markup() {
        let mut out = String::new();
        escape_markup("a\u{2028}\u{2029}b\nc", &mut out);
        assert_eq!(out, "a  b c");
    }

    #[test]
    fn string_literals_round_trip_quotes_and_backslashes() {
        assert_eq!(typst_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }
}
