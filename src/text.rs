//! The agreement as plain text for review in pull requests: the same content as the PDF,
//! appendices included, with line breaks decided here (not by page layout), so that a change
//! of one value changes only the lines that hold it.

use typst::syntax::{SyntaxKind, SyntaxNode};

use crate::catalog::Catalogue;
use crate::render::View;

/// Width that paragraphs are wrapped to.
pub const WIDTH: usize = 88;

struct Out {
    lines: Vec<String>,
}

impl Out {
    fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
        }
    }

    /// A paragraph, wrapped; `first` starts the first line and `rest` indents the others.
    fn para(&mut self, first: &str, rest: &str, text: &str) {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            return;
        }
        let opts = textwrap::Options::new(WIDTH)
            .initial_indent(first)
            .subsequent_indent(rest)
            .break_words(false)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        self.lines.extend(
            textwrap::wrap(&text, opts)
                .into_iter()
                .map(|l| l.trim_end().to_string()),
        );
    }

    fn heading(&mut self, text: &str) {
        self.blank();
        self.para("", "", &text.to_uppercase());
        self.lines.push(String::new());
    }

    fn field(&mut self, indent: &str, label: &str, value: &str) {
        let rest = format!("{}    ", " ".repeat(indent.chars().count()));
        self.para(&format!("{indent}{label}: "), &rest, value);
    }
}

/// The whole agreement as text.
pub fn agreement_text(view: &View, cat: &Catalogue) -> Result<String, String> {
    let mut o = Out { lines: Vec::new() };
    o.lines.push("KONSUMENTAVTALE".into());
    o.para("", "", &view.undertittel);
    o.blank();
    o.field("", "Avtale-ID", &view.id);
    o.field("", "Dato", &view.dato);
    o.field("", "Status", &view.status);
    if let Some(g) = &view.gyldig_fra {
        o.field("", "Gyldig fra", g);
    }
    if let Some(e) = &view.erstatter {
        o.field("", "Erstatter avtale", e);
    }

    o.heading("1 Partene");
    o.field("", "Informasjonsforvalter", "Skatteetaten, org.nr. 974 761 076");
    let k = &view.konsument;
    let form = k
        .organisasjonsform
        .as_ref()
        .map(|f| format!(" ({f})"))
        .unwrap_or_default();
    o.field(
        "",
        "Konsument (behandlingsansvarlig)",
        &format!("{}{form}, org.nr. {}, {}", k.navn, k.orgnr, k.adresse),
    );
    o.field("", "Varslingsadresse", &k.varslingsadresse);
    if let Some(s) = &view.segment {
        o.field("", "Segment", &s.id);
        o.field(
            "",
            "Segmentansvarlig",
            &format!("{}, org.nr. {}", s.ansvarlig_navn, s.ansvarlig_orgnr),
        );
    }

    o.heading("2 Kontaktpersoner");
    for c in &view.kontakter {
        let mut v = c.navn.clone();
        if let Some(t) = &c.tittel {
            v.push_str(&format!(" ({t})"));
        }
        v.push_str(&format!(", {}", c.epost));
        if let Some(t) = &c.telefon {
            v.push_str(&format!(", {t}"));
        }
        o.field("- ", &c.rolle, &v);
    }

    o.heading("3 Delingstjenester og rettslig grunnlag");
    for t in &view.tjenester {
        o.blank();
        o.lines.push(format!("{} {}", t.nummer, t.navn));
        o.field("  ", "Tjeneste-ID", &t.id);
        o.field("  ", "Maskinporten-scope", &t.scope);
        o.field("  ", "Rettighetspakke", &format!("{} – {}", t.pakke, t.pakke_navn));
        o.field("  ", "Formål", &t.formaal);
        o.field("  ", "Miljøer", &t.miljoe);
        o.field("  ", "Tilkobling", &t.tilkobling);
        o.field(
            "  ",
            "Utleveringsgrunnlag",
            &format!("{}: {}", t.utlevering_type, t.utlevering_henvisning),
        );
        if let Some(h) = &t.egen_hjemmel {
            o.field("  ", "Konsumentens egen hjemmel", h);
        }
        if let Some(l) = &t.lovgrunnlag {
            o.field("  ", "Rettighetspakkens lovgrunnlag", l);
        }
        if let Some(c) = &t.samtykkekode {
            o.field("  ", "Altinn-samtykkekode", c);
        }
        for u in &t.retur_url {
            o.field("  ", "Tillatt retur-URL", u);
        }
        o.field(
            "  ",
            "Behandlingsgrunnlag",
            &format!("{}: {}", t.behandling_type, t.behandling_henvisning),
        );
        let dbh = if t.databehandlere.is_empty() {
            "Ingen".to_string()
        } else {
            t.databehandlere.join("; ")
        };
        o.field("  ", "Databehandlere", &dbh);
        o.field("  ", "Bruksvilkår", &t.bruksvilkaar);
    }

    o.heading("4 Databehandlere");
    if view.databehandlere.is_empty() {
        o.para("", "", "Ingen.");
    }
    for d in &view.databehandlere {
        o.field(
            "- ",
            &d.navn,
            &format!(
                "org.nr. {}, {}, databehandleravtale {}, tjenester: {}",
                d.orgnr, d.rolle, d.avtaledato, d.tjenester
            ),
        );
    }

    o.heading("5 Egenerklæring");
    o.para(
        "",
        "",
        "Ved å signere avtalen erklærer konsumenten, ved signatarene, at:",
    );
    o.blank();
    for (i, e) in view.erklaering.iter().enumerate() {
        let n = format!("{:>2}. ", i + 1);
        o.para(&n, "    ", e);
    }

    o.heading("6 Avtaledokumenter og rangordning");
    o.para(
        "",
        "",
        "Bruksvilkårene går foran delingsvilkårene der begge regulerer det samme forholdet.",
    );
    o.blank();
    for d in &view.dokumenter {
        o.para(
            &format!("{}. ", d.nummer),
            "   ",
            &format!("{}, versjon {}, SHA-256 {}", d.navn, d.versjon, d.sha256),
        );
    }
    o.blank();
    o.field("", "Fingeravtrykk for avtalens innhold (SHA-256)", &view.fingeravtrykk);

    o.heading("7 Signatur");
    for s in &view.signatarer {
        o.field(
            "- ",
            &format!("Signatar {}", s.nummer),
            &format!("{}, {}, {}", s.navn, s.tittel, s.fullmakt),
        );
    }

    for v in &view.vedlegg {
        o.heading(&format!("Vedlegg {}: {}", v.nummer, v.tittel));
        o.field("", "Versjon", &v.versjon);
        o.field("", "SHA-256", &v.sha256);
        o.blank();
        let src = crate::render::terms_text(cat, &v.fil).ok_or_else(|| format!("no terms text {}", v.fil))?;
        markup_text(&typst::syntax::parse(src), &mut o);
    }
    while o.lines.last().is_some_and(|l| l.is_empty()) {
        o.lines.pop();
    }
    Ok(o.lines.join("\n") + "\n")
}

/// Plain text of a Typst markup fragment (a terms text): headings, paragraphs, lists and
/// tables, without markup.
fn markup_text(root: &SyntaxNode, o: &mut Out) {
    let mut para = String::new();
    let flush = |para: &mut String, o: &mut Out| {
        if !para.trim().is_empty() {
            o.para("", "", para);
            o.blank();
        }
        para.clear();
    };
    for node in root.children() {
        match node.kind() {
            SyntaxKind::Parbreak => flush(&mut para, o),
            SyntaxKind::Heading => {
                flush(&mut para, o);
                let mut t = String::new();
                inline_text(node, &mut t);
                o.blank();
                o.lines.push(t.trim().to_string());
                o.blank();
            }
            SyntaxKind::ListItem | SyntaxKind::EnumItem => {
                flush(&mut para, o);
                let mut t = String::new();
                inline_text(node, &mut t);
                let marker = if node.kind() == SyntaxKind::ListItem {
                    "- "
                } else {
                    "+ "
                };
                o.para(marker, "  ", t.trim());
            }
            SyntaxKind::FuncCall if callee(node).ends_with("table") => {
                flush(&mut para, o);
                table_text(node, o);
                o.blank();
            }
            _ => inline_text(node, &mut para),
        }
    }
    flush(&mut para, o);
}

fn callee(call: &SyntaxNode) -> String {
    call.children()
        .next()
        .map(|c| c.full_text().to_string())
        .unwrap_or_default()
}

/// Text of inline markup, in reading order.
fn inline_text(node: &SyntaxNode, out: &mut String) {
    match node.kind() {
        SyntaxKind::Text | SyntaxKind::Link => out.push_str(node.leaf_text()),
        SyntaxKind::Raw => {
            for c in node
                .children()
                .filter(|c| !matches!(c.kind(), SyntaxKind::RawDelim | SyntaxKind::RawLang))
            {
                out.push_str(&c.full_text());
            }
        }
        SyntaxKind::Space => out.push(' '),
        SyntaxKind::Linebreak => out.push(' '),
        SyntaxKind::Escape => {
            let t = node.leaf_text();
            match t.strip_prefix("\\u{").and_then(|h| h.strip_suffix('}')) {
                Some(hex) => out.extend(u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)),
                None => out.push_str(t.trim_start_matches('\\')),
            }
        }
        SyntaxKind::Shorthand => out.push_str(match node.leaf_text().as_str() {
            "~" => " ",
            "--" => "–",
            "---" => "—",
            "..." => "…",
            "-?" => "",
            other => other,
        }),
        SyntaxKind::SmartQuote => out.push_str(node.leaf_text()),
        SyntaxKind::LineComment | SyntaxKind::BlockComment | SyntaxKind::HeadingMarker => {}
        SyntaxKind::ListMarker | SyntaxKind::EnumMarker => {}
        SyntaxKind::Str => out.push_str(node.leaf_text().trim_matches('"')),
        SyntaxKind::FuncCall if callee(node) == "link" => {
            // `link("url")[label]` reads as its label; `link("url")` as the address.
            let mut label = String::new();
            let mut url = String::new();
            for arg in node.children().flat_map(|a| a.children()) {
                match arg.kind() {
                    SyntaxKind::ContentBlock => inline_text(arg, &mut label),
                    SyntaxKind::Str if url.is_empty() => url = arg.leaf_text().trim_matches('"').to_string(),
                    _ => {}
                }
            }
            out.push_str(if label.trim().is_empty() { &url } else { &label });
        }
        SyntaxKind::FuncCall => {
            for arg in node.children().flat_map(|a| a.children()) {
                if arg.kind() == SyntaxKind::ContentBlock {
                    inline_text(arg, out);
                }
            }
        }
        SyntaxKind::Ident | SyntaxKind::Hash | SyntaxKind::Code | SyntaxKind::Args => {}
        _ => {
            for c in node.children() {
                inline_text(c, out);
            }
        }
    }
}

/// A table as one line per row, cells separated by ` | `.
fn table_text(call: &SyntaxNode, o: &mut Out) {
    let mut columns = 1usize;
    let mut cells: Vec<String> = Vec::new();
    fn collect(args: &SyntaxNode, cells: &mut Vec<String>, columns: &mut usize) {
        for arg in args.children() {
            match arg.kind() {
                SyntaxKind::Named => {
                    let name = arg
                        .children()
                        .next()
                        .map(|n| n.leaf_text().to_string())
                        .unwrap_or_default();
                    if name == "columns" {
                        let value = arg.children().last();
                        if let Some(v) = value {
                            *columns = match v.kind() {
                                SyntaxKind::Array => v
                                    .children()
                                    .filter(|c| {
                                        !matches!(
                                            c.kind(),
                                            SyntaxKind::LeftParen
                                                | SyntaxKind::RightParen
                                                | SyntaxKind::Comma
                                                | SyntaxKind::Space
                                        )
                                    })
                                    .count()
                                    .max(1),
                                SyntaxKind::Int => v.leaf_text().parse().unwrap_or(1),
                                _ => 1,
                            };
                        }
                    }
                }
                SyntaxKind::ContentBlock => {
                    let mut t = String::new();
                    inline_text(arg, &mut t);
                    cells.push(t.split_whitespace().collect::<Vec<_>>().join(" "));
                }
                SyntaxKind::FuncCall => {
                    for inner in arg.children().filter(|c| c.kind() == SyntaxKind::Args) {
                        collect(inner, cells, columns);
                    }
                }
                _ => {}
            }
        }
    }
    for args in call.children().filter(|c| c.kind() == SyntaxKind::Args) {
        collect(args, &mut cells, &mut columns);
    }
    for row in cells.chunks(columns) {
        o.para("| ", "|   ", &row.join(" | "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(src: &str) -> String {
        let mut o = Out { lines: Vec::new() };
        markup_text(&typst::syntax::parse(src), &mut o);
        o.lines.join("\n")
    }

    #[test]
    fn terms_markup_becomes_plain_text() {
        let t = text_of(
            "== 1 Formål\n\n*1.1* Varsler går til \\@post og #link(\"https://status.example\")[statussiden].\n\n#table(columns: (auto, 1fr), table.header([*A*], [*B*]), [x], [y])\n",
        );
        assert!(t.contains("1 Formål"), "{t}");
        assert!(t.contains("1.1 Varsler går til @post og statussiden."), "{t}");
        assert!(t.contains("| A | B"), "{t}");
        assert!(t.contains("| x | y"), "{t}");
        assert!(!t.contains('*') && !t.contains('#'), "{t}");
    }
}
