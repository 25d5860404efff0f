//! Diagnostics: what went wrong, where, and how to fix it, in four output forms.

use std::fmt::Write as _;
use std::io;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::{Files, SimpleFiles};
use codespan_reporting::term::{self, termcolor::WriteColor};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Worth knowing, never a reason to fail (not even with `--deny-warnings`).
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A place in one of the loaded source files (agreement, segment or CSV).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Loc {
    pub file: usize,
    pub span: Range<usize>,
}

impl Loc {
    pub fn new(file: usize, span: Range<usize>) -> Self {
        Loc { file, span }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub loc: Loc,
    /// TOML path of the offending value, e.g. `tjeneste[1].utleveringsgrunnlag.type`.
    pub path: String,
    pub message: String,
    pub help: Option<String>,
    /// Secondary places that explain the problem (e.g. the first of two duplicates).
    pub related: Vec<(Loc, String)>,
}

impl Diagnostic {
    pub fn error(code: &'static str, loc: Loc, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            loc,
            path: path.into(),
            message: message.into(),
            help: None,
            related: Vec::new(),
        }
    }

    pub fn warning(code: &'static str, loc: Loc, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, loc, path, message)
        }
    }

    /// Information at a located value.
    pub fn info_at<T>(code: &'static str, at: &Sp<T>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Info,
            ..Diagnostic::error_at(code, at, message)
        }
    }

    /// An error at a located value.
    pub fn error_at<T>(code: &'static str, at: &Sp<T>, message: impl Into<String>) -> Self {
        Diagnostic::error(code, at.loc.clone(), at.path.clone(), message)
    }

    /// A warning at a located value.
    pub fn warning_at<T>(code: &'static str, at: &Sp<T>, message: impl Into<String>) -> Self {
        Diagnostic::warning(code, at.loc.clone(), at.path.clone(), message)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_related(mut self, loc: Loc, message: impl Into<String>) -> Self {
        self.related.push((loc, message.into()));
        self
    }
}

/// Every source file read in one run; diagnostics point into these.
#[derive(Default)]
pub struct Sources {
    files: SimpleFiles<String, String>,
}

/// A diagnostic resolved to file name, line and column (1-based, columns in characters).
#[derive(Debug, Clone, Serialize)]
pub struct Located<'a> {
    pub code: &'static str,
    pub severity: Severity,
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub path: &'a str,
    pub message: &'a str,
    pub help: Option<&'a str>,
}

impl Sources {
    pub fn add(&mut self, name: String, text: String) -> usize {
        self.files.add(name, text)
    }

    pub fn name(&self, file: usize) -> &str {
        self.files.get(file).map(|f| f.name().as_str()).unwrap_or("<unknown>")
    }

    pub fn text(&self, file: usize) -> &str {
        self.files.get(file).map(|f| f.source().as_str()).unwrap_or("")
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, file: usize, offset: usize) -> (usize, usize) {
        match self.files.location(file, offset) {
            Ok(l) => (l.line_number, l.column_number),
            Err(_) => (1, 1),
        }
    }

    pub fn locate<'a>(&'a self, d: &'a Diagnostic) -> Located<'a> {
        let (line, column) = self.line_col(d.loc.file, d.loc.span.start);
        Located {
            code: d.code,
            severity: d.severity,
            file: self.name(d.loc.file),
            line,
            column,
            path: &d.path,
            message: &d.message,
            help: d.help.as_deref(),
        }
    }
}

/// Sort by file name and position and drop exact repeats (a shared segment value checked
/// once per member is reported once).
pub fn sort_and_dedup(sources: &Sources, diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (sources.name(a.loc.file), a.loc.span.start, a.code, &a.message).cmp(&(
            sources.name(b.loc.file),
            b.loc.span.start,
            b.code,
            &b.message,
        ))
    });
    diags.dedup_by(|a, b| a.loc == b.loc && a.code == b.code && a.message == b.message);
}

/// How diagnostics are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Short,
    Json,
    Github,
}

pub fn emit(out: &mut dyn WriteColor, format: Format, sources: &Sources, diags: &[Diagnostic]) -> io::Result<()> {
    match format {
        Format::Human => {
            let config = term::Config::default();
            for d in diags {
                let cs = to_codespan(d);
                term::emit_to_write_style(out, &config, &sources.files, &cs)
                    .map_err(|e| io::Error::other(e.to_string()))?;
            }
        }
        Format::Short => {
            for d in diags {
                let l = sources.locate(d);
                writeln!(
                    out,
                    "{}:{}:{}: {}[{}]: {}",
                    l.file,
                    l.line,
                    l.column,
                    l.severity.as_str(),
                    l.code,
                    short_message(d)
                )?;
            }
        }
        Format::Json => {
            for d in diags {
                let l = sources.locate(d);
                serde_json::to_writer(&mut *out, &l)?;
                writeln!(out)?;
            }
        }
        Format::Github => {
            for d in diags {
                let l = sources.locate(d);
                let kind = match l.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "notice",
                };
                let mut msg = short_message(d);
                if let Some(h) = l.help {
                    let _ = write!(msg, "\nhelp: {h}");
                }
                writeln!(
                    out,
                    "::{kind} file={},line={},col={},title={}::{}",
                    gh_property(l.file),
                    l.line,
                    l.column,
                    gh_property(&format!("{} [{}]", l.code, l.path)),
                    gh_data(&msg)
                )?;
            }
        }
    }
    Ok(())
}

fn short_message(d: &Diagnostic) -> String {
    if d.path.is_empty() {
        d.message.clone()
    } else {
        format!("{} (at `{}`)", d.message, d.path)
    }
}

fn to_codespan(d: &Diagnostic) -> CsDiagnostic<usize> {
    let base = match d.severity {
        Severity::Error => CsDiagnostic::error(),
        Severity::Warning => CsDiagnostic::warning(),
        Severity::Info => CsDiagnostic::note(),
    };
    let mut labels = vec![
        Label::primary(d.loc.file, d.loc.span.clone()).with_message(if d.path.is_empty() {
            String::new()
        } else {
            format!("at `{}`", d.path)
        }),
    ];
    for (loc, msg) in &d.related {
        labels.push(Label::secondary(loc.file, loc.span.clone()).with_message(msg.clone()));
    }
    let mut notes = Vec::new();
    if let Some(h) = &d.help {
        notes.push(format!("help: {h}"));
    }
    base.with_code(d.code)
        .with_message(&d.message)
        .with_labels(labels)
        .with_notes(notes)
}

/// GitHub workflow-command escaping for the message part.
fn gh_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// GitHub workflow-command escaping for property values.
fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A value together with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sp<T> {
    pub v: T,
    #[serde(skip)]
    pub loc: Loc,
    #[serde(skip)]
    pub path: String,
}

impl<T> Sp<T> {
    pub fn new(v: T, loc: Loc, path: impl Into<String>) -> Self {
        Sp {
            v,
            loc,
            path: path.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escaping_covers_separators() {
        assert_eq!(gh_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(gh_data("50%\nx"), "50%25%0Ax");
    }

    #[test]
    fn dedup_keeps_distinct_places() {
        let mut s = Sources::default();
        let f = s.add("a.toml".into(), "x = 1\ny = 2\n".into());
        let d1 = Diagnostic::error("invalid-value", Loc::new(f, 6..7), "y", "bad");
        let d0 = Diagnostic::error("invalid-value", Loc::new(f, 0..1), "x", "bad");
        let mut v = vec![d1.clone(), d0.clone(), d1.clone()];
        sort_and_dedup(&s, &mut v);
        assert_eq!(v, vec![d0, d1]);
        assert_eq!(s.line_col(f, 6), (2, 1));
    }
}
