//! The rules of the format that need more than the shape of the file: identifiers,
//! addresses, dates, and everything checked against the catalogue.

use crate::base::diag::{Diagnostic, Sp};
use crate::catalog::{BASE_LANGUAGE, Catalogue, DELINGSVILKAAR, LANGUAGES, Package, Service, TermsStatus};
use crate::input::model::{Agreement, Databehandler, Grunnlag, Signatar, Tjeneste};
use crate::input::raw::{Diags, quote_list, suggest};
use crate::msg;

/// Remove the spaces allowed inside an organisation number.
pub fn normalise_orgnr(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The mod-11 check of a 9-digit organisation number (weights 3 2 7 6 5 4 3 2).
pub fn orgnr_checksum_ok(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 9 || digits.len() != 9 {
        return false;
    }
    let weights = [3, 2, 7, 6, 5, 4, 3, 2];
    let sum: u32 = weights.iter().zip(&d).map(|(w, x)| w * x).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == d[8]
}

/// Check one organisation number; `true` when it is well-formed.
fn check_orgnr(diags: &mut Diags, n: &Sp<String>, testdata: bool) {
    let digits = normalise_orgnr(&n.v);
    if digits.len() != 9 || !digits.chars().all(|c| c.is_ascii_digit()) {
        diags.push(
            Diagnostic::error_at("orgnr-format", n, msg!("orgnr-format", value = &n.v))
                .with_help(msg!("orgnr-format-help")),
        );
        return;
    }
    if !orgnr_checksum_ok(&digits) {
        diags.push(
            Diagnostic::error_at("orgnr-checksum", n, msg!("orgnr-checksum", value = &n.v))
                .with_help(msg!("orgnr-checksum-help")),
        );
        return;
    }
    if !testdata && !digits.starts_with(['8', '9']) {
        diags.push(
            Diagnostic::warning_at("orgnr-test-range", n, msg!("orgnr-test-range", value = &n.v))
                .with_help(msg!("orgnr-test-range-help")),
        );
    }
}

pub fn plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(c))
        && domain.contains('.')
        && domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
}

pub fn plausible_phone(s: &str) -> bool {
    let compact: String = s.chars().filter(|c| *c != ' ').collect();
    if let Some(rest) = compact.strip_prefix('+') {
        (7..=15).contains(&rest.len()) && rest.chars().all(|c| c.is_ascii_digit())
    } else {
        compact.len() == 8 && compact.chars().all(|c| c.is_ascii_digit())
    }
}

fn check_email(diags: &mut Diags, e: &Option<Sp<String>>) {
    if let Some(e) = e
        && !plausible_email(&e.v)
    {
        diags.push(Diagnostic::error_at("email", e, msg!("email", value = &e.v)).with_help(msg!("email-help")));
    }
}

/// Every rule that needs the catalogue or looks across fields of one agreement.
pub fn check(diags: &mut Diags, a: &Agreement, cat: &Catalogue) {
    let testdata = a.avtale.testdata;
    check_avtale(diags, a);
    check_virksomhet(diags, a, testdata);
    check_kontakter(diags, a);
    check_signatarer(diags, a);
    check_segment(diags, a, testdata);
    check_vilkaar(diags, a, cat);
    check_databehandlere(diags, a, testdata);
    check_tjenester(diags, a, cat);
    crate::input::coherence::check(diags, a);
}

/// Check the `[avtale]` table: the id's characters and the order of its dates.
fn check_avtale(diags: &mut Diags, a: &Agreement) {
    if let Some(id) = &a.avtale.id
        && !id.v.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        diags.push(
            Diagnostic::error_at("invalid-value", id, msg!("agreement-id", value = &id.v))
                .with_help(msg!("agreement-id-help")),
        );
    }
    if let (Some(dato), Some(fra)) = (&a.avtale.dato, &a.avtale.gyldig_fra)
        && fra.v < dato.v
    {
        diags.push(
            Diagnostic::error_at(
                "date-order",
                fra,
                msg!("date-order-valid-from", from = fra.v, date = dato.v),
            )
            .with_related(dato.loc.clone(), msg!("related-agreement-date"))
            .with_help(msg!("date-order-valid-from-help")),
        );
    }
}

/// Check the `[virksomhet]` table: organisation number and form, postcode and notice address.
fn check_virksomhet(diags: &mut Diags, a: &Agreement, testdata: bool) {
    let v = &a.virksomhet;
    if let Some(n) = &v.organisasjonsnummer {
        check_orgnr(diags, n, testdata);
    }
    if let Some(f) = &v.organisasjonsform
        && !((2..=4).contains(&f.v.len()) && f.v.chars().all(|c| c.is_ascii_uppercase()))
    {
        diags.push(
            Diagnostic::error_at("invalid-value", f, msg!("organisation-form", value = &f.v))
                .with_help(msg!("organisation-form-help")),
        );
    }
    if let Some(p) = &v.postadresse
        && let Some(n) = &p.postnummer
        && !(n.v.len() == 4 && n.v.chars().all(|c| c.is_ascii_digit()))
    {
        diags.push(
            Diagnostic::error_at("postnummer", n, msg!("postnummer", value = &n.v)).with_help(msg!("postnummer-help")),
        );
    }
    check_email(diags, &v.varslingsadresse);
}

/// Check every `[[kontakt]]`'s e-mail and phone, then that the required roles are present.
fn check_kontakter(diags: &mut Diags, a: &Agreement) {
    for k in &a.kontakt {
        check_email(diags, &k.epost);
        if let Some(t) = &k.telefon
            && !plausible_phone(&t.v)
        {
            diags.push(Diagnostic::error_at("phone", t, msg!("phone", value = &t.v)).with_help(msg!("phone-help")));
        }
    }
    for role in ["forretning", "teknisk"] {
        if !a.kontakt.iter().any(|k| k.rolle.as_ref().is_some_and(|r| r.v == role)) {
            diags.push(
                Diagnostic::error(
                    "missing-contact-role",
                    a.root.clone(),
                    crate::input::raw::join(&a.prefix, "kontakt"),
                    msg!("missing-contact-role", role = role),
                )
                .with_help(msg!("missing-contact-role-help", role = role)),
            );
        }
    }
}

/// Check that there is a signatory, and each `[[signatar]]`'s e-mail and delegation.
fn check_signatarer(diags: &mut Diags, a: &Agreement) {
    if a.signatar.is_empty() {
        diags.push(
            Diagnostic::error(
                "missing-signatory",
                a.root.clone(),
                crate::input::raw::join(&a.prefix, "signatar"),
                msg!("missing-signatory"),
            )
            .with_help(msg!("missing-signatory-help")),
        );
    }
    for s in &a.signatar {
        check_email(diags, &s.epost);
        check_delegation(diags, s);
    }
}

/// Check that `fullmakt_referanse` is given exactly when the authority is delegated.
fn check_delegation(diags: &mut Diags, s: &Signatar) {
    let delegated = s.fullmakt.as_ref().is_some_and(|f| f.v == "delegert");
    // A blank reference is no reference.
    let reference = s.fullmakt_referanse.as_ref().filter(|r| !r.v.trim().is_empty());
    match (reference, delegated) {
        (None, true) => {
            let f = s.fullmakt.as_ref().expect("delegated implies fullmakt");
            diags.push(
                Diagnostic::error_at("delegation-reference", f, msg!("delegation-without-reference"))
                    .with_help(msg!("delegation-without-reference-help")),
            );
        }
        (Some(r), false) if s.fullmakt.is_some() => diags.push(
            Diagnostic::error_at("delegation-reference", r, msg!("reference-without-delegation"))
                .with_help(msg!("reference-without-delegation-help")),
        ),
        _ => {}
    }
}

/// Check the segment owner's organisation number, and that it is not the consumer's own.
fn check_segment(diags: &mut Diags, a: &Agreement, testdata: bool) {
    if let Some(seg) = &a.segment
        && let Some(owner) = &seg.ansvarlig
        && let Some(n) = &owner.organisasjonsnummer
    {
        check_orgnr(diags, n, testdata);
        if let Some(own) = &a.virksomhet.organisasjonsnummer
            && normalise_orgnr(&own.v) == normalise_orgnr(&n.v)
        {
            diags.push(
                Diagnostic::warning_at("segment-owner-self", n, msg!("segment-owner-self"))
                    .with_related(own.loc.clone(), msg!("related-consumer-number"))
                    .with_help(msg!("segment-owner-self-help")),
            );
        }
    }
}

/// Check the pinned version of the sharing terms against the catalogue.
fn check_vilkaar(diags: &mut Diags, a: &Agreement, cat: &Catalogue) {
    if let Some(pin) = &a.vilkaar.delingsvilkaar
        && let Some(doc) = cat.terms(DELINGSVILKAAR)
    {
        check_terms_pin(diags, a, pin, doc);
    }
}

/// Check every `[[databehandler]]` against the agreement's date and requested services.
fn check_databehandlere(diags: &mut Diags, a: &Agreement, testdata: bool) {
    let requested: Vec<&str> = a
        .tjeneste
        .iter()
        .filter_map(|t| t.id.as_ref().map(|i| i.v.as_str()))
        .collect();
    for d in &a.databehandler {
        check_databehandler(diags, a, d, &requested, testdata);
    }
}

/// Check one data processor: its number, its agreement's date and the services it handles.
fn check_databehandler(diags: &mut Diags, a: &Agreement, d: &Databehandler, requested: &[&str], testdata: bool) {
    if let Some(n) = &d.organisasjonsnummer {
        check_orgnr(diags, n, testdata);
    }
    if let (Some(date), Some(dato)) = (&d.databehandleravtale, &a.avtale.dato)
        && date.v > dato.v
    {
        diags.push(
            Diagnostic::error_at(
                "date-order",
                date,
                msg!("date-order-processor", processor_date = date.v, date = dato.v),
            )
            .with_related(dato.loc.clone(), msg!("related-agreement-date"))
            .with_help(msg!("date-order-processor-help")),
        );
    }
    if d.tjenester.is_empty()
        && let Some(l) = &d.tjenester_loc
    {
        diags.push(
            Diagnostic::error(
                "invalid-value",
                l.clone(),
                format!("{}.tjenester", d.path),
                msg!("processor-services-empty"),
            )
            .with_help(msg!("processor-services-empty-help")),
        );
    }
    for s in &d.tjenester {
        if !requested.contains(&s.v.as_str()) {
            diags.push(
                Diagnostic::error_at("processor-service", s, msg!("processor-service", service = &s.v)).with_help(
                    if requested.is_empty() {
                        msg!("processor-service-help-none")
                    } else {
                        msg!("processor-service-help", services = quote_list(requested))
                    },
                ),
            );
        }
    }
}

/// Check every requested service, then that there is at least one.
fn check_tjenester(diags: &mut Diags, a: &Agreement, cat: &Catalogue) {
    for (i, t) in a.tjeneste.iter().enumerate() {
        check_service(diags, a, i, t, cat);
    }
    if a.tjeneste.is_empty() {
        diags.push(
            Diagnostic::error(
                "missing-field",
                a.root.clone(),
                crate::input::raw::join(&a.prefix, "tjeneste"),
                msg!("no-service"),
            )
            .with_help(msg!("no-service-help")),
        );
    }
}

fn check_terms_pin(diags: &mut Diags, a: &Agreement, pin: &Sp<String>, doc: &crate::catalog::TermsDoc) {
    let versions: Vec<&str> = doc.versjoner.iter().map(|v| v.versjon.as_str()).collect();
    let lang = a.avtale.spraak.as_ref().map_or(BASE_LANGUAGE, |s| s.v.as_str());
    let version = doc.version(&pin.v);
    if let Some(v) = version
        && LANGUAGES.contains(&lang)
        && !v.has_language(lang)
    {
        let translated = doc.current().filter(|c| c.has_language(lang));
        diags.push(
            Diagnostic::warning_at(
                "terms-language-fallback",
                pin,
                msg!(
                    "terms-language-fallback",
                    terms = &doc.id,
                    version = &pin.v,
                    lang = lang
                ),
            )
            .with_help(match translated {
                Some(t) => msg!("terms-language-fallback-help", version = &t.versjon, lang = lang),
                None => msg!("terms-language-fallback-help-none"),
            }),
        );
    }
    match version {
        None => diags.push(
            Diagnostic::error_at(
                "unknown-terms-version",
                pin,
                msg!("unknown-terms-version", terms = &doc.id, version = &pin.v),
            )
            .with_help(match doc.current() {
                Some(c) => msg!(
                    "unknown-terms-version-help",
                    current = &c.versjon,
                    versions = quote_list(&versions)
                ),
                None => msg!("unknown-terms-version-help-none", versions = quote_list(&versions)),
            }),
        ),
        Some(v) if v.status == TermsStatus::Trukket => diags.push(
            Diagnostic::error_at(
                "terms-withdrawn",
                pin,
                msg!("terms-withdrawn", terms = &doc.id, version = &pin.v),
            )
            .with_help(match doc.current() {
                Some(c) => msg!("terms-withdrawn-help", current = &c.versjon),
                None => msg!("terms-withdrawn-help-none"),
            }),
        ),
        Some(v) if v.status == TermsStatus::Erstattet => superseded(diags, pin, doc),
        Some(_) => {}
    }
    if let Some(v) = version
        && v.eksempeltekst
        && a.signable()
    {
        diags.push(
            Diagnostic::warning_at(
                "sample-terms",
                pin,
                msg!("sample-terms", terms = &doc.id, version = &pin.v),
            )
            .with_help(msg!("sample-terms-help")),
        );
    }
}

/// A superseded pin. Delingsvilkår stay pinned, so a newer version is a warning; bruksvilkår
/// apply in their current version without a new signature, so it is information only.
fn superseded(diags: &mut Diags, pin: &Sp<String>, doc: &crate::catalog::TermsDoc) {
    let Some(c) = doc.current() else { return };
    let message = msg!(
        "terms-superseded",
        terms = &doc.id,
        version = &pin.v,
        current = &c.versjon
    );
    diags.push(if doc.id == DELINGSVILKAAR {
        Diagnostic::warning_at("terms-superseded", pin, message)
            .with_help(msg!("terms-superseded-help", current = &c.versjon))
    } else {
        Diagnostic::info_at("terms-superseded", pin, message)
            .with_help(msg!("terms-superseded-help-usage", current = &c.versjon))
    });
}

/// Check one requested service against the catalogue and the rest of the agreement.
fn check_service(diags: &mut Diags, a: &Agreement, i: usize, t: &Tjeneste, cat: &Catalogue) {
    let Some(id) = &t.id else { return };
    check_purpose(diags, t);
    let Some(service) = cat.service(&id.v) else {
        report_unknown_service(diags, id, cat);
        return;
    };
    if let Some(pin) = &t.bruksvilkaar
        && let Some(doc) = cat.terms(&service.bruksvilkaar)
    {
        check_terms_pin(diags, a, pin, doc);
    }
    check_required_services(diags, a, id, service);
    let Some(pkg_id) = &t.rettighetspakke else { return };
    check_duplicate_request(diags, a, i, id, pkg_id);
    let Some(pkg) = service.package(&pkg_id.v) else {
        report_unknown_package(diags, service, pkg_id);
        return;
    };
    if let Some(g) = &t.utleveringsgrunnlag {
        check_disclosure_basis(diags, g, pkg);
    }
    check_return_urls(diags, t, pkg);
}

/// Check that the service's purpose is at least 20 characters long.
fn check_purpose(diags: &mut Diags, t: &Tjeneste) {
    if let Some(f) = &t.formaal
        && f.v.trim().chars().count() < 20
    {
        diags.push(
            Diagnostic::error_at(
                "short-purpose",
                f,
                msg!("short-purpose", length = f.v.trim().chars().count()),
            )
            .with_help(msg!("short-purpose-help")),
        );
    }
}

/// Report a service id the catalogue does not know, with a suggestion or the known ids.
fn report_unknown_service(diags: &mut Diags, id: &Sp<String>, cat: &Catalogue) {
    let ids: Vec<&str> = cat.tjenester.iter().map(|s| s.id.as_str()).collect();
    let d = Diagnostic::error_at("unknown-service", id, msg!("unknown-service", service = &id.v));
    diags.push(match suggest(&id.v, ids.iter().copied()) {
        Some(s) => d.with_help(msg!("did-you-mean", suggestion = s)),
        None => d.with_help(msg!("unknown-service-help", services = quote_list(&ids))),
    });
}

/// Check that every service this one requires is also requested.
fn check_required_services(diags: &mut Diags, a: &Agreement, id: &Sp<String>, service: &Service) {
    for need in &service.krever {
        if !a.tjeneste.iter().any(|o| o.id.as_ref().is_some_and(|x| &x.v == need)) {
            diags.push(
                Diagnostic::error_at(
                    "requires-service",
                    id,
                    msg!("requires-service", service = &id.v, needed = need),
                )
                .with_help(msg!("requires-service-help", needed = need)),
            );
        }
    }
}

/// Report the `i`-th service if an earlier one requests the same service and rights package.
fn check_duplicate_request(diags: &mut Diags, a: &Agreement, i: usize, id: &Sp<String>, pkg_id: &Sp<String>) {
    if let Some(first) = a.tjeneste[..i].iter().find(|o| {
        o.id.as_ref().is_some_and(|x| x.v == id.v) && o.rettighetspakke.as_ref().is_some_and(|p| p.v == pkg_id.v)
    }) {
        let mut d = Diagnostic::error_at(
            "duplicate-service",
            id,
            msg!("duplicate-service", service = &id.v, package = &pkg_id.v),
        )
        .with_help(msg!("duplicate-service-help"));
        if let Some(fid) = &first.id {
            d = d.with_related(fid.loc.clone(), msg!("related-first-requested"));
        }
        diags.push(d);
    }
}

/// Report a rights package the service does not offer, with the packages it does.
fn report_unknown_package(diags: &mut Diags, service: &Service, pkg_id: &Sp<String>) {
    let ids: Vec<&str> = service.pakker.iter().map(|p| p.id.as_str()).collect();
    let offers = quote_list(&ids);
    let help = match suggest(&pkg_id.v, ids.iter().copied()) {
        Some(s) => msg!(
            "unknown-rights-package-help-suggest",
            suggestion = s,
            service = &service.id,
            packages = offers
        ),
        None => msg!("unknown-rights-package-help", service = &service.id, packages = offers),
    };
    diags.push(
        Diagnostic::error_at(
            "unknown-rights-package",
            pkg_id,
            msg!("unknown-rights-package", service = &service.id, package = &pkg_id.v),
        )
        .with_help(help),
    );
}

/// Check the disclosure basis against what the rights package allows and requires.
fn check_disclosure_basis(diags: &mut Diags, g: &Grunnlag, pkg: &Package) {
    if let Some(kind) = &g.kind
        && !pkg.grunnlag.contains(&kind.v)
    {
        let allowed: Vec<&str> = pkg.grunnlag.iter().map(String::as_str).collect();
        diags.push(
            Diagnostic::error_at(
                "basis-not-allowed",
                kind,
                msg!("basis-not-allowed", package = &pkg.id, kind = &kind.v),
            )
            .with_help(msg!(
                "basis-not-allowed-help",
                package = &pkg.id,
                allowed = quote_list(&allowed)
            )),
        );
    }
    if pkg.krever_egen_hjemmel && g.egen_hjemmel.as_ref().is_none_or(|h| h.v.trim().is_empty()) {
        diags.push(
            Diagnostic::error(
                "missing-own-statute",
                g.loc.clone(),
                format!("{}.egen_hjemmel", g.path),
                msg!("missing-own-statute", package = &pkg.id),
            )
            .with_help(msg!("missing-own-statute-help")),
        );
    }
}

/// Check that `retur_url` is given exactly for consent packages.
fn check_return_urls(diags: &mut Diags, t: &Tjeneste, pkg: &Package) {
    match (&t.retur_url, pkg.is_consent()) {
        (None, true) => diags.push(
            Diagnostic::error(
                "consent-redirect",
                t.loc.clone(),
                format!("{}.retur_url", t.path),
                msg!("consent-without-url", package = &pkg.id),
            )
            .with_help(msg!("consent-without-url-help")),
        ),
        (Some(urls), true) => check_consent_urls(diags, t, urls),
        (Some(_), false) => {
            if let Some(loc) = &t.retur_url_loc {
                diags.push(
                    Diagnostic::error(
                        "consent-redirect",
                        loc.clone(),
                        format!("{}.retur_url", t.path),
                        msg!("url-without-consent", package = &pkg.id),
                    )
                    .with_help(msg!("url-without-consent-help")),
                );
            }
        }
        (None, false) => {}
    }
}

/// Check that a consent package's `retur_url` list is not empty and holds absolute https addresses.
fn check_consent_urls(diags: &mut Diags, t: &Tjeneste, urls: &[Sp<String>]) {
    if urls.is_empty()
        && let Some(loc) = &t.retur_url_loc
    {
        diags.push(
            Diagnostic::error(
                "consent-redirect",
                loc.clone(),
                format!("{}.retur_url", t.path),
                msg!("consent-urls-empty"),
            )
            .with_help(msg!("consent-urls-empty-help")),
        );
    }
    for u in urls {
        let ok =
            url::Url::parse(&u.v).is_ok_and(|p| p.scheme() == "https" && p.host_str().is_some_and(|h| !h.is_empty()));
        if !ok {
            diags.push(Diagnostic::error_at("url", u, msg!("url", value = &u.v)).with_help(msg!("url-help")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_numbers() {
        assert!(orgnr_checksum_ok("974761076"));
        assert!(orgnr_checksum_ok("991825827"));
        assert!(orgnr_checksum_ok("123456785"));
        assert!(!orgnr_checksum_ok("974761077"));
        assert!(!orgnr_checksum_ok("97476107"));
    }

    #[test]
    fn phones_and_emails() {
        assert!(plausible_phone("+47 912 34 567"));
        assert!(plausible_phone("912 34 567"));
        assert!(!plausible_phone("1234"));
        assert!(!plausible_phone("+47 12"));
        assert!(plausible_email("a.b@c.example"));
        assert!(!plausible_email("a@b"));
        assert!(!plausible_email("a b@c.no"));
        assert!(!plausible_email("@c.no"));
    }
}
