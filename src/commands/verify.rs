//! `avtale verify`: whether a PDF is what its agreement makes, its signature fields, and
//! optionally the limits of e-signing services.

use std::io::Write;

use crate::commands::setup::{SourceOptions, setup};
use crate::commands::{CommandResult, Console, Failure, Outcome};
use crate::verify::report::Verification;
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
    let verified = verify::verify(&opts.request, &setup.assets, &setup.catalogue).map_err(Failure)?;
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
        let _ = match (&f.signed, &f.signer) {
            (true, Some(s)) => writeln!(out, "  field {}{page}: signed by {s}", f.name),
            (true, None) => writeln!(out, "  field {}{page}: signed", f.name),
            _ => writeln!(out, "  field {}{page}: not signed", f.name),
        };
    }
    let _ = writeln!(out, "{}", if v.ok { "verified" } else { "NOT verified" });
}
