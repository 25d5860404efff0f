//! The service catalogue: services, rights packages, terms documents and their versions.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::assets::Assets;
use crate::diag::{Diagnostic, Loc, Sources};

pub const CATALOGUE_FILE: &str = "katalog.toml";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TermsStatus {
    Gjeldende,
    Erstattet,
    Trukket,
}

impl TermsStatus {
    pub fn label(self) -> &'static str {
        match self {
            TermsStatus::Gjeldende => "gjeldende",
            TermsStatus::Erstattet => "erstattet",
            TermsStatus::Trukket => "trukket",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    format: Spanned<u32>,
    versjon: String,
    vilkaar: IndexMap<String, Spanned<TermsDocFile>>,
    tjeneste: IndexMap<String, Spanned<ServiceFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TermsDocFile {
    navn: String,
    #[serde(default)]
    navn_oversatt: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    varianter: Vec<String>,
    versjon: Vec<Spanned<TermsVersionFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TermsVersionFile {
    versjon: String,
    status: TermsStatus,
    fil: BTreeMap<String, Spanned<String>>,
    /// Language → variant → file: the translations this version has besides bokmål.
    #[serde(default)]
    oversettelser: BTreeMap<String, Spanned<BTreeMap<String, Spanned<String>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceFile {
    navn: String,
    #[serde(default)]
    navn_oversatt: BTreeMap<String, Spanned<String>>,
    scope: String,
    bruksvilkaar: Spanned<String>,
    #[serde(default)]
    krever: Vec<Spanned<String>>,
    rettighetspakke: IndexMap<String, Spanned<PackageFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackageFile {
    navn: String,
    #[serde(default)]
    navn_oversatt: BTreeMap<String, Spanned<String>>,
    grunnlag: Vec<Spanned<String>>,
    samtykkekode: Option<String>,
    #[serde(default)]
    krever_egen_hjemmel: bool,
    lovgrunnlag: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TermsVersion {
    pub versjon: String,
    pub status: TermsStatus,
    /// Variant (`standard`, or `segment` / `enkeltstaaende`) → bokmål text.
    pub tekster: BTreeMap<String, TermsText>,
    /// Language (`nn`, `en`) → variant → translated text.
    pub oversettelser: BTreeMap<String, BTreeMap<String, TermsText>>,
}

impl TermsVersion {
    /// The languages this version has a text in, bokmål first.
    pub fn languages(&self) -> Vec<&str> {
        std::iter::once(BASE_LANGUAGE)
            .chain(self.oversettelser.keys().map(String::as_str))
            .collect()
    }

    /// Whether this version has a text in `lang`.
    pub fn has_language(&self, lang: &str) -> bool {
        lang == BASE_LANGUAGE || self.oversettelser.contains_key(lang)
    }

    /// The text of a variant in a language, falling back to bokmål; `standard` stands in for
    /// a variant the document does not have.
    pub fn text(&self, variant: &str, lang: &str) -> Option<&TermsText> {
        fn pick<'a>(m: &'a BTreeMap<String, TermsText>, variant: &str) -> Option<&'a TermsText> {
            m.get(variant).or_else(|| m.get("standard"))
        }
        self.oversettelser
            .get(lang)
            .and_then(|m| pick(m, variant))
            .or_else(|| pick(&self.tekster, variant))
            .or_else(|| self.tekster.values().next())
    }

    /// Every text of this version, in every language.
    pub fn all_texts(&self) -> impl Iterator<Item = &TermsText> {
        self.tekster
            .values()
            .chain(self.oversettelser.values().flat_map(|m| m.values()))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TermsText {
    pub fil: String,
    /// `nb`, or the language of a translation.
    pub spraak: String,
    #[serde(skip)]
    pub text: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TermsDoc {
    pub id: String,
    pub navn: String,
    /// The document's name in other languages than bokmål.
    pub navn_oversatt: BTreeMap<String, String>,
    pub varianter: Vec<String>,
    pub versjoner: Vec<TermsVersion>,
}

impl TermsDoc {
    pub fn version(&self, v: &str) -> Option<&TermsVersion> {
        self.versjoner.iter().find(|x| x.versjon == v)
    }

    pub fn current(&self) -> Option<&TermsVersion> {
        self.versjoner.iter().find(|x| x.status == TermsStatus::Gjeldende)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Package {
    pub id: String,
    pub navn: String,
    pub navn_oversatt: BTreeMap<String, String>,
    /// Allowed disclosure basis types: `hjemmel` and/or `samtykke`.
    pub grunnlag: Vec<String>,
    pub samtykkekode: Option<String>,
    pub krever_egen_hjemmel: bool,
    pub lovgrunnlag: Option<String>,
}

impl Package {
    pub fn is_consent(&self) -> bool {
        self.grunnlag.iter().any(|g| g == "samtykke")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub id: String,
    pub navn: String,
    pub navn_oversatt: BTreeMap<String, String>,
    pub scope: String,
    pub bruksvilkaar: String,
    pub krever: Vec<String>,
    pub pakker: Vec<Package>,
}

impl Service {
    pub fn package(&self, id: &str) -> Option<&Package> {
        self.pakker.iter().find(|p| p.id == id)
    }

    /// The Maskinporten scope for a package (Folkeregisteret has one per package).
    pub fn scope_for(&self, package: &str) -> String {
        self.scope.replace("{pakke}", package)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Catalogue {
    pub versjon: String,
    pub sha256: String,
    pub vilkaar: Vec<TermsDoc>,
    pub tjenester: Vec<Service>,
}

pub const DELINGSVILKAAR: &str = "delingsvilkaar";

/// The language every terms text exists in and that binds where a translation is missing.
pub const BASE_LANGUAGE: &str = "nb";

/// Languages an agreement (and a translation) can be written in.
pub use crate::model::SPRAAK as LANGUAGES;

/// A name in a language, or the bokmål name where the catalogue has no translation.
pub fn name_in<'a>(navn: &'a str, oversatt: &'a BTreeMap<String, String>, lang: &str) -> &'a str {
    oversatt.get(lang).map_or(navn, String::as_str)
}

impl Catalogue {
    pub fn service(&self, id: &str) -> Option<&Service> {
        self.tjenester.iter().find(|s| s.id == id)
    }

    pub fn terms(&self, id: &str) -> Option<&TermsDoc> {
        self.vilkaar.iter().find(|d| d.id == id)
    }

    /// Load `katalog.toml` from `assets` and check it. Errors are located in `sources`.
    pub fn load(assets: &Assets, file_name: &str, sources: &mut Sources) -> Result<Catalogue, Vec<Diagnostic>> {
        let name = assets.display(file_name);
        let text = assets.read_string(file_name).map_err(|e| {
            vec![Diagnostic::error(
                "catalogue",
                Loc::new(sources.add(name.clone(), String::new()), 0..0),
                "",
                e,
            )]
        })?;
        let file = sources.add(name, text.clone());
        let err =
            |span: std::ops::Range<usize>, msg: String| Diagnostic::error("catalogue", Loc::new(file, span), "", msg);
        let translations = |m: &BTreeMap<String, Spanned<String>>, errors: &mut Vec<Diagnostic>| {
            let mut out = BTreeMap::new();
            for (lang, name) in m {
                if LANGUAGES.contains(&lang.as_str()) && lang != BASE_LANGUAGE {
                    out.insert(lang.clone(), name.get_ref().clone());
                } else {
                    errors.push(err(
                        name.span(),
                        format!("`{lang}` is not a language to translate into (nn, en)"),
                    ));
                }
            }
            out
        };
        let raw: CatalogueFile =
            toml::from_str(&text).map_err(|e| vec![err(e.span().unwrap_or(0..0), e.message().to_string())])?;
        let mut errors = Vec::new();
        if *raw.format.get_ref() != 1 {
            errors.push(err(
                raw.format.span(),
                "unsupported catalogue format; expected `format = 1`".into(),
            ));
        }
        let mut vilkaar = Vec::new();
        for (id, doc) in &raw.vilkaar {
            let doc_span = doc.span();
            let doc = doc.get_ref();
            let variants: Vec<String> = if doc.varianter.is_empty() {
                vec!["standard".into()]
            } else {
                doc.varianter.clone()
            };
            let mut versjoner = Vec::new();
            let mut current = 0;
            for v in &doc.versjon {
                let span = v.span();
                let v = v.get_ref();
                if v.status == TermsStatus::Gjeldende {
                    current += 1;
                }
                let keys: Vec<&String> = v.fil.keys().collect();
                let mut want: Vec<&String> = variants.iter().collect();
                want.sort();
                if keys != want {
                    errors.push(err(
                        span.clone(),
                        format!(
                            "terms `{id}@{}`: `fil` must name exactly the variants {want:?}",
                            v.versjon
                        ),
                    ));
                }
                let load_texts =
                    |files: &BTreeMap<String, Spanned<String>>, lang: &str, errors: &mut Vec<Diagnostic>| {
                        let mut tekster = BTreeMap::new();
                        for (variant, path) in files {
                            match assets.read_string(path.get_ref()) {
                                Ok(text) => {
                                    let sha256 = hex(&Sha256::digest(text.as_bytes()));
                                    tekster.insert(
                                        variant.clone(),
                                        TermsText {
                                            fil: path.get_ref().clone(),
                                            spraak: lang.to_string(),
                                            text,
                                            sha256,
                                        },
                                    );
                                }
                                Err(e) => errors.push(err(path.span(), e)),
                            }
                        }
                        tekster
                    };
                let tekster = load_texts(&v.fil, BASE_LANGUAGE, &mut errors);
                let mut oversettelser = BTreeMap::new();
                for (lang, files) in &v.oversettelser {
                    let translated = load_texts(files.get_ref(), lang, &mut errors);
                    if !LANGUAGES.contains(&lang.as_str()) || lang == BASE_LANGUAGE {
                        errors.push(err(
                            files.span(),
                            format!(
                                "terms `{id}@{}`: `{lang}` is not a language to translate into (nn, en)",
                                v.versjon
                            ),
                        ));
                    } else if files.get_ref().keys().ne(v.fil.keys()) {
                        errors.push(err(
                            files.span(),
                            format!(
                                "terms `{id}@{}`: the `{lang}` translation must name the same variants as `fil`",
                                v.versjon
                            ),
                        ));
                    }
                    oversettelser.insert(lang.clone(), translated);
                }
                versjoner.push(TermsVersion {
                    versjon: v.versjon.clone(),
                    status: v.status,
                    tekster,
                    oversettelser,
                });
            }
            if current > 1 {
                errors.push(err(
                    doc_span,
                    format!("terms `{id}` has more than one version with status `gjeldende`"),
                ));
            }
            vilkaar.push(TermsDoc {
                id: id.clone(),
                navn: doc.navn.clone(),
                navn_oversatt: translations(&doc.navn_oversatt, &mut errors),
                varianter: variants,
                versjoner,
            });
        }
        if !raw.vilkaar.contains_key(DELINGSVILKAAR) {
            errors.push(err(
                0..0,
                format!("the catalogue must define the terms document `{DELINGSVILKAAR}`"),
            ));
        }
        let mut tjenester = Vec::new();
        for (id, s) in &raw.tjeneste {
            let s = s.get_ref();
            if !raw.vilkaar.contains_key(s.bruksvilkaar.get_ref()) {
                errors.push(err(
                    s.bruksvilkaar.span(),
                    format!("service `{id}` names unknown terms `{}`", s.bruksvilkaar.get_ref()),
                ));
            }
            for k in &s.krever {
                if !raw.tjeneste.contains_key(k.get_ref()) {
                    errors.push(err(
                        k.span(),
                        format!("service `{id}` requires unknown service `{}`", k.get_ref()),
                    ));
                }
            }
            let mut pakker = Vec::new();
            for (pid, p) in &s.rettighetspakke {
                let span = p.span();
                let p = p.get_ref();
                for g in &p.grunnlag {
                    if !["hjemmel", "samtykke"].contains(&g.get_ref().as_str()) {
                        errors.push(err(
                            g.span(),
                            format!("basis type `{}` is neither `hjemmel` nor `samtykke`", g.get_ref()),
                        ));
                    }
                }
                let pk = Package {
                    id: pid.clone(),
                    navn: p.navn.clone(),
                    navn_oversatt: translations(&p.navn_oversatt, &mut errors),
                    grunnlag: p.grunnlag.iter().map(|g| g.get_ref().clone()).collect(),
                    samtykkekode: p.samtykkekode.clone(),
                    krever_egen_hjemmel: p.krever_egen_hjemmel,
                    lovgrunnlag: p.lovgrunnlag.clone(),
                };
                if pk.is_consent() && pk.samtykkekode.is_none() {
                    errors.push(err(span, format!("consent package `{id}.{pid}` needs `samtykkekode`")));
                }
                pakker.push(pk);
            }
            tjenester.push(Service {
                id: id.clone(),
                navn: s.navn.clone(),
                navn_oversatt: translations(&s.navn_oversatt, &mut errors),
                scope: s.scope.clone(),
                bruksvilkaar: s.bruksvilkaar.get_ref().clone(),
                krever: s.krever.iter().map(|k| k.get_ref().clone()).collect(),
                pakker,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Catalogue {
            versjon: raw.versjon,
            sha256: hex(&Sha256::digest(text.as_bytes())),
            vilkaar,
            tjenester,
        })
    }
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
