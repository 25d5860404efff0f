//! Diagnostics: what went wrong, where, and how to fix it, in five output forms.

use std::fmt::Write as _;
use std::io;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::{Files, SimpleFiles};
use codespan_reporting::term::{self, termcolor::WriteColor};
use serde::Serialize;

use crate::base::i18n::{self, Lang, Text, text};
use crate::msg;

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
    /// The message, help and related labels as catalogue messages, so that they can be
    /// shown in another language ([`localise`]); `message`, `help` and `related` hold them
    /// in English.
    pub texts: Texts,
}

/// The texts of a [`Diagnostic`] in a form that renders in any language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Texts {
    pub message: Text,
    pub help: Option<Text>,
    pub related: Vec<Text>,
}

/// A diagnostic's texts in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Localised {
    pub message: String,
    pub help: Option<String>,
    /// The labels of the related places, in the order of `Diagnostic::related`.
    pub related: Vec<String>,
}

/// The message, help and related labels of a diagnostic in `lang` (English is the
/// fallback for any text the catalogue of `lang` lacks). Rule codes, paths and places do
/// not change with the language. This is what a front end that shows diagnostics (the
/// command line, an editor) calls to show them in bokmål: `localise(&d, Lang::Nb)`.
pub fn localise(d: &Diagnostic, lang: Lang) -> Localised {
    let or = |t: Option<&Text>, english: &str| t.map_or_else(|| english.to_string(), |t| t.render(lang));
    Localised {
        message: d.texts.message.render(lang),
        help: d.help.as_ref().map(|h| or(d.texts.help.as_ref(), h)),
        related: d
            .related
            .iter()
            .enumerate()
            .map(|(i, (_, english))| or(d.texts.related.get(i), english))
            .collect(),
    }
}

impl Diagnostic {
    pub fn error(code: &'static str, loc: Loc, path: impl Into<String>, message: impl Into<Text>) -> Self {
        let text = message.into();
        Diagnostic {
            code,
            severity: Severity::Error,
            loc,
            path: path.into(),
            message: text.render(Lang::En),
            help: None,
            related: Vec::new(),
            texts: Texts {
                message: text,
                help: None,
                related: Vec::new(),
            },
        }
    }

    pub fn warning(code: &'static str, loc: Loc, path: impl Into<String>, message: impl Into<Text>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, loc, path, message)
        }
    }

    /// Information at a located value.
    pub fn info_at<T>(code: &'static str, at: &Sp<T>, message: impl Into<Text>) -> Self {
        Diagnostic {
            severity: Severity::Info,
            ..Diagnostic::error_at(code, at, message)
        }
    }

    /// An error at a located value.
    pub fn error_at<T>(code: &'static str, at: &Sp<T>, message: impl Into<Text>) -> Self {
        Diagnostic::error(code, at.loc.clone(), at.path.clone(), message)
    }

    /// A warning at a located value.
    pub fn warning_at<T>(code: &'static str, at: &Sp<T>, message: impl Into<Text>) -> Self {
        Diagnostic::warning(code, at.loc.clone(), at.path.clone(), message)
    }

    pub fn with_help(mut self, help: impl Into<Text>) -> Self {
        let text = help.into();
        self.help = Some(text.render(Lang::En));
        self.texts.help = Some(text);
        self
    }

    pub fn with_related(mut self, loc: Loc, message: impl Into<Text>) -> Self {
        let text = message.into();
        self.related.push((loc, text.render(Lang::En)));
        self.texts.related.push(text);
        self
    }

    /// Put a place (a sheet cell) before the message and the related label `related`
    /// (`None`: the main message), in every language.
    pub fn place_before(&mut self, related: Option<usize>, place: &str) {
        let (english, text) = match related {
            None => (&mut self.message, &mut self.texts.message),
            Some(i) => match (self.related.get_mut(i), self.texts.related.get_mut(i)) {
                (Some((_, english)), Some(text)) => (english, text),
                _ => return,
            },
        };
        *english = format!("{place}: {english}");
        let inner = std::mem::replace(text, Text::Plain(String::new()));
        *text = Text::Placed(place.to_string(), Box::new(inner));
    }

    /// The same diagnostic with its message, help and related labels in `lang`.
    pub fn in_lang(&self, lang: Lang) -> Diagnostic {
        if lang == Lang::En {
            return self.clone();
        }
        let l = localise(self, lang);
        let mut d = self.clone();
        d.message = l.message;
        d.help = l.help;
        for ((_, label), text) in d.related.iter_mut().zip(l.related) {
            *label = text;
        }
        d
    }
}

/// Every source file read in one run; diagnostics point into these.
#[derive(Default)]
pub struct Sources {
    files: SimpleFiles<String, String>,
}

/// A diagnostic resolved to file name, line and column (1-based, columns in characters).
///
/// This is the object `--diagnostic-format json` writes, one per line: contract version 1,
/// whose keys are only ever added to, never renamed or removed.
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
    /// Where the offending text ends: the position just after its last character.
    pub end_line: usize,
    pub end_column: usize,
    /// Secondary places that explain the problem.
    pub related: Vec<RelatedLocated<'a>>,
}

/// A related place of a [`Located`] diagnostic, resolved the same way.
#[derive(Debug, Clone, Serialize)]
pub struct RelatedLocated<'a> {
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: &'a str,
}

/// A place resolved to 1-based line and column of its start and of its (exclusive) end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
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

    /// Start and end of a place; the end is the position just after the last character and
    /// never comes before the start.
    pub fn region(&self, loc: &Loc) -> Region {
        let (line, column) = self.line_col(loc.file, loc.span.start);
        let end = loc.span.end.max(loc.span.start).min(self.text(loc.file).len());
        let (end_line, end_column) = if end <= loc.span.start {
            (line, column)
        } else {
            self.line_col(loc.file, end)
        };
        let (end_line, end_column) = if (end_line, end_column) < (line, column) {
            (line, column)
        } else {
            (end_line, end_column)
        };
        Region {
            line,
            column,
            end_line,
            end_column,
        }
    }

    pub fn locate<'a>(&'a self, d: &'a Diagnostic) -> Located<'a> {
        let r = self.region(&d.loc);
        Located {
            code: d.code,
            severity: d.severity,
            file: self.name(d.loc.file),
            line: r.line,
            column: r.column,
            path: &d.path,
            message: &d.message,
            help: d.help.as_deref(),
            end_line: r.end_line,
            end_column: r.end_column,
            related: d
                .related
                .iter()
                .map(|(loc, message)| {
                    let r = self.region(loc);
                    RelatedLocated {
                        file: self.name(loc.file),
                        line: r.line,
                        column: r.column,
                        end_line: r.end_line,
                        end_column: r.end_column,
                        message,
                    }
                })
                .collect(),
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
    /// One SARIF 2.1.0 document for the whole run (GitHub code scanning).
    Sarif,
}

/// Write diagnostics in English.
pub fn emit(out: &mut dyn WriteColor, format: Format, sources: &Sources, diags: &[Diagnostic]) -> io::Result<()> {
    emit_in(out, format, Lang::En, sources, diags)
}

/// Write diagnostics with their messages, help and the words around them in `lang`; rule
/// codes, paths and places are the same in every language. (The human form's headline
/// `error[code]` is written by codespan-reporting and stays as it is.)
pub fn emit_in(
    out: &mut dyn WriteColor,
    format: Format,
    lang: Lang,
    sources: &Sources,
    diags: &[Diagnostic],
) -> io::Result<()> {
    let localised: Vec<Diagnostic>;
    let diags = if lang == Lang::En {
        diags
    } else {
        localised = diags.iter().map(|d| d.in_lang(lang)).collect();
        &localised
    };
    match format {
        Format::Human => {
            let config = term::Config::default();
            for d in diags {
                let cs = to_codespan(d, lang);
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
                    severity_word(l.severity, lang),
                    l.code,
                    short_message(d, lang)
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
        Format::Sarif => {
            serde_json::to_writer_pretty(&mut *out, &sarif_in(sources, diags, lang))?;
            writeln!(out)?;
        }
        Format::Github => emit_github(out, lang, sources, diags)?,
    }
    Ok(())
}

/// GitHub workflow commands, one per diagnostic.
fn emit_github(out: &mut dyn WriteColor, lang: Lang, sources: &Sources, diags: &[Diagnostic]) -> io::Result<()> {
    for d in diags {
        let l = sources.locate(d);
        let kind = match l.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut msg = short_message(d, lang);
        if let Some(h) = l.help {
            let _ = write!(msg, "\n{}", help_line(h, lang));
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
    Ok(())
}

/// The word for a severity in the short form (`error`, `feil`).
pub fn severity_word(s: Severity, lang: Lang) -> String {
    match s {
        Severity::Error => text(lang, "severity-error"),
        Severity::Warning => text(lang, "severity-warning"),
        Severity::Info => text(lang, "severity-info"),
    }
}

/// `help: …` in `lang`.
fn help_line(help: &str, lang: Lang) -> String {
    msg!("diag-help", help = help).render(lang)
}

/// Where the SARIF 2.1.0 schema is published.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The diagnostics of a run as one SARIF 2.1.0 log: a run of the tool `avtale` with a rule
/// for each code used and a result for each diagnostic. Columns count Unicode code points,
/// as in the other forms.
///
/// The SARIF log with the rule descriptions in `lang` (the diagnostics are taken as they
/// are: [`Diagnostic::in_lang`] gives them in another language).
pub fn sarif_in(sources: &Sources, diags: &[Diagnostic], lang: Lang) -> impl Serialize + use<> {
    let mut codes: Vec<&'static str> = Vec::new();
    for d in diags {
        if !codes.contains(&d.code) {
            codes.push(d.code);
        }
    }
    let rules = codes
        .iter()
        .map(|&code| SarifRule {
            id: code,
            name: code,
            short_description: SarifMessage {
                text: rule_summary_in(code, lang).unwrap_or_else(|| code.to_string()),
            },
        })
        .collect();
    let results = diags
        .iter()
        .map(|d| {
            let mut text = short_message(d, lang);
            if let Some(h) = &d.help {
                let _ = write!(text, "\n{}", help_line(h, lang));
            }
            SarifResult {
                rule_id: d.code,
                rule_index: codes.iter().position(|c| *c == d.code).unwrap_or(0),
                level: match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "note",
                },
                message: SarifMessage { text },
                locations: vec![sarif_location(sources, &d.loc, None, &d.path)],
                related_locations: d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, (loc, msg))| sarif_location(sources, loc, Some((i, msg)), ""))
                    .collect(),
            }
        })
        .collect();
    SarifLog {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: [SarifRun {
            tool: SarifTool {
                driver: SarifDriver {
                    name: "avtale",
                    version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    }
}

// The parts of SARIF 2.1.0 that `sarif` writes, in the order a reader expects them.

#[derive(Serialize)]
struct SarifLog {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [SarifRun; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRun {
    tool: SarifTool,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct SarifTool {
    driver: SarifDriver,
}

#[derive(Serialize)]
struct SarifDriver {
    name: &'static str,
    version: &'static str,
    rules: Vec<SarifRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRule {
    id: &'static str,
    name: &'static str,
    short_description: SarifMessage,
}

#[derive(Serialize)]
struct SarifMessage {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: SarifMessage,
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: SarifPhysical,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<SarifLogical>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<SarifMessage>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifPhysical {
    artifact_location: SarifArtifact,
    region: SarifRegion,
}

#[derive(Serialize)]
struct SarifArtifact {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLogical {
    fully_qualified_name: String,
}

/// A SARIF location: the file and region, for a related location its id and message, and
/// the TOML path (if any) as a logical location.
fn sarif_location(sources: &Sources, loc: &Loc, related: Option<(usize, &str)>, path: &str) -> SarifLocation {
    let r = sources.region(loc);
    SarifLocation {
        id: related.map(|(id, _)| id),
        physical_location: SarifPhysical {
            artifact_location: SarifArtifact {
                uri: sarif_uri(sources.name(loc.file)),
            },
            region: SarifRegion {
                start_line: r.line,
                start_column: r.column,
                end_line: r.end_line,
                end_column: r.end_column,
            },
        },
        logical_locations: if path.is_empty() {
            Vec::new()
        } else {
            vec![SarifLogical {
                fully_qualified_name: path.to_string(),
            }]
        },
        message: related.map(|(_, msg)| SarifMessage { text: msg.to_string() }),
    }
}

/// A file name as a SARIF artifact URI: a relative path stays relative (with forward slashes
/// and without a leading `./`), an absolute one becomes a `file:` URI; everything outside the
/// characters a URI path may hold is percent-encoded.
fn sarif_uri(name: &str) -> String {
    let name = if cfg!(windows) {
        name.replace('\\', "/")
    } else {
        name.to_string()
    };
    let b = name.as_bytes();
    let drive = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b.len() == 2 || b[2] == b'/');
    if drive {
        format!("file:///{}{}", &name[..2], uri_encode(&name[2..], true))
    } else if name.starts_with('/') {
        format!("file://{}", uri_encode(&name, true))
    } else {
        let mut rel = name.as_str();
        while let Some(rest) = rel.strip_prefix("./") {
            rel = rest.trim_start_matches('/');
        }
        // A colon in a relative reference would read as a scheme.
        uri_encode(rel, false)
    }
}

fn uri_encode(s: &str, keep_colon: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &byte in s.as_bytes() {
        let c = byte as char;
        if c.is_ascii_alphanumeric() || "-._~/!$&'()*+,;=@".contains(c) || (keep_colon && c == ':') {
            out.push(c);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// What a rule code is about, in a line, in `lang`.
pub fn rule_summary_in(code: &str, lang: Lang) -> Option<String> {
    i18n::render_id(lang, &format!("rule-{code}"))
}

fn short_message(d: &Diagnostic, lang: Lang) -> String {
    if d.path.is_empty() {
        d.message.clone()
    } else {
        msg!("diag-short-at", message = &d.message, path = &d.path).render(lang)
    }
}

fn to_codespan(d: &Diagnostic, lang: Lang) -> CsDiagnostic<usize> {
    let base = match d.severity {
        Severity::Error => CsDiagnostic::error(),
        Severity::Warning => CsDiagnostic::warning(),
        Severity::Info => CsDiagnostic::note(),
    };
    let mut labels = vec![
        Label::primary(d.loc.file, d.loc.span.clone()).with_message(if d.path.is_empty() {
            String::new()
        } else {
            msg!("diag-label-at", path = &d.path).render(lang)
        }),
    ];
    for (loc, msg) in &d.related {
        labels.push(Label::secondary(loc.file, loc.span.clone()).with_message(msg.clone()));
    }
    let mut notes = Vec::new();
    if let Some(h) = &d.help {
        notes.push(help_line(h, lang));
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
    fn sarif_uris_are_relative_references_or_file_uris() {
        assert_eq!(sarif_uri("tests/fixtures/a b.toml"), "tests/fixtures/a%20b.toml");
        assert_eq!(sarif_uri("./agreements/x.toml"), "agreements/x.toml");
        assert_eq!(sarif_uri("Tromsø.toml"), "Troms%C3%B8.toml");
        assert_eq!(sarif_uri("c:d.toml"), "c%3Ad.toml");
        assert_eq!(sarif_uri("/work/a#1.toml"), "file:///work/a%231.toml");
    }

    #[test]
    fn regions_end_after_the_last_character() {
        let mut s = Sources::default();
        let f = s.add("a.toml".into(), "x = \"Tromsø\"\ny = 2\n".into());
        let r = s.region(&Loc::new(f, 4..13));
        assert_eq!(
            r,
            Region {
                line: 1,
                column: 5,
                end_line: 1,
                end_column: 13
            }
        );
        // An empty span, and one running past the text, stay in order.
        let r = s.region(&Loc::new(f, 14..14));
        assert_eq!((r.line, r.column, r.end_line, r.end_column), (2, 1, 2, 1));
        let r = s.region(&Loc::new(f, 14..99));
        assert_eq!((r.end_line, r.end_column), (3, 1));
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
