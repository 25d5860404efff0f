//! Whether a value written into Typst by avtale's escaping comes out literally, decided by
//! Typst's own parser. Shared by the fuzz target `typst_escape` and `tests/hostile.rs`.

use avtale::document::template::{escape_markup, typst_string};
use typst::syntax::{SyntaxKind, SyntaxNode, ast, is_newline, parse, parse_code};

/// What a value should read as in markup: line breaks and tabs become spaces, other
/// control characters are dropped (the documented behaviour of `escape_markup`).
pub fn expected_markup(value: &str) -> String {
    value
        .chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// The text a run of markup nodes shows, or the first node that is not plain text.
fn markup_text(nodes: &[SyntaxNode]) -> Result<String, String> {
    let mut got = String::new();
    for n in nodes {
        match n.kind() {
            SyntaxKind::Text => got.push_str(n.leaf_text()),
            SyntaxKind::Escape => got.push(n.cast::<ast::Escape>().map(|e| e.get()).unwrap_or_default()),
            SyntaxKind::Space if !n.leaf_text().chars().all(|c| c == ' ' || is_newline(c)) => {
                return Err(format!("unexpected space node {:?}", n.leaf_text()));
            }
            SyntaxKind::Space => got.push_str(n.leaf_text()),
            other => return Err(format!("{other:?} node {:?}", n.leaf_text())),
        }
    }
    Ok(got)
}

/// `escape_markup(value)` parses as plain text equal to `expected_markup(value)`, both on
/// its own and inside a content block (so it cannot close the block it is written into).
pub fn check_markup(value: &str) -> Result<(), String> {
    let mut escaped = String::new();
    escape_markup(value, &mut escaped);
    let want = expected_markup(value);

    let root = parse(&escaped);
    if root.diagnosis().either() {
        return Err(format!("{escaped:?} does not parse: {:?}", root.errors_and_warnings()));
    }
    let children: Vec<SyntaxNode> = root.children().cloned().collect();
    let got = markup_text(&children).map_err(|e| format!("{value:?} escaped as {escaped:?}: {e}"))?;
    if got != want {
        return Err(format!("{value:?} escaped as {escaped:?} reads {got:?}, not {want:?}"));
    }

    let wrapped = format!("#[{escaped}]");
    let root = parse(&wrapped);
    if root.diagnosis().either() {
        return Err(format!("{wrapped:?} does not parse: {:?}", root.errors_and_warnings()));
    }
    // Markup > FuncCall-less ContentBlock > [ Markup ]
    let block = root
        .children()
        .find(|n| n.kind() == SyntaxKind::ContentBlock)
        .ok_or_else(|| format!("{wrapped:?}: no content block"))?;
    if root.children().filter(|n| n.kind() != SyntaxKind::Hash).count() != 1 {
        return Err(format!("{wrapped:?}: text after the content block"));
    }
    let inner: Vec<SyntaxNode> = block
        .children()
        .find(|n| n.kind() == SyntaxKind::Markup)
        .map(|m| m.children().cloned().collect())
        .unwrap_or_default();
    let got = markup_text(&inner).map_err(|e| format!("{value:?} in a content block: {e}"))?;
    if got != want {
        return Err(format!("{value:?} in a content block reads {got:?}, not {want:?}"));
    }
    Ok(())
}

/// `typst_string(value)` parses as exactly one string literal whose value is `value`.
pub fn check_string(value: &str) -> Result<(), String> {
    let lit = typst_string(value);
    let root = parse_code(&lit);
    if root.diagnosis().either() {
        return Err(format!("{lit:?} does not parse: {:?}", root.errors_and_warnings()));
    }
    let kids: Vec<&SyntaxNode> = root.children().collect();
    let [only] = kids.as_slice() else {
        return Err(format!("{lit:?} parses as {} nodes", kids.len()));
    };
    let s = only
        .cast::<ast::Str>()
        .ok_or_else(|| format!("{lit:?} is a {:?}, not a string", only.kind()))?;
    if s.get().as_str() != value {
        return Err(format!("{lit:?} holds {:?}, not {value:?}", s.get()));
    }
    Ok(())
}
