//! Rules on how the parts of an agreement fit together as the law and the agreement
//! framework require: the disclosure and processing bases, a data processing agreement for a
//! system vendor, a segment for the segment platform, and no placeholder left in an
//! agreement that is to be signed.

use crate::base::diag::{Diagnostic, Sp};
use crate::input::model::{Agreement, Tjeneste};
use crate::input::raw::Diags;

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
            Diagnostic::error_at(
                "basis-combination",
                &processing,
                "a statutory disclosure basis (`hjemmel`) cannot be combined with processing on consent",
            )
            .with_related(disclosure.loc.clone(), "the disclosure basis is statutory here")
            .with_help(
                "either give the law or regulation that lets the organisation process the data \
                 (`type = \"lov\"` or `\"forskrift\"`), or, without one, ask each person: choose a \
                 consent rights package and `utleveringsgrunnlag.type = \"samtykke\"`",
            ),
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
            Diagnostic::error_at(
                "processor-required",
                how,
                format!("service `{service}` is reached through a vendor, but no data processor covers it"),
            )
            .with_help(format!(
                "add a `[[databehandler]]` for the vendor with `tjenester = [\"{service}\"]` and the date of the data processing agreement"
            )),
        );
    }
    if how.v == "segmentplattform" && a.segment.is_none() {
        diags.push(
            Diagnostic::error_at(
                "platform-without-segment",
                how,
                "the segment platform is for members of a segment, and the agreement has no `[segment]`",
            )
            .with_help("add the `[segment]` the consumer belongs to, or choose `direkte` or `leverandoer`"),
        );
    }
}

/// A value still holding a placeholder: an error in an agreement to be signed, a warning in
/// a draft.
fn check_placeholders(diags: &mut Diags, a: &Agreement) {
    let sign = a.signable();
    for value in a.text_values() {
        let Some(found) = placeholder_in(value) else { continue };
        let message = format!("`{found}` marks a value that is not filled in yet");
        let d = if sign {
            Diagnostic::error_at("placeholder", value, message)
        } else {
            Diagnostic::warning_at("placeholder", value, message)
        };
        diags.push(d.with_help("write the real value; a signable agreement must hold no placeholder"));
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
