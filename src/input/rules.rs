//! The rules of the format that need more than the shape of the file: identifiers,
//! addresses, dates, and everything checked against the catalogue.

use crate::base::diag::{Diagnostic, Sp};
use crate::catalog::{BASE_LANGUAGE, Catalogue, DELINGSVILKAAR, LANGUAGES, Package, Service, TermsStatus};
use crate::input::model::{Agreement, Databehandler, Grunnlag, Signatar, Tjeneste};
use crate::input::raw::{Diags, quote_list, suggest};

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
            Diagnostic::error_at("orgnr-format", n, format!("`{}` is not 9 digits", n.v))
                .with_help("an organisation number has exactly 9 digits, e.g. `974 761 076`"),
        );
        return;
    }
    if !orgnr_checksum_ok(&digits) {
        diags.push(
            Diagnostic::error_at("orgnr-checksum", n, format!("`{}` has a wrong check digit", n.v))
                .with_help("check the number against Enhetsregisteret; the last digit is a mod-11 check digit"),
        );
        return;
    }
    if !testdata && !digits.starts_with(['8', '9']) {
        diags.push(
            Diagnostic::warning_at(
                "orgnr-test-range",
                n,
                format!(
                    "`{}` does not start with 8 or 9, as registered organisation numbers do",
                    n.v
                ),
            )
            .with_help("if this is synthetic test data, set `testdata = true` in `[avtale]`"),
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
        diags.push(
            Diagnostic::error_at("email", e, format!("`{}` is not a plausible e-mail address", e.v))
                .with_help("write an address such as `postmottak@example.no`"),
        );
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
            Diagnostic::error_at("invalid-value", id, format!("`{}` is not a valid agreement id", id.v))
                .with_help("use letters A-Z, digits, `-`, `_` and `.` only: the id names the PDF file"),
        );
    }
    if let (Some(dato), Some(fra)) = (&a.avtale.dato, &a.avtale.gyldig_fra)
        && fra.v < dato.v
    {
        diags.push(
            Diagnostic::error_at(
                "date-order",
                fra,
                format!("`gyldig_fra` ({}) is before the agreement date ({})", fra.v, dato.v),
            )
            .with_related(dato.loc.clone(), "agreement date")
            .with_help("the agreement cannot take effect before it is dated"),
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
            Diagnostic::error_at(
                "invalid-value",
                f,
                format!("`{}` is not an organisation form code", f.v),
            )
            .with_help("use the Enhetsregisteret code: 2-4 capital letters, e.g. `AS`, `KOMM`, `ORGL`"),
        );
    }
    if let Some(p) = &v.postadresse
        && let Some(n) = &p.postnummer
        && !(n.v.len() == 4 && n.v.chars().all(|c| c.is_ascii_digit()))
    {
        diags.push(
            Diagnostic::error_at("postnummer", n, format!("`{}` is not a 4-digit postcode", n.v))
                .with_help("write the postcode as a string of 4 digits, e.g. `\"0150\"`"),
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
            diags.push(
                Diagnostic::error_at("phone", t, format!("`{}` is not a plausible phone number", t.v))
                    .with_help("write 8 digits (`912 34 567`) or `+` and 7-15 digits (`+47 912 34 567`)"),
            );
        }
    }
    for role in ["forretning", "teknisk"] {
        if !a.kontakt.iter().any(|k| k.rolle.as_ref().is_some_and(|r| r.v == role)) {
            diags.push(
                Diagnostic::error(
                    "missing-contact-role",
                    a.root.clone(),
                    crate::input::raw::join(&a.prefix, "kontakt"),
                    format!("no contact with `rolle = \"{role}\"`"),
                )
                .with_help(format!("add a `[[kontakt]]` table with `rolle = \"{role}\"`")),
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
                "the agreement has no signatory",
            )
            .with_help("add a `[[signatar]]` table for a person with authority to sign for the consumer"),
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
                Diagnostic::error_at(
                    "delegation-reference",
                    f,
                    "delegated authority without `fullmakt_referanse`",
                )
                .with_help("add `fullmakt_referanse` naming the delegation decision"),
            );
        }
        (Some(r), false) if s.fullmakt.is_some() => diags.push(
            Diagnostic::error_at(
                "delegation-reference",
                r,
                "`fullmakt_referanse` is only allowed with `fullmakt = \"delegert\"`",
            )
            .with_help("remove `fullmakt_referanse`, or set `fullmakt = \"delegert\"`"),
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
                Diagnostic::warning_at("segment-owner-self", n, "the segment owner is the consumer itself")
                    .with_related(own.loc.clone(), "the consumer's number")
                    .with_help("a segment owner speaks for other organisations; check the `[segment]` table"),
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
                format!(
                    "the data processing agreement ({}) is dated after the agreement ({})",
                    date.v, dato.v
                ),
            )
            .with_related(dato.loc.clone(), "agreement date")
            .with_help("the data processing agreement must be in place before this agreement is made"),
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
                "`tjenester` is empty",
            )
            .with_help("list at least one requested service this processor handles"),
        );
    }
    for s in &d.tjenester {
        if !requested.contains(&s.v.as_str()) {
            diags.push(
                Diagnostic::error_at(
                    "processor-service",
                    s,
                    format!("the processor handles `{}`, which this agreement does not request", s.v),
                )
                .with_help(if requested.is_empty() {
                    "request the service in a `[[tjeneste]]` table".to_string()
                } else {
                    format!("requested services: {}", quote_list(requested))
                }),
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
                "the agreement requests no service",
            )
            .with_help("add a `[[tjeneste]]` table for each sharing service requested"),
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
                format!(
                    "`{}@{}` has no text in `{lang}`; the agreement will include the bokmål text, which is binding",
                    doc.id, pin.v
                ),
            )
            .with_help(match translated {
                Some(t) => format!(
                    "version `{}` has a `{lang}` text; pin it when the agreement is revised",
                    t.versjon
                ),
                None => {
                    "write the agreement in bokmål (`spraak = \"nb\"`), or ask the terms owner for a translation".into()
                }
            }),
        );
    }
    match version {
        None => diags.push(
            Diagnostic::error_at(
                "unknown-terms-version",
                pin,
                format!("`{}` has no version `{}`", doc.id, pin.v),
            )
            .with_help(match doc.current() {
                Some(c) => format!(
                    "the current version is `{}`; known: {}",
                    c.versjon,
                    quote_list(&versions)
                ),
                None => format!("known versions: {}", quote_list(&versions)),
            }),
        ),
        Some(v) if v.status == TermsStatus::Trukket => diags.push(
            Diagnostic::error_at(
                "terms-withdrawn",
                pin,
                format!("`{}@{}` has been withdrawn", doc.id, pin.v),
            )
            .with_help(match doc.current() {
                Some(c) => format!("pin the current version `{}`", c.versjon),
                None => "pin a version that is in force".to_string(),
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
                format!(
                    "`{}@{}` is a sample text, not the terms owner's official text, and the agreement is to be signed",
                    doc.id, pin.v
                ),
            )
            .with_help(
                "build with the official terms (`--catalogue` or `--templates` from the terms owner) before signing",
            ),
        );
    }
}

/// A superseded pin. Delingsvilkår stay pinned, so a newer version is a warning; bruksvilkår
/// apply in their current version without a new signature, so it is information only.
fn superseded(diags: &mut Diags, pin: &Sp<String>, doc: &crate::catalog::TermsDoc) {
    let Some(c) = doc.current() else { return };
    let message = format!("`{}@{}` is superseded by `{}`", doc.id, pin.v, c.versjon);
    diags.push(if doc.id == DELINGSVILKAAR {
        Diagnostic::warning_at("terms-superseded", pin, message)
            .with_help(format!("pin `{}` when the agreement is revised", c.versjon))
    } else {
        Diagnostic::info_at("terms-superseded", pin, message).with_help(format!(
            "later bruksvilkår apply without a new signature; pin `{}` to print the version in force",
            c.versjon
        ))
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
                format!(
                    "the purpose is {} characters; at least 20 are needed",
                    f.v.trim().chars().count()
                ),
            )
            .with_help("describe what the data is used for, e.g. `Beregne redusert foreldrebetaling i barnehage`"),
        );
    }
}

/// Report a service id the catalogue does not know, with a suggestion or the known ids.
fn report_unknown_service(diags: &mut Diags, id: &Sp<String>, cat: &Catalogue) {
    let ids: Vec<&str> = cat.tjenester.iter().map(|s| s.id.as_str()).collect();
    let d = Diagnostic::error_at("unknown-service", id, format!("unknown service `{}`", id.v));
    diags.push(match suggest(&id.v, ids.iter().copied()) {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d.with_help(format!("known services: {}", quote_list(&ids))),
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
                    format!("`{}` can only be requested together with `{need}`", id.v),
                )
                .with_help(format!("add a `[[tjeneste]]` with `id = \"{need}\"`")),
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
            format!("`{}` with rights package `{}` is requested twice", id.v, pkg_id.v),
        )
        .with_help("remove one of the two `[[tjeneste]]` tables");
        if let Some(fid) = &first.id {
            d = d.with_related(fid.loc.clone(), "first requested here");
        }
        diags.push(d);
    }
}

/// Report a rights package the service does not offer, with the packages it does.
fn report_unknown_package(diags: &mut Diags, service: &Service, pkg_id: &Sp<String>) {
    let ids: Vec<&str> = service.pakker.iter().map(|p| p.id.as_str()).collect();
    let mut help = format!("`{}` offers {}", service.id, quote_list(&ids));
    if let Some(s) = suggest(&pkg_id.v, ids.iter().copied()) {
        help = format!("did you mean `{s}`? {help}");
    }
    diags.push(
        Diagnostic::error_at(
            "unknown-rights-package",
            pkg_id,
            format!("`{}` does not offer the rights package `{}`", service.id, pkg_id.v),
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
                format!(
                    "rights package `{}` does not allow a disclosure basis of type `{}`",
                    pkg.id, kind.v
                ),
            )
            .with_help(format!("`{}` allows {}", pkg.id, quote_list(&allowed))),
        );
    }
    if pkg.krever_egen_hjemmel && g.egen_hjemmel.as_ref().is_none_or(|h| h.v.trim().is_empty()) {
        diags.push(
            Diagnostic::error(
                "missing-own-statute",
                g.loc.clone(),
                format!("{}.egen_hjemmel", g.path),
                format!(
                    "rights package `{}` requires the consumer's own statutory authority",
                    pkg.id
                ),
            )
            .with_help(
                "add `egen_hjemmel` naming the statute that gives the consumer access, e.g. `vegtrafikkloven § 43c`",
            ),
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
                format!("consent package `{}` needs `retur_url`", pkg.id),
            )
            .with_help("add `retur_url = [\"https://…\"]` with the addresses Altinn may send the user back to"),
        ),
        (Some(urls), true) => check_consent_urls(diags, t, urls),
        (Some(_), false) => {
            if let Some(loc) = &t.retur_url_loc {
                diags.push(
                    Diagnostic::error(
                        "consent-redirect",
                        loc.clone(),
                        format!("{}.retur_url", t.path),
                        format!("`retur_url` is only for consent packages; `{}` is statutory", pkg.id),
                    )
                    .with_help("remove `retur_url`"),
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
                "`retur_url` is empty",
            )
            .with_help("list at least one https address"),
        );
    }
    for u in urls {
        let ok =
            url::Url::parse(&u.v).is_ok_and(|p| p.scheme() == "https" && p.host_str().is_some_and(|h| !h.is_empty()));
        if !ok {
            diags.push(
                Diagnostic::error_at("url", u, format!("`{}` is not an absolute https address", u.v))
                    .with_help("write a full address such as `https://bank.example/samtykke/retur`"),
            );
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
