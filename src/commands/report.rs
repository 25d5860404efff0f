//! The diagnostics of a run, the problems of the tool, and the summary line.

use crate::base::diag::{self, Format, Severity};
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
    let _ = diag::emit(console.out(), opts.format, &run.sources, &diags);
    let _ = console.out().flush();
    for e in &run.tool_errors {
        console.error(e);
    }
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let (errors, warnings, notes) = (count(Severity::Error), count(Severity::Warning), count(Severity::Info));
    if show_summary || !diags.is_empty() || !run.tool_errors.is_empty() {
        let notes = match notes {
            0 => String::new(),
            n => format!(", {n} {}", plural(n, "note", "notes")),
        };
        let _ = writeln!(
            console.err(),
            "checked {} {}, {} {}: {} {}, {} {}{notes}",
            run.files,
            plural(run.files, "file", "files"),
            run.agreements.len(),
            plural(run.agreements.len(), "agreement", "agreements"),
            errors,
            plural(errors, "error", "errors"),
            warnings,
            plural(warnings, "warning", "warnings"),
        );
    }
    if !run.tool_errors.is_empty() {
        Outcome::Trouble
    } else if errors > 0 || (opts.deny_warnings && warnings > 0) {
        Outcome::Invalid
    } else {
        Outcome::Ok
    }
}

pub fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
