//! The agreement as plain text for review in pull requests: the same content as the PDF,
//! appendices included, with line breaks decided here (not by page layout), so that a change
//! of one value changes only the lines that hold it.

use typst::syntax::{SyntaxKind, SyntaxNode};

use crate::catalog::Catalogue;
use crate::document::view::{TjenesteView, View};

/// Width that paragraphs are wrapped to.
pub const WIDTH: usize = 88;

/// The lines of the text being written.
struct TextLines {
    lines: Vec<String>,
}

impl TextLines {
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
    let mut o = TextLines { lines: Vec::new() };
    let orgnr = view.tr("orgnr").to_lowercase();
    write_header(&mut o, view);
    write_parties(&mut o, view, &orgnr);
    write_contacts(&mut o, view);
    write_services(&mut o, view);
    write_processors(&mut o, view, &orgnr);
    write_declaration(&mut o, view);
    write_documents(&mut o, view);
    write_signatories(&mut o, view);
    write_appendices(&mut o, view, cat)?;
    while o.lines.last().is_some_and(|l| l.is_empty()) {
        o.lines.pop();
    }
    Ok(o.lines.join("\n") + "\n")
}

/// The title block: title, subtitle, id, date, status and validity.
fn write_header(o: &mut TextLines, view: &View) {
    let t = |k| view.tr(k);
    o.lines.push(t("tittel").to_uppercase());
    o.para("", "", &view.undertittel);
    o.blank();
    o.field("", t("avtale_id"), &view.id);
    o.field("", t("dato"), &view.dato);
    o.field("", t("status"), &view.status);
    if let Some(g) = &view.gyldig_fra {
        o.field("", t("gyldig_fra"), g);
    }
    if let Some(e) = &view.erstatter {
        o.field("", t("erstatter"), e);
    }
    if let Some(v) = &view.vedtak {
        o.field("", t("vedtak"), v);
    }
}

/// Section 1: the parties, and the segment if there is one.
fn write_parties(o: &mut TextLines, view: &View, orgnr: &str) {
    let t = |k| view.tr(k);
    o.heading(&format!("1 {}", t("partene")));
    o.field(
        "",
        t("informasjonsforvalter"),
        &format!("Skatteetaten, {orgnr} 974 761 076"),
    );
    let k = &view.konsument;
    let form = k
        .organisasjonsform
        .as_ref()
        .map(|f| format!(" ({f})"))
        .unwrap_or_default();
    o.field(
        "",
        &format!("{} ({})", t("konsument"), t("behandlingsansvarlig")),
        &format!("{}{form}, {orgnr} {}, {}", k.navn, k.orgnr, k.adresse),
    );
    o.field("", t("varslingsadresse"), &k.varslingsadresse);
    if let Some(s) = &view.segment {
        o.field("", t("segment"), &s.id);
        o.field(
            "",
            t("segmentansvarlig"),
            &format!("{}, {orgnr} {}", s.ansvarlig_navn, s.ansvarlig_orgnr),
        );
        o.field("", t("segmentavtale"), s.avtale.as_deref().unwrap_or(t("ikke_oppgitt")));
    }
    if let Some(c) = &view.skatteetaten {
        o.blank();
        o.para("", "", t("skatteetaten_kontakt_innledning"));
        o.field("", t("brukerstoette"), &c.brukerstoette);
        o.field("", t("sikkerhetshendelser"), &c.sikkerhetshendelser);
    }
}

/// Section 2: the contact persons.
fn write_contacts(o: &mut TextLines, view: &View) {
    o.heading(&format!("2 {}", view.tr("kontaktpersoner")));
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
}

/// Section 3: the requested services.
fn write_services(o: &mut TextLines, view: &View) {
    o.heading(&format!("3 {}", view.tr("tjenester")));
    for s in &view.tjenester {
        write_service(o, view, s);
    }
}

/// One service of section 3, its fields indented under its number and name.
fn write_service(o: &mut TextLines, view: &View, s: &TjenesteView) {
    let t = |k| view.tr(k);
    o.blank();
    o.lines.push(format!("{} {}", s.nummer, s.navn));
    o.field("  ", t("tjeneste_id"), &s.id);
    o.field("  ", t("scope"), &s.scope);
    o.field("  ", t("rettighetspakke"), &format!("{} – {}", s.pakke, s.pakke_navn));
    o.field("  ", t("formaal"), &s.formaal);
    o.field("  ", t("miljoeer"), &s.miljoe);
    o.field("  ", t("tilkobling"), &s.tilkobling);
    o.field(
        "  ",
        t("utleveringsgrunnlag"),
        &format!("{}: {}", s.utlevering_type, s.utlevering_henvisning),
    );
    if let Some(h) = &s.egen_hjemmel {
        o.field("  ", t("egen_hjemmel"), h);
    }
    if let Some(l) = &s.lovgrunnlag {
        o.field("  ", t("lovgrunnlag"), l);
    }
    if let Some(c) = &s.samtykkekode {
        o.field("  ", t("samtykkekode"), c);
    }
    for u in &s.retur_url {
        o.field("  ", t("retur_url"), u);
    }
    o.field(
        "  ",
        t("behandlingsgrunnlag"),
        &format!("{}: {}", s.behandling_type, s.behandling_henvisning),
    );
    let dbh = if s.databehandlere.is_empty() {
        t("ingen").to_string()
    } else {
        s.databehandlere.join("; ")
    };
    o.field("  ", t("databehandlere"), &dbh);
    o.field("  ", t("bruksvilkaar"), &s.bruksvilkaar);
}

/// Section 4: the data processors.
fn write_processors(o: &mut TextLines, view: &View, orgnr: &str) {
    let t = |k| view.tr(k);
    o.heading(&format!("4 {}", t("databehandlere")));
    if view.databehandlere.is_empty() {
        o.para("", "", t("ingen_databehandler"));
    }
    for d in &view.databehandlere {
        o.field(
            "- ",
            &d.navn,
            &format!(
                "{orgnr} {}, {}, {} {}, {}: {}",
                d.orgnr,
                d.rolle,
                t("databehandleravtale").to_lowercase(),
                d.avtaledato,
                t("tjenester_kolonne").to_lowercase(),
                d.tjenester
            ),
        );
    }
}

/// Section 5: the numbered clauses of the declaration.
fn write_declaration(o: &mut TextLines, view: &View) {
    o.heading(&format!("5 {}", view.tr("egenerklaering")));
    o.para("", "", view.tr("erklaering_innledning"));
    o.blank();
    for (i, e) in view.erklaering.iter().enumerate() {
        let n = format!("{:>2}. ", i + 1);
        o.para(&n, "    ", e);
    }
}

/// Section 6: the documents of the agreement and the content fingerprint.
fn write_documents(o: &mut TextLines, view: &View) {
    let t = |k| view.tr(k);
    o.heading(&format!("6 {}", t("dokumenter")));
    o.para(
        "",
        "",
        &format!(
            "{} {} {} {}",
            t("dokumenter_innledning"),
            t("avtale_rang"),
            t("bruksvilkaar_gjeldende"),
            t("spraakforrang")
        ),
    );
    o.blank();
    for d in &view.dokumenter {
        o.para(
            &format!("{}. ", d.nummer),
            "   ",
            &format!(
                "{}{}, {} {}, SHA-256 {}",
                d.navn,
                if d.eksempeltekst {
                    format!(" ({})", t("eksempeltekst"))
                } else {
                    String::new()
                },
                t("versjon").to_lowercase(),
                d.versjon,
                d.sha256
            ),
        );
    }
    o.blank();
    o.field("", t("fingeravtrykk_innhold"), &view.fingeravtrykk);
}

/// Section 7: the signatories.
fn write_signatories(o: &mut TextLines, view: &View) {
    let t = |k| view.tr(k);
    o.heading(&format!("7 {}", t("signatur")));
    for s in &view.signatarer {
        o.field(
            "- ",
            &format!("{} {}", t("signatar"), s.nummer),
            &format!("{}, {}, {}", s.navn, s.tittel, s.fullmakt),
        );
    }
}

/// The appendices: each terms text under its heading, version and hash.
fn write_appendices(o: &mut TextLines, view: &View, cat: &Catalogue) -> Result<(), String> {
    let t = |k| view.tr(k);
    for v in &view.vedlegg {
        o.heading(&format!("{} {}: {}", t("vedlegg"), v.nummer, v.tittel));
        if v.eksempeltekst {
            o.para("", "", t("eksempeltekst"));
        }
        o.field("", t("versjon"), &v.versjon);
        o.field("", "SHA-256", &v.sha256);
        o.blank();
        if let Some(m) = &v.merknad {
            o.para("", "", m);
            o.blank();
        }
        let src = crate::document::view::terms_text(cat, &v.fil).ok_or_else(|| format!("no terms text {}", v.fil))?;
        markup_text(&typst::syntax::parse(src), o);
    }
    Ok(())
}

/// Plain text of a Typst markup fragment (a terms text): headings, paragraphs, lists and
/// tables, without markup.
fn markup_text(root: &SyntaxNode, o: &mut TextLines) {
    let mut para = String::new();
    let flush = |para: &mut String, o: &mut TextLines| {
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
fn table_text(call: &SyntaxNode, o: &mut TextLines) {
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
        let mut o = TextLines { lines: Vec::new() };
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
