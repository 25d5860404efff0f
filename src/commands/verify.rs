//! `avtale verify`: whether a PDF is what its agreement makes, its signature fields, and
//! optionally the limits of e-signing services.

use std::io::Write;

use crate::commands::setup::{SourceOptions, setup};
use crate::commands::{CommandResult, Console, Failure, Outcome};
use crate::verify::report::{Field, Verification};
use crate::verify::{self, Request};

/// How the result is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyFormat {
    Human,
    Json,
}

#[derive(Debug, Clone)]
pub struct VerifyOptions {
    pub request: Request,
    pub format: VerifyFormat,
    pub sources: SourceOptions,
}

pub fn run(console: &mut dyn Console, opts: &VerifyOptions) -> CommandResult {
    let setup = setup(console, &opts.sources)?;
    let verified = verify::verify(&opts.request, &setup.assets, &setup.catalogue).map_err(Failure::plain)?;
    for n in &verified.notes {
        console.note(n);
    }
    let v = &verified.verification;
    match opts.format {
        VerifyFormat::Json => {
            let _ = writeln!(console.out(), "{}", serde_json::to_string_pretty(v).unwrap_or_default());
        }
        VerifyFormat::Human => show(console.out(), v),
    }
    Ok(if v.ok { Outcome::Ok } else { Outcome::Invalid })
}

fn show(out: &mut dyn Write, v: &Verification) {
    let _ = writeln!(out, "{}", v.file.display());
    if let Some(id) = &v.agreement_id {
        let _ = writeln!(
            out,
            "  agreement {id} (source: {})",
            v.source.as_deref().unwrap_or("unknown")
        );
    }
    for c in &v.checks {
        let _ = writeln!(
            out,
            "  {} {:<20} {}",
            if c.ok { "ok  " } else { "FAIL" },
            c.name,
            c.detail
        );
    }
    for t in &v.terms {
        let differs = if t.same_text {
            ""
        } else {
            ", text differs from the catalogue"
        };
        let _ = writeln!(out, "  terms {}@{} ({}){differs}", t.id, t.versjon, t.status);
    }
    if v.fields.is_empty() {
        let _ = writeln!(out, "  no signature fields");
    }
    for f in &v.fields {
        let page = f.page.map(|p| format!(" on page {p}")).unwrap_or_default();
        let _ = writeln!(out, "  field {}{page}: {}", f.name, field_state(v, f));
    }
    let _ = writeln!(out, "{}", if v.ok { "verified" } else { "NOT verified" });
}

/// What a signature field holds, in words: a signer is named as signing only when the
/// signature is valid and the signer trusted; otherwise it says what is wrong.
fn field_state(v: &Verification, f: &Field) -> String {
    if !f.signed {
        return "not signed".into();
    }
    let Some(s) = v.signatures.iter().find(|s| s.field == f.name) else {
        return "holds a signature that cannot be read".into();
    };
    let who = s.signer.as_deref().unwrap_or("an unknown signer");
    let why = s.reasons.join(", ");
    if s.trusted {
        format!("signed by {who} (valid, trusted)")
    } else if s.valid {
        format!("valid signature by {who}, but the signer is NOT trusted ({why})")
    } else if s.intact {
        format!("signature by {who} is NOT valid ({why})")
    } else {
        format!("signature is NOT intact: the signed bytes were changed or the signature is forged ({why})")
    }
}
