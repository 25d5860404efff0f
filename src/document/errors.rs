//! Why one agreement did not become a PDF, and Typst's diagnostics located in the template
//! or terms file they come from.

use typst::World;
use typst::WorldExt;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};

use crate::base::diag::Diagnostic;
use crate::catalog::assets::Assets;
use crate::document::template::{self, MARKER};
use crate::document::world::{APPENDIX_PATH, DocWorld, MAIN_PATH};
use crate::input::model::Agreement;
use crate::msg;

/// Why one agreement did not become a PDF.
#[derive(Debug)]
pub enum BuildError {
    /// Problems in the agreement itself (unsupported language, a character no font has).
    Input(Vec<Diagnostic>),
    /// A problem in a template or terms text, located there.
    Template(String),
    /// The document went over a limit (`Limits`); `stop` when the work could not be
    /// cancelled and the run should not start more documents.
    Limit {
        message: String,
        stop: bool,
    },
    /// A run of text reaches past the page edge (its text); `build` locates it.
    Overflow(String),
    Other(String),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Input(d) => write!(f, "{} problem(s) in the agreement", d.len()),
            BuildError::Template(m) | BuildError::Other(m) | BuildError::Limit { message: m, .. } => f.write_str(m),
            BuildError::Overflow(t) => write!(f, "text runs off the page: `{t}`"),
        }
    }
}

/// Text that ran off the page, located at the agreement value it comes from when there is
/// one (a word too long to wrap); otherwise a flaw in the templates.
pub fn overflow_error(a: &Agreement, text: &str) -> BuildError {
    let piece = text.trim();
    let shown: String = piece.chars().take(40).collect();
    let ellipsis = if piece.chars().count() > 40 { "…" } else { "" };
    match a
        .text_values()
        .into_iter()
        .find(|s| !piece.is_empty() && s.v.contains(piece))
    {
        Some(s) => {
            let longest = s.v.split_whitespace().map(|w| w.chars().count()).max().unwrap_or(0);
            BuildError::Input(vec![
                Diagnostic::error_at(
                    "text-overflow",
                    s,
                    msg!("text-overflow", text = format!("{shown}{ellipsis}"), length = longest),
                )
                .with_help(msg!("text-overflow-help")),
            ])
        }
        None => BuildError::Template(format!("the layout runs off the page at `{shown}{ellipsis}`")),
    }
}

/// Typst diagnostics located in the template or terms file they come from.
pub fn describe(world: &DocWorld, assets: &Assets, diags: &[SourceDiagnostic]) -> String {
    let mut out = Vec::new();
    const SHOWN: usize = 10;
    for d in diags.iter().take(SHOWN) {
        let kind = if d.severity == TypstSeverity::Error {
            "error"
        } else {
            "warning"
        };
        let place = locate(world, assets, d.span).unwrap_or_else(|| "<unknown place>".into());
        let mut line = format!("{place}: {kind}: {}", d.message);
        for h in &d.hints {
            line.push_str(&format!("\n  hint: {}", h.v));
        }
        out.push(line);
    }
    if diags.len() > SHOWN {
        out.push(format!("... and {} more", diags.len() - SHOWN));
    }
    out.join("\n")
}

fn locate(world: &DocWorld, assets: &Assets, span: typst::syntax::DiagSpan) -> Option<String> {
    let id = span.id()?;
    let range = world.range(span)?;
    let source = world.source(id).ok()?;
    let path = id.vpath().get_with_slash().to_string();
    let template = match path.as_str() {
        MAIN_PATH => Some(template::MAIN_TEMPLATE),
        APPENDIX_PATH => Some(template::APPENDIX_TEMPLATE),
        _ => None,
    };
    if let Some(template) = template {
        // Generated text: find the template line that produced it.
        let text = source.text();
        let rest = &text[range.start.min(text.len())..];
        let n = rest.find(MARKER).and_then(|i| {
            let digits: String = rest[i + MARKER.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse::<usize>().ok()
        })?;
        return Some(format!("{}:{n}", assets.display(template)));
    }
    let (line, col) = source.lines().byte_to_line_column(range.start)?;
    Some(format!(
        "{}:{}:{}",
        assets.display(path.trim_start_matches('/')),
        line + 1,
        col + 1
    ))
}
