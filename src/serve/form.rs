//! The editor's form: one section per part of the agreement, each field at the TOML path
//! it edits, labelled in Norwegian, helped by the JSON Schema's descriptions, and offering
//! the choices the catalogue allows for what is chosen so far.

use serde::Serialize;
use serde_json::Value as Json;
use toml::Value;

use crate::catalog::{Catalogue, DELINGSVILKAAR, TermsDoc};
use crate::input::model::MILJOE;

/// How a field is edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Text,
    Email,
    Textarea,
    Date,
    Select,
    Checkbox,
    /// A list of strings chosen from options (`miljoe`, `tjenester`).
    Checklist,
    /// A list of strings, one per line (`retur_url`).
    Lines,
}

/// Where a field's choices come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choices {
    None,
    /// The enum the JSON Schema gives for the key.
    Schema,
    Services,
    /// The rights packages of the item's service.
    Packages,
    /// The versions of the item's service's terms of use.
    TermsOfUse,
    /// The versions of the general sharing terms.
    SharingTerms,
    /// The basis types the item's rights package allows.
    Bases,
    /// The services the agreement requests.
    RequestedServices,
    Environments,
}

struct Spec {
    key: &'static str,
    label: &'static str,
    kind: Kind,
    choices: Choices,
    /// The schema definition the key belongs to.
    def: &'static str,
}

const fn f(key: &'static str, label: &'static str, kind: Kind, choices: Choices, def: &'static str) -> Spec {
    Spec {
        key,
        label,
        kind,
        choices,
        def,
    }
}

use Choices as C;
use Kind as K;

const AVTALE: &[Spec] = &[
    f("id", "Avtale-ID", K::Text, C::None, "Avtale"),
    f("spraak", "Språk i dokumentet", K::Select, C::Schema, "Avtale"),
    f("status", "Status", K::Select, C::Schema, "Avtale"),
    f("dato", "Avtaledato", K::Date, C::None, "Avtale"),
    f("gyldig_fra", "Gyldig fra (valgfri)", K::Date, C::None, "Avtale"),
    f("erstatter", "Erstatter avtale (valgfri)", K::Text, C::None, "Avtale"),
    f("vedtak", "Vedtak (valgfri)", K::Text, C::None, "Avtale"),
    f(
        "testdata",
        "Testavtale med fiktive organisasjonsnumre",
        K::Checkbox,
        C::None,
        "Avtale",
    ),
];

const VIRKSOMHET: &[Spec] = &[
    f("navn", "Navn", K::Text, C::None, "Virksomhet"),
    f(
        "organisasjonsnummer",
        "Organisasjonsnummer",
        K::Text,
        C::None,
        "Virksomhet",
    ),
    f(
        "organisasjonsform",
        "Organisasjonsform (valgfri)",
        K::Text,
        C::None,
        "Virksomhet",
    ),
    f("postadresse.adresse", "Postadresse", K::Text, C::None, "Postadresse"),
    f("postadresse.postnummer", "Postnummer", K::Text, C::None, "Postadresse"),
    f("postadresse.poststed", "Poststed", K::Text, C::None, "Postadresse"),
    f(
        "varslingsadresse",
        "Varslingsadresse (e-post)",
        K::Email,
        C::None,
        "Virksomhet",
    ),
];

const KONTAKT: &[Spec] = &[
    f("rolle", "Rolle", K::Select, C::Schema, "Kontakt"),
    f("navn", "Navn", K::Text, C::None, "Kontakt"),
    f("tittel", "Tittel (valgfri)", K::Text, C::None, "Kontakt"),
    f("epost", "E-post", K::Email, C::None, "Kontakt"),
    f("telefon", "Telefon (valgfri)", K::Text, C::None, "Kontakt"),
];

const SIGNATAR: &[Spec] = &[
    f("navn", "Navn", K::Text, C::None, "Signatar"),
    f("tittel", "Tittel", K::Text, C::None, "Signatar"),
    f("fullmakt", "Fullmakt", K::Select, C::Schema, "Signatar"),
    f(
        "fullmakt_referanse",
        "Referanse til fullmakten (bare ved delegert fullmakt)",
        K::Text,
        C::None,
        "Signatar",
    ),
    f("epost", "E-post (valgfri)", K::Email, C::None, "Signatar"),
];

const SEGMENT: &[Spec] = &[
    f("id", "Segment-ID", K::Text, C::None, "Segment"),
    f("ansvarlig.navn", "Segmentansvarlig", K::Text, C::None, "Ansvarlig"),
    f(
        "ansvarlig.organisasjonsnummer",
        "Segmentansvarliges organisasjonsnummer",
        K::Text,
        C::None,
        "Ansvarlig",
    ),
    f("avtale", "Segmentavtale (valgfri)", K::Text, C::None, "Segment"),
];

const DATABEHANDLER: &[Spec] = &[
    f("navn", "Navn", K::Text, C::None, "Databehandler"),
    f(
        "organisasjonsnummer",
        "Organisasjonsnummer",
        K::Text,
        C::None,
        "Databehandler",
    ),
    f("rolle", "Rolle", K::Select, C::Schema, "Databehandler"),
    f(
        "databehandleravtale",
        "Databehandleravtalen ble inngått",
        K::Date,
        C::None,
        "Databehandler",
    ),
    f(
        "tjenester",
        "Tjenester databehandleren håndterer",
        K::Checklist,
        C::RequestedServices,
        "Databehandler",
    ),
];

const VILKAAR: &[Spec] = &[f(
    "delingsvilkaar",
    "Delingsvilkår (versjon)",
    K::Select,
    C::SharingTerms,
    "Vilkaar",
)];

const TJENESTE: &[Spec] = &[
    f("id", "Tjeneste", K::Select, C::Services, "Tjeneste"),
    f("rettighetspakke", "Rettighetspakke", K::Select, C::Packages, "Tjeneste"),
    f(
        "bruksvilkaar",
        "Bruksvilkår (versjon)",
        K::Select,
        C::TermsOfUse,
        "Tjeneste",
    ),
    f("formaal", "Formål", K::Textarea, C::None, "Tjeneste"),
    f("miljoe", "Miljøer", K::Checklist, C::Environments, "Tjeneste"),
    f("tilkobling", "Tilkobling (valgfri)", K::Select, C::Schema, "Tjeneste"),
    f(
        "retur_url",
        "Tillatte retur-URL-er (én per linje)",
        K::Lines,
        C::None,
        "Tjeneste",
    ),
    f(
        "utleveringsgrunnlag.type",
        "Utleveringsgrunnlag",
        K::Select,
        C::Bases,
        "Utleveringsgrunnlag",
    ),
    f(
        "utleveringsgrunnlag.henvisning",
        "Henvisning for utleveringsgrunnlaget",
        K::Text,
        C::None,
        "Utleveringsgrunnlag",
    ),
    f(
        "utleveringsgrunnlag.egen_hjemmel",
        "Virksomhetens egen hjemmel",
        K::Text,
        C::None,
        "Utleveringsgrunnlag",
    ),
    f(
        "behandlingsgrunnlag.type",
        "Behandlingsgrunnlag",
        K::Select,
        C::Schema,
        "Behandlingsgrunnlag",
    ),
    f(
        "behandlingsgrunnlag.henvisning",
        "Henvisning for behandlingsgrunnlaget",
        K::Text,
        C::None,
        "Behandlingsgrunnlag",
    ),
];

/// The parts of the form, in order: TOML key, legend, how it repeats, its fields.
const SECTIONS: &[(&str, &str, Repeat, &[Spec])] = &[
    ("avtale", "Avtalen", Repeat::Once, AVTALE),
    ("virksomhet", "Virksomheten", Repeat::Once, VIRKSOMHET),
    ("kontakt", "Kontaktpersoner", Repeat::Many("Kontaktperson"), KONTAKT),
    ("signatar", "Signatarer", Repeat::Many("Signatar"), SIGNATAR),
    ("segment", "Segment", Repeat::Optional, SEGMENT),
    (
        "databehandler",
        "Databehandlere",
        Repeat::Many("Databehandler"),
        DATABEHANDLER,
    ),
    ("vilkaar", "Vilkår", Repeat::Once, VILKAAR),
    ("tjeneste", "Tjenester", Repeat::Many("Tjeneste"), TJENESTE),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    Once,
    /// A table that may be left out.
    Optional,
    /// An array of tables; the name of one element.
    Many(&'static str),
}

#[derive(Debug, Serialize)]
pub struct Form {
    pub sections: Vec<Section>,
}

#[derive(Debug, Serialize)]
pub struct Section {
    pub key: String,
    pub legend: String,
    pub help: String,
    /// `once`, `optional` or `many`.
    pub repeat: &'static str,
    pub present: bool,
    pub items: Vec<Group>,
    /// For repeated parts: what one element is called.
    pub item_name: String,
}

#[derive(Debug, Serialize)]
pub struct Group {
    /// TOML path of the element (`kontakt[1]`) or of the table (`virksomhet`).
    pub path: String,
    pub title: String,
    pub index: usize,
    pub last: bool,
    pub fields: Vec<Field>,
}

#[derive(Debug, Serialize)]
pub struct Field {
    pub path: String,
    /// The HTML id of the control.
    pub id: String,
    pub label: String,
    pub help: String,
    pub kind: Kind,
    pub value: String,
    pub checked: bool,
    pub options: Vec<Choice>,
    /// Something the current choice implies, shown under the control (a consent code).
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The form for an agreement file's parsed text.
pub fn form(doc: &toml::Table, cat: &Catalogue, schema: &Json) -> Form {
    let ctx = Context { cat, schema, doc };
    let sections = SECTIONS
        .iter()
        .map(|(key, legend, repeat, specs)| ctx.section(key, legend, *repeat, specs))
        .collect();
    Form { sections }
}

struct Context<'a> {
    cat: &'a Catalogue,
    schema: &'a Json,
    doc: &'a toml::Table,
}

impl Context<'_> {
    fn section(&self, key: &str, legend: &str, repeat: Repeat, specs: &[Spec]) -> Section {
        let value = self.doc.get(key);
        let tables: Vec<&toml::Table> = match (repeat, value) {
            (Repeat::Many(_), Some(Value::Array(a))) => a.iter().filter_map(Value::as_table).collect(),
            (_, Some(Value::Table(t))) => vec![t],
            (Repeat::Once, _) => vec![EMPTY.get_or_init(toml::Table::new)],
            _ => Vec::new(),
        };
        let n = tables.len();
        let items = tables
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                let (path, title) = match repeat {
                    Repeat::Many(name) => (format!("{key}[{i}]"), format!("{name} {}", i + 1)),
                    _ => (key.to_string(), legend.to_string()),
                };
                let fields = specs.iter().filter_map(|s| self.field(&path, t, s)).collect();
                Group {
                    path,
                    title,
                    index: i,
                    last: i + 1 == n,
                    fields,
                }
            })
            .collect();
        Section {
            key: key.into(),
            legend: legend.into(),
            help: description(self.schema.get("properties").and_then(|p| p.get(key))),
            repeat: match repeat {
                Repeat::Once => "once",
                Repeat::Optional => "optional",
                Repeat::Many(_) => "many",
            },
            present: value.is_some(),
            items,
            item_name: match repeat {
                Repeat::Many(name) => name.to_lowercase(),
                _ => legend.to_lowercase(),
            },
        }
    }

    /// The field of `spec` in the table at `base`; `None` when it does not apply (a return
    /// address for a package without consent, say) and the file does not have it either.
    fn field(&self, base: &str, t: &toml::Table, spec: &Spec) -> Option<Field> {
        let value = lookup(t, spec.key);
        if !self.applies(t, spec) && value.is_none() {
            return None;
        }
        let path = format!("{base}.{}", spec.key);
        let (text, checked, list) = match value {
            Some(Value::String(s)) => (s.clone(), false, Vec::new()),
            Some(Value::Boolean(b)) => (String::new(), *b, Vec::new()),
            Some(Value::Array(a)) => (
                String::new(),
                false,
                a.iter()
                    .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
                    .collect(),
            ),
            Some(v) => (v.to_string(), false, Vec::new()),
            None => (String::new(), false, Vec::new()),
        };
        let mut options = self.options(t, spec);
        mark_selected(&mut options, spec.kind, &text, &list);
        Some(Field {
            id: html_id(&path),
            label: spec.label.into(),
            help: self.help(spec),
            kind: spec.kind,
            value: if spec.kind == Kind::Lines {
                list.join("\n")
            } else {
                text
            },
            checked,
            options,
            note: self.note(t, spec),
            path,
        })
    }

    fn applies(&self, t: &toml::Table, spec: &Spec) -> bool {
        let package = self.package(t);
        match spec.key {
            "retur_url" => package.is_some_and(|p| p.samtykkekode.is_some()),
            "utleveringsgrunnlag.egen_hjemmel" => package.is_some_and(|p| p.krever_egen_hjemmel),
            "fullmakt_referanse" => t.get("fullmakt").and_then(Value::as_str) == Some("delegert"),
            _ => true,
        }
    }

    fn help(&self, spec: &Spec) -> String {
        let defs = self.schema.get("definitions");
        let (table, key) = match spec.key.rsplit_once('.') {
            Some((_, k)) => (spec.def, k),
            None => (spec.def, spec.key),
        };
        description(
            defs.and_then(|d| d.get(table))
                .and_then(|d| d.get("properties"))
                .and_then(|p| p.get(key)),
        )
    }

    fn service(&self, t: &toml::Table) -> Option<&crate::catalog::Service> {
        t.get("id").and_then(Value::as_str).and_then(|id| self.cat.service(id))
    }

    fn package(&self, t: &toml::Table) -> Option<&crate::catalog::Package> {
        let p = t.get("rettighetspakke").and_then(Value::as_str)?;
        self.service(t)?.package(p)
    }

    fn options(&self, t: &toml::Table, spec: &Spec) -> Vec<Choice> {
        let pairs: Vec<(String, String)> = match spec.choices {
            C::None => return Vec::new(),
            C::Schema => self.schema_enum(spec).into_iter().map(|v| (v.clone(), v)).collect(),
            C::Services => self
                .cat
                .tjenester
                .iter()
                .map(|s| (s.id.clone(), format!("{} ({})", s.navn, s.id)))
                .collect(),
            C::Packages => self
                .service(t)
                .map(|s| {
                    s.pakker
                        .iter()
                        .map(|p| (p.id.clone(), format!("{} ({})", p.navn, p.id)))
                        .collect()
                })
                .unwrap_or_default(),
            C::TermsOfUse => self
                .service(t)
                .and_then(|s| self.cat.terms(&s.bruksvilkaar))
                .map(terms_choices)
                .unwrap_or_default(),
            C::SharingTerms => self.cat.terms(DELINGSVILKAAR).map(terms_choices).unwrap_or_default(),
            C::Bases => self
                .package(t)
                .map(|p| p.grunnlag.iter().map(|g| (g.clone(), g.clone())).collect())
                .unwrap_or_else(|| self.schema_enum(spec).into_iter().map(|v| (v.clone(), v)).collect()),
            C::RequestedServices => self
                .doc
                .get("tjeneste")
                .and_then(Value::as_array)
                .map(|a| {
                    let mut ids: Vec<String> = a
                        .iter()
                        .filter_map(|s| s.get("id").and_then(Value::as_str).map(str::to_string))
                        .collect();
                    ids.dedup();
                    ids.into_iter().map(|id| (id.clone(), id)).collect()
                })
                .unwrap_or_default(),
            C::Environments => MILJOE.iter().map(|m| (m.to_string(), capitalised(m))).collect(),
        };
        pairs
            .into_iter()
            .map(|(value, label)| Choice {
                value,
                label,
                selected: false,
            })
            .collect()
    }

    fn schema_enum(&self, spec: &Spec) -> Vec<String> {
        let key = spec.key.rsplit('.').next().unwrap_or(spec.key);
        self.schema
            .get("definitions")
            .and_then(|d| d.get(spec.def))
            .and_then(|d| d.get("properties"))
            .and_then(|p| p.get(key))
            .and_then(|p| p.get("enum"))
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    fn note(&self, t: &toml::Table, spec: &Spec) -> Option<String> {
        match spec.key {
            "rettighetspakke" => self.package(t).map(|p| match &p.samtykkekode {
                Some(code) => format!("Samtykkekode: {code}. Tillatte grunnlag: {}.", p.grunnlag.join(", ")),
                None => format!("Tillatte utleveringsgrunnlag: {}.", p.grunnlag.join(", ")),
            }),
            _ => None,
        }
    }
}

static EMPTY: std::sync::OnceLock<toml::Table> = std::sync::OnceLock::new();

/// The versions of a terms document, each with its status, and whether it is a sample.
fn terms_choices(doc: &TermsDoc) -> Vec<(String, String)> {
    doc.versjoner
        .iter()
        .map(|v| {
            let sample = if v.eksempeltekst { ", eksempeltekst" } else { "" };
            (
                v.versjon.clone(),
                format!("{} ({}{sample})", v.versjon, v.status.label()),
            )
        })
        .collect()
}

/// Mark the options the value chooses; a value the options do not have is added, marked
/// unknown, so that the form shows what the file says.
fn mark_selected(options: &mut Vec<Choice>, kind: Kind, text: &str, list: &[String]) {
    match kind {
        Kind::Select => {
            match options.iter_mut().find(|o| o.value == text) {
                Some(o) => o.selected = true,
                None if !text.is_empty() => options.push(Choice {
                    value: text.into(),
                    label: format!("{text} (ikke gyldig her)"),
                    selected: true,
                }),
                None => {}
            }
            options.insert(
                0,
                Choice {
                    value: String::new(),
                    label: "– velg –".into(),
                    selected: text.is_empty(),
                },
            );
        }
        Kind::Checklist => {
            for v in list {
                match options.iter_mut().find(|o| &o.value == v) {
                    Some(o) => o.selected = true,
                    None => options.push(Choice {
                        value: v.clone(),
                        label: format!("{v} (ikke gyldig her)"),
                        selected: true,
                    }),
                }
            }
        }
        _ => {}
    }
}

/// `word` with its first letter in upper case, as a choice's label.
fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The value at a dotted key below a table.
fn lookup<'a>(t: &'a toml::Table, key: &str) -> Option<&'a Value> {
    let mut parts = key.split('.');
    let mut v = t.get(parts.next()?)?;
    for p in parts {
        v = v.as_table()?.get(p)?;
    }
    Some(v)
}

/// A schema node's description, following `allOf` references' own descriptions.
fn description(node: Option<&Json>) -> String {
    node.and_then(|n| n.get("description"))
        .and_then(Json::as_str)
        .unwrap_or_default()
        .replace('`', "")
}

/// An HTML id for a TOML path: `tjeneste[1].id` → `f-tjeneste-1-id`.
pub fn html_id(path: &str) -> String {
    let mut id = String::from("f-");
    for c in path.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_ids_are_plain() {
        assert_eq!(
            html_id("tjeneste[1].utleveringsgrunnlag.type"),
            "f-tjeneste-1-utleveringsgrunnlag-type"
        );
        assert_eq!(html_id("avtale.id"), "f-avtale-id");
    }
}
