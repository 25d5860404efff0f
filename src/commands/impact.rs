//! `avtale impact`: the agreements that reference a terms version, service or rights
//! package, and those that pin superseded or withdrawn terms.

use std::path::PathBuf;

use crate::base::diag::Severity;
use crate::commands::diff::ReviewFormat;
use crate::commands::report::{DiagnosticOptions, report};
use crate::commands::setup::{SourceOptions, setup};
use crate::commands::{CommandResult, Console, Failure, Outcome};
use crate::input::load;
use crate::msg;
use crate::review::impact::{Query, impact, parse_terms};

#[derive(Debug, Clone)]
pub struct ImpactOptions {
    pub paths: Vec<PathBuf>,
    /// A terms version, as DOCUMENT@VERSION.
    pub terms: Option<String>,
    pub service: Option<String>,
    pub package: Option<String>,
    pub format: ReviewFormat,
    pub sources: SourceOptions,
}

pub fn run(console: &mut dyn Console, opts: &ImpactOptions) -> CommandResult {
    let setup = setup(console, &opts.sources)?;
    let cat = &setup.catalogue;
    let query = Query {
        terms: opts.terms.as_deref().map(|t| parse_terms(t, cat)).transpose()?,
        service: opts.service.clone(),
        package: opts.package.clone(),
    };
    if let Some(s) = &query.service
        && cat.service(s).is_none()
    {
        return Err(Failure::new(msg!("unknown-service", service = s)));
    }
    let run = load::load_in(&opts.paths, cat, &opts.sources.selection);
    if !run.tool_errors.is_empty() || run.file_diags.iter().any(|d| d.severity == Severity::Error) {
        report(console, DiagnosticOptions::default(), &run, true);
        return Err(Failure::new(msg!("impact-incomplete")));
    }
    let found = impact(&run, cat, &query);
    let out = console.out();
    match opts.format {
        ReviewFormat::Json => {
            let v = serde_json::json!({
                "matching": found.matching,
                "superseded": found.superseded,
                "agreements": run.agreements.len(),
            });
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        ReviewFormat::Human => {
            if found.filtering {
                let _ = writeln!(
                    out,
                    "{} of {} agreements match:",
                    found.matching.len(),
                    run.agreements.len()
                );
                for h in &found.matching {
                    let _ = writeln!(out, "  {} ({}): {}", h.id, h.file.display(), h.matches.join("; "));
                }
            }
            let _ = writeln!(
                out,
                "{} agreements pin superseded or withdrawn terms:",
                found.superseded.len()
            );
            for h in &found.superseded {
                let _ = writeln!(out, "  {} ({}): {}", h.id, h.file.display(), h.matches.join("; "));
            }
        }
    }
    Ok(Outcome::Ok)
}
