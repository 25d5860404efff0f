//! The diagnostics of a run, the problems of the tool, and the summary line.

use crate::base::diag::{self, Format, Severity};
use crate::base::i18n::Msg;
use crate::commands::{Console, Outcome};
use crate::input::load::Run;

/// How diagnostics are reported.
#[derive(Debug, Clone, Copy)]
pub struct DiagnosticOptions {
    pub format: Format,
    /// Warnings make the run invalid.
    pub deny_warnings: bool,
}

impl Default for DiagnosticOptions {
    fn default() -> Self {
        DiagnosticOptions {
            format: Format::Human,
            deny_warnings: false,
        }
    }
}

/// Print the diagnostics and the tool's problems of `run`, then the summary line (left out
/// when `show_summary` is false and there is nothing wrong), and say what they add up to.
pub fn report(console: &mut dyn Console, opts: DiagnosticOptions, run: &Run, show_summary: bool) -> Outcome {
    let diags = run.all_diags();
    let lang = console.lang();
    let _ = diag::emit_in(console.out(), opts.format, lang, &run.sources, &diags);
    let _ = console.out().flush();
    for e in &run.tool_errors {
        console.error(&e.render(lang));
    }
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let (errors, warnings, notes) = (count(Severity::Error), count(Severity::Warning), count(Severity::Info));
    if show_summary || !diags.is_empty() || !run.tool_errors.is_empty() {
        let notes = match notes {
            0 => String::new(),
            n => Msg::new("summary-notes").count("notes", n).render(lang),
        };
        let summary = Msg::new("summary")
            .count("files", run.files)
            .count("agreements", run.agreements.len())
            .count("errors", errors)
            .count("warnings", warnings)
            .arg("notes", notes)
            .render(lang);
        let _ = writeln!(console.err(), "{summary}");
    }
    if !run.tool_errors.is_empty() {
        Outcome::Trouble
    } else if errors > 0 || (opts.deny_warnings && warnings > 0) {
        Outcome::Invalid
    } else {
        Outcome::Ok
    }
}
