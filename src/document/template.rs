//! The template environment: minijinja set up to write agreement values into Typst
//! markup with every value escaped, strict about missing values, with each generated line
//! marked with the template line it came from.

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};

use crate::catalog::assets::Assets;
use crate::document::view::View;

pub const MAIN_TEMPLATE: &str = "avtale.typ.j2";
/// The appendices alone, for agreements that share them (optional in a template directory).
pub const APPENDIX_TEMPLATE: &str = "vedlegg.typ.j2";

/// Marks the end of each generated line with the template line it came from, as a Typst
/// block comment, so that a Typst error in generated text can be reported against the
/// template. A block comment, unlike a line comment, cannot swallow text that whitespace
/// control in the template joins onto its line.
pub const MARKER: &str = " /*@L";
pub const MARKER_END: &str = "*/";

/// Append line markers to a template. Blank lines and lines ending in a block tag or
/// comment are left alone: a marker there would change paragraphs or trimming.
pub fn add_markers(template: &str) -> String {
    let mut out = String::with_capacity(template.len() + template.len() / 4);
    for (i, line) in template.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line);
        let t = line.trim_end();
        if !t.is_empty() && !t.ends_with("%}") && !t.ends_with("#}") && !t.ends_with('{') {
            out.push_str(MARKER);
            out.push_str(&(i + 1).to_string());
            out.push_str(MARKER_END);
        }
    }
    out
}

/// Escape a value for Typst markup: every character that could start markup, code, a
/// comment, a shorthand or a smart quote is escaped; line breaks become spaces.
pub fn escape_markup(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' | '#' | '*' | '_' | '`' | '$' | '<' | '>' | '@' | '[' | ']' | '=' | '-' | '+' | '/' | '~' | '\''
            | '"' | '.' | ':' | '{' | '}' | '(' | ')' | ';' | ',' => {
                out.push('\\');
                out.push(c);
            }
            // Typst reads the Unicode line and paragraph separators as line ends too.
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// A Typst string literal holding `s` exactly.
pub fn typst_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The template environment: strict about undefined values, escaping every interpolation
/// in `.typ.j2` templates for Typst markup.
pub fn environment(assets: &Assets) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder().trim_blocks(true).build() {
        env.set_syntax(syntax);
    }
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".typ.j2") {
            AutoEscape::Custom("typst".into())
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(|out, state, value| {
        if matches!(state.auto_escape(), AutoEscape::Custom(n) if n == "typst") {
            if value.is_safe() {
                return out.write_str(value.as_str().unwrap_or_default()).map_err(Error::from);
            }
            if value.is_undefined() || value.is_none() {
                return Err(Error::new(
                    ErrorKind::UndefinedError,
                    "a missing value cannot be written into the document",
                ));
            }
            let mut buf = String::new();
            escape_markup(&value.to_string(), &mut buf);
            return out.write_str(&buf).map_err(Error::from);
        }
        minijinja::escape_formatter(out, state, value)
    });
    env.add_filter("typst_str", |v: Value| {
        Value::from_safe_string(typst_string(&v.to_string()))
    });
    let assets = assets.clone();
    env.set_loader(move |name| match assets.read_string(name) {
        Ok(s) if name.ends_with(".typ.j2") => Ok(Some(add_markers(&s))),
        Ok(s) => Ok(Some(s)),
        Err(_) => Ok(None),
    });
    env
}

/// Render the Typst source of one agreement.
pub fn typst_source(env: &Environment<'_>, view: &View) -> Result<String, Error> {
    typst_source_from(env, MAIN_TEMPLATE, view)
}

/// Render Typst source from one of the templates.
pub fn typst_source_from(env: &Environment<'_>, template: &str, view: &View) -> Result<String, Error> {
    env.get_template(template)?.render(minijinja::value::Serde(view))
}

/// Strip the template line markers from generated source, for people to read.
pub fn strip_markers(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(i) = rest.find(MARKER) {
        out.push_str(&rest[..i]);
        let after = &rest[i + MARKER.len()..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        if after[digits..].starts_with(MARKER_END) {
            rest = &after[digits + MARKER_END.len()..];
        } else {
            out.push_str(MARKER);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_paragraph_separators_become_spaces_in_markup() {
        let mut out = String::new();
        escape_markup("a\u{2028}\u{2029}b\nc", &mut out);
        assert_eq!(out, "a  b c");
    }

    #[test]
    fn string_literals_round_trip_quotes_and_backslashes() {
        assert_eq!(typst_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }
}
