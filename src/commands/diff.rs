//! `avtale diff`: what changed between two versions of an agreement, in plain words and as
//! a diff of its text.

use std::io::Write;

use crate::base::diag::Severity;
use crate::base::i18n::Lang;
use crate::catalog::lang::Texts;
use crate::commands::report::{DiagnosticOptions, report};
use crate::commands::setup::{SourceOptions, setup};
use crate::commands::{CommandResult, Console, Failure, Outcome};
use crate::input::load::{self, Loaded};
use crate::msg;
use crate::review::diff::{Comparison, compare, views};
use crate::review::side::side;

/// How review results are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewFormat {
    Human,
    Json,
}

#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// The old version: a file, or REV:PATH.
    pub old: String,
    /// The new version: a file, or REV:PATH.
    pub new: String,
    pub format: ReviewFormat,
    pub sources: SourceOptions,
}

pub fn run(console: &mut dyn Console, opts: &DiffOptions) -> CommandResult {
    let setup = setup(console, &opts.sources)?;
    let (old, new) = match (side(&opts.old), side(&opts.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return Err(Failure::new(e)),
    };
    let texts = Texts::load(&setup.assets)
        .map_err(|errors| Failure::new(msg!("language-tables-broken", errors = errors.join("\n  "))))?;
    let mut sides = Vec::new();
    for s in [&old, &new] {
        let run = load::load(std::slice::from_ref(&s.path), &setup.catalogue);
        let file_errors = run.file_diags.iter().any(|d| d.severity == Severity::Error);
        if !run.tool_errors.is_empty() || file_errors || run.agreements.iter().any(Loaded::has_errors) {
            report(console, DiagnosticOptions::default(), &run, true);
            return Err(Failure::new(msg!("diff-has-errors", side = &s.label)));
        }
        sides.push(views(&run, &setup.catalogue, &texts).map_err(|e| Failure::new(format!("{}: {e}", s.label)))?);
    }
    let result = compare(&sides[0], &sides[1], &setup.catalogue, (&old.label, &new.label));
    match opts.format {
        ReviewFormat::Json => {
            let v = serde_json::json!({
                "changed": result.changed(),
                "agreements": result.agreements,
                "notes": result.notes,
            });
            let _ = writeln!(
                console.out(),
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            );
        }
        ReviewFormat::Human => {
            let lang = console.lang();
            show(console.out(), &result, lang)
        }
    }
    Ok(if result.changed() {
        Outcome::Invalid
    } else {
        Outcome::Ok
    })
}

/// The changes in words in `lang` (the JSON form keeps English, its contract).
fn show(out: &mut dyn Write, result: &Comparison, lang: Lang) {
    for n in &result.notes {
        let _ = writeln!(out, "{n}");
    }
    for d in &result.agreements {
        let n = d.changes.len();
        let _ = writeln!(out, "{}: {n} {}", d.id, if n == 1 { "change" } else { "changes" });
        let mut last = "";
        for ch in &d.changes {
            if ch.section != last {
                let _ = writeln!(out, "  {}:", ch.section);
                last = ch.section;
            }
            let _ = writeln!(out, "    - {}", ch.in_lang(lang));
        }
        let _ = writeln!(out);
        let _ = write!(out, "{}", d.diff);
    }
    if !result.changed() {
        let _ = writeln!(out, "no differences");
    }
}
