//! Rules on how the parts of an agreement fit together as the law and the agreement
//! framework require: the disclosure and processing bases, a data processing agreement for a
//! system vendor, a segment for the segment platform, and no placeholder left in an
//! agreement that is to be signed.

use crate::base::diag::{Diagnostic, Sp};
use crate::input::model::{Agreement, Tjeneste};
use crate::input::raw::Diags;
use crate::msg;

/// Texts that mark a value as not yet filled in.
const PLACEHOLDERS: &[&str] = &["FYLL UT", "(illustrativ", "(illustrative", "TODO", "TBD", "XXX"];

/// Every coherence rule, in the order of the agreement.
pub fn check(diags: &mut Diags, a: &Agreement) {
    for t in &a.tjeneste {
        check_bases(diags, t);
        check_connection(diags, a, t);
    }
    check_placeholders(diags, a);
}

/// A statutory disclosure basis needs a processing basis set in law: Skatteetaten does not
/// disclose confidential data on a statutory basis to an organisation that would process it
/// on consent, and an organisation without a statutory basis must ask each person instead.
fn check_bases(diags: &mut Diags, t: &Tjeneste) {
    let kind = |g: &Option<crate::input::model::Grunnlag>| g.as_ref().and_then(|g| g.kind.clone());
    let (Some(disclosure), Some(processing)) = (kind(&t.utleveringsgrunnlag), kind(&t.behandlingsgrunnlag)) else {
        return;
    };
    if disclosure.v == "hjemmel" && processing.v == "samtykke" {
        diags.push(
            Diagnostic::error_at("basis-combination", &processing, msg!("basis-combination"))
                .with_related(disclosure.loc.clone(), msg!("related-statutory-basis"))
                .with_help(msg!("basis-combination-help")),
        );
    }
}

/// A system vendor handles the data for the consumer, so it must be a data processor under
/// an agreement; the segment platform exists only for members of a segment.
fn check_connection(diags: &mut Diags, a: &Agreement, t: &Tjeneste) {
    let Some(how) = &t.tilkobling else { return };
    let service = t.id.as_ref().map(|s| s.v.as_str()).unwrap_or_default();
    let covered = a
        .databehandler
        .iter()
        .any(|d| d.tjenester.iter().any(|s| s.v == service));
    if how.v == "leverandoer" && !covered {
        diags.push(
            Diagnostic::error_at("processor-required", how, msg!("processor-required", service = service))
                .with_help(msg!("processor-required-help", service = service)),
        );
    }
    if how.v == "segmentplattform" && a.segment.is_none() {
        diags.push(
            Diagnostic::error_at("platform-without-segment", how, msg!("platform-without-segment"))
                .with_help(msg!("platform-without-segment-help")),
        );
    }
}

/// A value still holding a placeholder: an error in an agreement to be signed, a warning in
/// a draft.
fn check_placeholders(diags: &mut Diags, a: &Agreement) {
    let sign = a.signable();
    for value in a.text_values() {
        let Some(found) = placeholder_in(value) else { continue };
        let message = msg!("placeholder", placeholder = found);
        let d = if sign {
            Diagnostic::error_at("placeholder", value, message)
        } else {
            Diagnostic::warning_at("placeholder", value, message)
        };
        diags.push(d.with_help(msg!("placeholder-help")));
    }
}

fn placeholder_in(value: &Sp<String>) -> Option<&'static str> {
    let upper = value.v.to_uppercase();
    PLACEHOLDERS.iter().copied().find(|p| {
        let p_upper = p.to_uppercase();
        match upper.find(&p_upper) {
            // Whole words only: `TODO` in `TODOS` or `XXX` inside a longer word is not one.
            Some(i) => {
                let before = upper[..i].chars().last();
                let after = upper[i + p_upper.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(|c| c.is_alphanumeric() && !p.starts_with('('))
            }
            None => false,
        }
    })
}
