//! The agreement as read from a file: every value keeps its place so that the rules can
//! point at it. Required values are `Option` here because a broken file is still checked
//! as far as it goes; an agreement without errors has all of them.

use chrono::NaiveDate;
use serde::Serialize;

use crate::base::diag::{Loc, Sp};
use crate::base::i18n::Msg;
use crate::input::raw::{Diags, Reader, Table};
use crate::msg;

pub const SPRAAK: &[&str] = crate::catalog::LANGUAGES;
pub const STATUS: &[&str] = &["utkast", "til_signering", "signert"];
pub const KONTAKT_ROLLE: &[&str] = &["forretning", "teknisk", "juridisk", "personvern", "sikkerhet"];
pub const FULLMAKT: &[&str] = &["signaturrett", "prokura", "daglig_leder", "ordfoerer", "delegert"];
pub const DATABEHANDLER_ROLLE: &[&str] = &["systemleverandoer", "drift", "annen"];
pub const MILJOE: &[&str] = &["test", "produksjon"];
pub const TILKOBLING: &[&str] = &["direkte", "leverandoer", "segmentplattform"];
pub const UTLEVERING_TYPE: &[&str] = &["hjemmel", "samtykke"];
pub const BEHANDLING_TYPE: &[&str] = &["lov", "forskrift", "samtykke"];

pub const ROOT_KEYS: &[&str] = &[
    "format",
    "avtale",
    "virksomhet",
    "kontakt",
    "signatar",
    "segment",
    "databehandler",
    "vilkaar",
    "tjeneste",
];
pub const AVTALE_KEYS: &[&str] = &[
    "id",
    "spraak",
    "status",
    "dato",
    "gyldig_fra",
    "erstatter",
    "vedtak",
    "testdata",
];
const VIRKSOMHET_KEYS: &[&str] = &[
    "navn",
    "organisasjonsnummer",
    "organisasjonsform",
    "postadresse",
    "varslingsadresse",
];
const POSTADRESSE_KEYS: &[&str] = &["adresse", "postnummer", "poststed"];
pub const KONTAKT_KEYS: &[&str] = &["rolle", "navn", "tittel", "epost", "telefon"];
pub const SIGNATAR_KEYS: &[&str] = &["navn", "tittel", "fullmakt", "fullmakt_referanse", "epost"];
const SEGMENT_KEYS: &[&str] = &["id", "ansvarlig", "avtale"];
const PART_KEYS: &[&str] = &["navn", "organisasjonsnummer"];
const DATABEHANDLER_KEYS: &[&str] = &[
    "navn",
    "organisasjonsnummer",
    "rolle",
    "databehandleravtale",
    "tjenester",
];
const VILKAAR_KEYS: &[&str] = &["delingsvilkaar"];
const TJENESTE_KEYS: &[&str] = &[
    "id",
    "rettighetspakke",
    "bruksvilkaar",
    "formaal",
    "miljoe",
    "tilkobling",
    "retur_url",
    "utleveringsgrunnlag",
    "behandlingsgrunnlag",
];
const UTLEVERING_KEYS: &[&str] = &["type", "henvisning", "egen_hjemmel"];
const BEHANDLING_KEYS: &[&str] = &["type", "henvisning"];

#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    /// The file's `format` value, checked by the rules.
    #[serde(skip)]
    pub root: Loc,
    /// TOML path of the agreement's root within its file (`medlem[3]` for a member).
    #[serde(skip)]
    pub prefix: String,
    pub avtale: Avtale,
    pub virksomhet: Virksomhet,
    pub kontakt: Vec<Kontakt>,
    pub signatar: Vec<Signatar>,
    pub segment: Option<Segment>,
    pub databehandler: Vec<Databehandler>,
    pub vilkaar: Vilkaar,
    pub tjeneste: Vec<Tjeneste>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Avtale {
    #[serde(skip)]
    pub loc: Loc,
    pub id: Option<Sp<String>>,
    pub spraak: Option<Sp<String>>,
    pub status: Option<Sp<String>>,
    pub dato: Option<Sp<NaiveDate>>,
    pub gyldig_fra: Option<Sp<NaiveDate>>,
    pub erstatter: Option<Sp<String>>,
    /// Skatteetaten's access decision or case number. Left out of the fingerprint when
    /// absent, so agreements written before the key existed keep theirs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vedtak: Option<Sp<String>>,
    pub testdata: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Virksomhet {
    #[serde(skip)]
    pub loc: Loc,
    pub navn: Option<Sp<String>>,
    pub organisasjonsnummer: Option<Sp<String>>,
    pub organisasjonsform: Option<Sp<String>>,
    pub postadresse: Option<Postadresse>,
    pub varslingsadresse: Option<Sp<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Postadresse {
    pub adresse: Option<Sp<String>>,
    pub postnummer: Option<Sp<String>>,
    pub poststed: Option<Sp<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Kontakt {
    #[serde(skip)]
    pub loc: Loc,
    pub rolle: Option<Sp<String>>,
    pub navn: Option<Sp<String>>,
    pub tittel: Option<Sp<String>>,
    pub epost: Option<Sp<String>>,
    pub telefon: Option<Sp<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Signatar {
    #[serde(skip)]
    pub loc: Loc,
    pub navn: Option<Sp<String>>,
    pub tittel: Option<Sp<String>>,
    pub fullmakt: Option<Sp<String>>,
    pub fullmakt_referanse: Option<Sp<String>>,
    pub epost: Option<Sp<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    pub id: Option<Sp<String>>,
    pub ansvarlig: Option<Part>,
    /// The segment agreement the member belongs to. Left out of the fingerprint when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avtale: Option<Sp<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub navn: Option<Sp<String>>,
    pub organisasjonsnummer: Option<Sp<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Databehandler {
    #[serde(skip)]
    pub loc: Loc,
    pub navn: Option<Sp<String>>,
    pub organisasjonsnummer: Option<Sp<String>>,
    pub rolle: Option<Sp<String>>,
    pub databehandleravtale: Option<Sp<NaiveDate>>,
    pub tjenester: Vec<Sp<String>>,
    #[serde(skip)]
    pub tjenester_loc: Option<Loc>,
    #[serde(skip)]
    pub path: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Vilkaar {
    #[serde(skip)]
    pub loc: Loc,
    pub delingsvilkaar: Option<Sp<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tjeneste {
    #[serde(skip)]
    pub loc: Loc,
    #[serde(skip)]
    pub path: String,
    pub id: Option<Sp<String>>,
    pub rettighetspakke: Option<Sp<String>>,
    pub bruksvilkaar: Option<Sp<String>>,
    pub formaal: Option<Sp<String>>,
    pub miljoe: Vec<Sp<String>>,
    pub tilkobling: Option<Sp<String>>,
    pub retur_url: Option<Vec<Sp<String>>>,
    #[serde(skip)]
    pub retur_url_loc: Option<Loc>,
    pub utleveringsgrunnlag: Option<Grunnlag>,
    pub behandlingsgrunnlag: Option<Grunnlag>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Grunnlag {
    #[serde(skip)]
    pub loc: Loc,
    #[serde(skip)]
    pub path: String,
    #[serde(rename = "type")]
    pub kind: Option<Sp<String>>,
    pub henvisning: Option<Sp<String>>,
    pub egen_hjemmel: Option<Sp<String>>,
}

impl Agreement {
    /// Whether the agreement is ready to sign or signed (`til_signering`, `signert`).
    pub fn signable(&self) -> bool {
        self.avtale
            .status
            .as_ref()
            .is_some_and(|s| s.v == "til_signering" || s.v == "signert")
    }

    /// Every text value of the agreement, with its place.
    pub fn text_values(&self) -> Vec<&Sp<String>> {
        let mut v: Vec<&Option<Sp<String>>> = vec![
            &self.avtale.id,
            &self.avtale.erstatter,
            &self.avtale.vedtak,
            &self.virksomhet.navn,
            &self.virksomhet.organisasjonsform,
            &self.virksomhet.varslingsadresse,
        ];
        if let Some(p) = &self.virksomhet.postadresse {
            v.extend([&p.adresse, &p.postnummer, &p.poststed]);
        }
        for k in &self.kontakt {
            v.extend([&k.navn, &k.tittel, &k.epost, &k.telefon]);
        }
        for s in &self.signatar {
            v.extend([&s.navn, &s.tittel, &s.fullmakt_referanse, &s.epost]);
        }
        if let Some(s) = &self.segment {
            v.push(&s.id);
            v.push(&s.avtale);
            if let Some(o) = &s.ansvarlig {
                v.push(&o.navn);
            }
        }
        for d in &self.databehandler {
            v.push(&d.navn);
        }
        let mut out: Vec<&Sp<String>> = v.into_iter().flatten().collect();
        for t in &self.tjeneste {
            out.extend(t.formaal.iter());
            out.extend(t.retur_url.iter().flatten());
            for g in [&t.utleveringsgrunnlag, &t.behandlingsgrunnlag].into_iter().flatten() {
                out.extend(g.henvisning.iter());
                out.extend(g.egen_hjemmel.iter());
            }
        }
        out
    }
}

/// Read an agreement from its (possibly merged) root table. `root` locates the file or
/// member the agreement came from, for problems with no better place.
pub fn read_agreement(diags: &mut Diags, table: &Table, root: Loc, path: &str) -> Agreement {
    let r = Reader::open(diags, table, root.clone(), path, ROOT_KEYS);
    let avtale = require_avtale(diags, &r, &root);
    let virksomhet = require_virksomhet(diags, &r, &root);
    let kontakt = r
        .tables(diags, "kontakt")
        .into_iter()
        .map(|(t, loc, p)| read_kontakt(diags, t, loc, &p))
        .collect();
    let signatar = r
        .tables(diags, "signatar")
        .into_iter()
        .map(|(t, loc, p)| read_signatar(diags, t, loc, &p))
        .collect();
    let segment = r
        .table_opt(diags, "segment")
        .map(|(t, loc, p)| read_segment(diags, t, loc, &p));
    let databehandler = r
        .tables(diags, "databehandler")
        .into_iter()
        .map(|(t, loc, p)| read_databehandler(diags, t, loc, p))
        .collect();
    let vilkaar = require_vilkaar(diags, &r, &root);
    let tjeneste = r
        .tables(diags, "tjeneste")
        .into_iter()
        .map(|(t, loc, p)| read_tjeneste(diags, t, loc, &p))
        .collect();
    Agreement {
        root,
        prefix: path.to_string(),
        avtale,
        virksomhet,
        kontakt,
        signatar,
        segment,
        databehandler,
        vilkaar,
        tjeneste,
    }
}

/// Read the required `[avtale]` table, or an empty one placed at `root` when it is missing.
fn require_avtale(diags: &mut Diags, r: &Reader, root: &Loc) -> Avtale {
    match r.table_req(diags, "avtale", msg!("help-avtale")) {
        Some((t, loc, p)) => read_avtale(diags, t, loc, &p),
        None => Avtale {
            loc: root.clone(),
            id: None,
            spraak: None,
            status: None,
            dato: None,
            gyldig_fra: None,
            erstatter: None,
            vedtak: None,
            testdata: false,
        },
    }
}

/// Read the required `[virksomhet]` table, or an empty one placed at `root` when it is missing.
fn require_virksomhet(diags: &mut Diags, r: &Reader, root: &Loc) -> Virksomhet {
    match r.table_req(diags, "virksomhet", msg!("help-virksomhet")) {
        Some((t, loc, p)) => read_virksomhet(diags, t, loc, &p),
        None => Virksomhet {
            loc: root.clone(),
            navn: None,
            organisasjonsnummer: None,
            organisasjonsform: None,
            postadresse: None,
            varslingsadresse: None,
        },
    }
}

/// Read one `[[kontakt]]` table.
fn read_kontakt(diags: &mut Diags, t: &Table, loc: Loc, p: &str) -> Kontakt {
    let k = Reader::open(diags, t, loc.clone(), p, KONTAKT_KEYS);
    Kontakt {
        rolle: k.enum_req(diags, "rolle", KONTAKT_ROLLE),
        navn: k.str_req(diags, "navn", msg!("help-contact-name")),
        tittel: k.str_opt(diags, "tittel"),
        epost: k.str_req(diags, "epost", msg!("help-contact-email")),
        telefon: k.str_opt(diags, "telefon"),
        loc,
    }
}

/// Read one `[[signatar]]` table.
fn read_signatar(diags: &mut Diags, t: &Table, loc: Loc, p: &str) -> Signatar {
    let s = Reader::open(diags, t, loc.clone(), p, SIGNATAR_KEYS);
    Signatar {
        navn: s.str_req(diags, "navn", msg!("help-signatory-name")),
        tittel: s.str_req(diags, "tittel", msg!("help-signatory-title")),
        fullmakt: s.enum_req(diags, "fullmakt", FULLMAKT),
        fullmakt_referanse: s.str_opt(diags, "fullmakt_referanse"),
        epost: s.str_opt(diags, "epost"),
        loc,
    }
}

/// Read the `[segment]` table with its owner.
fn read_segment(diags: &mut Diags, t: &Table, loc: Loc, p: &str) -> Segment {
    let s = Reader::open(diags, t, loc, p, SEGMENT_KEYS);
    Segment {
        id: s.str_req(diags, "id", msg!("help-segment-id")),
        ansvarlig: s
            .table_req(diags, "ansvarlig", msg!("help-segment-owner"))
            .map(|(t, loc, p)| read_part(diags, t, loc, &p)),
        avtale: s.str_opt(diags, "avtale"),
    }
}

/// Read one `[[databehandler]]` table.
fn read_databehandler(diags: &mut Diags, t: &Table, loc: Loc, p: String) -> Databehandler {
    let d = Reader::open(diags, t, loc.clone(), &p, DATABEHANDLER_KEYS);
    let (tjenester, tjenester_loc) = read_processor_services(diags, &d, &loc, &p);
    Databehandler {
        navn: d.str_req(diags, "navn", msg!("help-processor-name")),
        organisasjonsnummer: d.str_req(diags, "organisasjonsnummer", msg!("help-processor-orgnr")),
        rolle: d.enum_req(diags, "rolle", DATABEHANDLER_ROLLE),
        databehandleravtale: d.date_req(diags, "databehandleravtale"),
        tjenester,
        tjenester_loc,
        loc,
        path: p,
    }
}

/// Read a processor's required `tjenester` list and its place; empty when it is missing or bad.
fn read_processor_services(diags: &mut Diags, d: &Reader, loc: &Loc, p: &str) -> (Vec<Sp<String>>, Option<Loc>) {
    match d.str_array_opt(diags, "tjenester") {
        Some((list, l)) => (list, Some(l)),
        None => {
            if d.node("tjenester").is_none() {
                diags.push(
                    crate::base::diag::Diagnostic::error(
                        "missing-field",
                        loc.clone(),
                        crate::input::raw::join(p, "tjenester"),
                        msg!("missing-field", key = "tjenester"),
                    )
                    .with_help(msg!("help-processor-services")),
                );
            }
            (Vec::new(), None)
        }
    }
}

/// Read the required `[vilkaar]` table, or an empty one placed at `root` when it is missing.
fn require_vilkaar(diags: &mut Diags, r: &Reader, root: &Loc) -> Vilkaar {
    match r.table_req(diags, "vilkaar", msg!("help-vilkaar")) {
        Some((t, loc, p)) => {
            let v = Reader::open(diags, t, loc.clone(), &p, VILKAAR_KEYS);
            Vilkaar {
                delingsvilkaar: v.str_req(diags, "delingsvilkaar", msg!("help-delingsvilkaar")),
                loc,
            }
        }
        None => Vilkaar {
            loc: root.clone(),
            delingsvilkaar: None,
        },
    }
}

fn read_avtale(diags: &mut Diags, t: &Table, loc: Loc, p: &str) -> Avtale {
    let a = Reader::open(diags, t, loc.clone(), p, AVTALE_KEYS);
    Avtale {
        id: a.str_req(diags, "id", msg!("help-agreement-id")),
        spraak: a.enum_opt(diags, "spraak", SPRAAK),
        status: a.enum_opt(diags, "status", STATUS),
        dato: a.date_req(diags, "dato"),
        gyldig_fra: a.date_opt(diags, "gyldig_fra"),
        erstatter: a.str_opt(diags, "erstatter"),
        vedtak: a.str_opt(diags, "vedtak"),
        testdata: a.bool_opt(diags, "testdata").is_some_and(|b| b.v),
        loc,
    }
}

fn read_virksomhet(diags: &mut Diags, t: &Table, loc: Loc, p: &str) -> Virksomhet {
    let v = Reader::open(diags, t, loc.clone(), p, VIRKSOMHET_KEYS);
    Virksomhet {
        navn: v.str_req(diags, "navn", msg!("help-organisation-name")),
        organisasjonsnummer: v.str_req(diags, "organisasjonsnummer", msg!("help-main-unit-orgnr")),
        organisasjonsform: v.str_opt(diags, "organisasjonsform"),
        postadresse: v
            .table_req(diags, "postadresse", msg!("help-postadresse"))
            .map(|(t, loc, p)| {
                let a = Reader::open(diags, t, loc, &p, POSTADRESSE_KEYS);
                Postadresse {
                    adresse: a.str_req(diags, "adresse", msg!("help-adresse")),
                    postnummer: a.str_req(diags, "postnummer", msg!("help-postnummer")),
                    poststed: a.str_req(diags, "poststed", msg!("help-poststed")),
                }
            }),
        varslingsadresse: v.str_req(diags, "varslingsadresse", msg!("help-varslingsadresse")),
        loc,
    }
}

fn read_part(diags: &mut Diags, t: &Table, loc: Loc, p: &str) -> Part {
    let r = Reader::open(diags, t, loc, p, PART_KEYS);
    Part {
        navn: r.str_req(diags, "navn", msg!("help-part-name")),
        organisasjonsnummer: r.str_req(diags, "organisasjonsnummer", msg!("help-part-orgnr")),
    }
}

/// Read one `[[tjeneste]]` table.
fn read_tjeneste(diags: &mut Diags, t: &Table, loc: Loc, p: &str) -> Tjeneste {
    let r = Reader::open(diags, t, loc.clone(), p, TJENESTE_KEYS);
    let miljoe = read_miljoe(diags, &r, p);
    let retur = r.str_array_opt(diags, "retur_url");
    Tjeneste {
        id: r.str_req(diags, "id", msg!("help-service-id")),
        rettighetspakke: r.str_req(diags, "rettighetspakke", msg!("help-rights-package")),
        bruksvilkaar: r.str_req(diags, "bruksvilkaar", msg!("help-bruksvilkaar")),
        formaal: r.str_req(diags, "formaal", msg!("help-formaal")),
        miljoe,
        tilkobling: r.enum_opt(diags, "tilkobling", TILKOBLING),
        retur_url: retur.as_ref().map(|(list, _)| list.clone()),
        retur_url_loc: retur.map(|(_, loc)| loc),
        utleveringsgrunnlag: read_grunnlag(
            diags,
            &r,
            "utleveringsgrunnlag",
            UTLEVERING_TYPE,
            UTLEVERING_KEYS,
            msg!("help-utleveringsgrunnlag"),
        ),
        behandlingsgrunnlag: read_grunnlag(
            diags,
            &r,
            "behandlingsgrunnlag",
            BEHANDLING_TYPE,
            BEHANDLING_KEYS,
            msg!("help-behandlingsgrunnlag"),
        ),
        loc,
        path: p.to_string(),
    }
}

/// Read a service's optional `miljoe` list, dropping unknown and repeated environments.
fn read_miljoe(diags: &mut Diags, r: &Reader, p: &str) -> Vec<Sp<String>> {
    match r.str_array_opt(diags, "miljoe") {
        Some((list, arr_loc)) => {
            let mut out: Vec<Sp<String>> = Vec::new();
            for m in list {
                if !MILJOE.contains(&m.v.as_str()) {
                    diags.push(
                        crate::base::diag::Diagnostic::error_at(
                            "invalid-value",
                            &m,
                            msg!("not-an-environment", value = &m.v),
                        )
                        .with_help(msg!("allowed", allowed = "`test`, `produksjon`")),
                    );
                } else if out.iter().any(|o| o.v == m.v) {
                    diags.push(crate::base::diag::Diagnostic::error_at(
                        "invalid-value",
                        &m,
                        msg!("environment-twice", value = &m.v),
                    ));
                } else {
                    out.push(m);
                }
            }
            if out.is_empty() && r.node("miljoe").is_some() {
                diags.push(
                    crate::base::diag::Diagnostic::error(
                        "invalid-value",
                        arr_loc,
                        crate::input::raw::join(p, "miljoe"),
                        msg!("environments-empty"),
                    )
                    .with_help(msg!("environments-empty-help")),
                );
            }
            out
        }
        None => Vec::new(),
    }
}

/// Read a service's required basis table `key` (disclosure or processing basis).
fn read_grunnlag(
    diags: &mut Diags,
    r: &Reader,
    key: &str,
    types: &[&str],
    keys: &[&str],
    help: Msg,
) -> Option<Grunnlag> {
    r.table_req(diags, key, help).map(|(t, loc, gp)| {
        let g = Reader::open(diags, t, loc.clone(), &gp, keys);
        Grunnlag {
            kind: g.enum_req(diags, "type", types),
            henvisning: g.str_req(diags, "henvisning", msg!("help-henvisning")),
            egen_hjemmel: if keys.contains(&"egen_hjemmel") {
                g.str_opt(diags, "egen_hjemmel")
            } else {
                None
            },
            loc,
            path: gp,
        }
    })
}
