//! The service catalogue: services, rights packages, terms documents and their versions.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::base::diag::{Diagnostic, Loc, Sources};
use crate::base::digest::sha256_hex;
use crate::base::i18n::Text;
use crate::catalog::assets::Assets;
use crate::msg;

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
    #[serde(default)]
    skatteetaten: Option<ContactPoints>,
    vilkaar: IndexMap<String, Spanned<TermsDocFile>>,
    tjeneste: IndexMap<String, Spanned<ServiceFile>>,
}

/// Where a consumer reaches Skatteetaten: data the terms owner keeps from Skatteetaten's
/// public pages, printed in every agreement.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ContactPoints {
    /// User support: questions, faults, changes.
    pub brukerstoette: String,
    /// Critical security incidents and possible personal-data breaches.
    pub sikkerhetshendelser: String,
    /// The public page the contact points are taken from.
    pub kilde: String,
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
    /// The text is the project's sample, not the terms owner's official text.
    #[serde(default)]
    eksempeltekst: bool,
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
    /// The texts are samples written for this project, not the terms owner's official text:
    /// the document says so, and `check` warns when a signable agreement pins one.
    pub eksempeltekst: bool,
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
    /// Skatteetaten's own contact points, as its public pages give them.
    pub skatteetaten: Option<ContactPoints>,
    pub vilkaar: Vec<TermsDoc>,
    pub tjenester: Vec<Service>,
}

pub const DELINGSVILKAAR: &str = "delingsvilkaar";

/// The language every terms text exists in and that binds where a translation is missing.
pub const BASE_LANGUAGE: &str = "nb";

/// Languages an agreement (and a translation) can be written in.
pub const LANGUAGES: &[&str] = &["nb", "nn", "en"];

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
        let raw = parse_catalogue(file, &text)?;
        let mut errors = Vec::new();
        if *raw.format.get_ref() != 1 {
            errors.push(catalogue_error(file, raw.format.span(), msg!("catalogue-format")));
        }
        let vilkaar = load_terms_docs(assets, file, &raw, &mut errors);
        let tjenester = load_services(file, &raw, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Catalogue {
            versjon: raw.versjon,
            sha256: sha256_hex(text.as_bytes()),
            skatteetaten: raw.skatteetaten,
            vilkaar,
            tjenester,
        })
    }
}

/// A catalogue error at `span` of the catalogue file.
fn catalogue_error(file: usize, span: std::ops::Range<usize>, msg: impl Into<Text>) -> Diagnostic {
    Diagnostic::error("catalogue", Loc::new(file, span), "", msg)
}

/// Parse the catalogue file's TOML; a syntax or shape error is the only error returned.
fn parse_catalogue(file: usize, text: &str) -> Result<CatalogueFile, Vec<Diagnostic>> {
    toml::from_str(text).map_err(|e| vec![catalogue_error(file, e.span().unwrap_or(0..0), e.message().to_string())])
}

/// Names in other languages than bokmål; a key that is not such a language is an error.
fn translations(
    file: usize,
    m: &BTreeMap<String, Spanned<String>>,
    errors: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (lang, name) in m {
        if LANGUAGES.contains(&lang.as_str()) && lang != BASE_LANGUAGE {
            out.insert(lang.clone(), name.get_ref().clone());
        } else {
            errors.push(catalogue_error(
                file,
                name.span(),
                msg!("catalogue-translation-language", lang = lang),
            ));
        }
    }
    out
}

/// Load every terms document; `delingsvilkaar` must be one of them.
fn load_terms_docs(assets: &Assets, file: usize, raw: &CatalogueFile, errors: &mut Vec<Diagnostic>) -> Vec<TermsDoc> {
    let mut vilkaar = Vec::new();
    for (id, doc) in &raw.vilkaar {
        vilkaar.push(load_terms_doc(assets, file, id, doc, errors));
    }
    if !raw.vilkaar.contains_key(DELINGSVILKAAR) {
        errors.push(catalogue_error(
            file,
            0..0,
            msg!("catalogue-no-sharing-terms", terms = DELINGSVILKAAR),
        ));
    }
    vilkaar
}

/// Load one terms document with all its versions; at most one version may be in force.
fn load_terms_doc(
    assets: &Assets,
    file: usize,
    id: &str,
    doc: &Spanned<TermsDocFile>,
    errors: &mut Vec<Diagnostic>,
) -> TermsDoc {
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
        if v.get_ref().status == TermsStatus::Gjeldende {
            current += 1;
        }
        versjoner.push(load_terms_version(assets, file, id, &variants, v, errors));
    }
    if current > 1 {
        errors.push(catalogue_error(
            file,
            doc_span,
            msg!("catalogue-two-current", terms = id),
        ));
    }
    TermsDoc {
        id: id.to_string(),
        navn: doc.navn.clone(),
        navn_oversatt: translations(file, &doc.navn_oversatt, errors),
        varianter: variants,
        versjoner,
    }
}

/// Load one version of a terms document: its bokmål texts, one per variant, and its translations.
fn load_terms_version(
    assets: &Assets,
    file: usize,
    id: &str,
    variants: &[String],
    v: &Spanned<TermsVersionFile>,
    errors: &mut Vec<Diagnostic>,
) -> TermsVersion {
    let span = v.span();
    let v = v.get_ref();
    let keys: Vec<&String> = v.fil.keys().collect();
    let mut want: Vec<&String> = variants.iter().collect();
    want.sort();
    // One `standard` text serves every variant (as the delingsvilkår did before 2022).
    if keys != want && keys != ["standard"] {
        errors.push(catalogue_error(
            file,
            span,
            msg!(
                "catalogue-variants",
                terms = id,
                version = &v.versjon,
                variants = format!("{want:?}")
            ),
        ));
    }
    let tekster = load_texts(assets, file, &v.fil, BASE_LANGUAGE, errors);
    let oversettelser = load_translated_texts(assets, file, id, v, errors);
    TermsVersion {
        versjon: v.versjon.clone(),
        status: v.status,
        eksempeltekst: v.eksempeltekst,
        tekster,
        oversettelser,
    }
}

/// Load a version's translated texts; each language must be one to translate into, with the same variants.
fn load_translated_texts(
    assets: &Assets,
    file: usize,
    id: &str,
    v: &TermsVersionFile,
    errors: &mut Vec<Diagnostic>,
) -> BTreeMap<String, BTreeMap<String, TermsText>> {
    let mut oversettelser = BTreeMap::new();
    for (lang, files) in &v.oversettelser {
        let translated = load_texts(assets, file, files.get_ref(), lang, errors);
        if !LANGUAGES.contains(&lang.as_str()) || lang == BASE_LANGUAGE {
            errors.push(catalogue_error(
                file,
                files.span(),
                msg!(
                    "catalogue-terms-translation-language",
                    terms = id,
                    version = &v.versjon,
                    lang = lang
                ),
            ));
        } else if files.get_ref().keys().ne(v.fil.keys()) {
            errors.push(catalogue_error(
                file,
                files.span(),
                msg!(
                    "catalogue-translation-variants",
                    terms = id,
                    version = &v.versjon,
                    lang = lang
                ),
            ));
        }
        oversettelser.insert(lang.clone(), translated);
    }
    oversettelser
}

/// Read the text files of one language, variant by variant, with their SHA-256.
fn load_texts(
    assets: &Assets,
    file: usize,
    files: &BTreeMap<String, Spanned<String>>,
    lang: &str,
    errors: &mut Vec<Diagnostic>,
) -> BTreeMap<String, TermsText> {
    let mut tekster = BTreeMap::new();
    for (variant, path) in files {
        match assets.read_string(path.get_ref()) {
            Ok(text) => {
                let sha256 = sha256_hex(text.as_bytes());
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
            Err(e) => errors.push(catalogue_error(file, path.span(), e)),
        }
    }
    tekster
}

/// Load every service with its rights packages.
fn load_services(file: usize, raw: &CatalogueFile, errors: &mut Vec<Diagnostic>) -> Vec<Service> {
    let mut tjenester = Vec::new();
    for (id, s) in &raw.tjeneste {
        let s = s.get_ref();
        check_service_refs(file, raw, id, s, errors);
        let mut pakker = Vec::new();
        for (pid, p) in &s.rettighetspakke {
            pakker.push(load_package(file, id, pid, p, errors));
        }
        tjenester.push(Service {
            id: id.clone(),
            navn: s.navn.clone(),
            navn_oversatt: translations(file, &s.navn_oversatt, errors),
            scope: s.scope.clone(),
            bruksvilkaar: s.bruksvilkaar.get_ref().clone(),
            krever: s.krever.iter().map(|k| k.get_ref().clone()).collect(),
            pakker,
        });
    }
    tjenester
}

/// Check that a service's terms of use and required services exist in the catalogue.
fn check_service_refs(file: usize, raw: &CatalogueFile, id: &str, s: &ServiceFile, errors: &mut Vec<Diagnostic>) {
    if !raw.vilkaar.contains_key(s.bruksvilkaar.get_ref()) {
        errors.push(catalogue_error(
            file,
            s.bruksvilkaar.span(),
            msg!(
                "catalogue-unknown-terms",
                service = id,
                terms = s.bruksvilkaar.get_ref()
            ),
        ));
    }
    for k in &s.krever {
        if !raw.tjeneste.contains_key(k.get_ref()) {
            errors.push(catalogue_error(
                file,
                k.span(),
                msg!("catalogue-unknown-required", service = id, required = k.get_ref()),
            ));
        }
    }
}

/// Load one rights package of service `id`: its basis types must be known, a consent package needs a code.
fn load_package(file: usize, id: &str, pid: &str, p: &Spanned<PackageFile>, errors: &mut Vec<Diagnostic>) -> Package {
    let span = p.span();
    let p = p.get_ref();
    for g in &p.grunnlag {
        if !["hjemmel", "samtykke"].contains(&g.get_ref().as_str()) {
            errors.push(catalogue_error(
                file,
                g.span(),
                msg!("catalogue-basis-type", kind = g.get_ref()),
            ));
        }
    }
    let pk = Package {
        id: pid.to_string(),
        navn: p.navn.clone(),
        navn_oversatt: translations(file, &p.navn_oversatt, errors),
        grunnlag: p.grunnlag.iter().map(|g| g.get_ref().clone()).collect(),
        samtykkekode: p.samtykkekode.clone(),
        krever_egen_hjemmel: p.krever_egen_hjemmel,
        lovgrunnlag: p.lovgrunnlag.clone(),
    };
    if pk.is_consent() && pk.samtykkekode.is_none() {
        errors.push(catalogue_error(
            file,
            span,
            msg!("catalogue-consent-code", service = id, package = pid),
        ));
    }
    pk
}
