//! What each address of the editor does.

use serde::Deserialize;
use toml_edit::{Array, Table, value};

use crate::base::i18n::Lang;
use crate::review::diff::{views, word_changes};
use crate::serve::edit::{self, Change};
use crate::serve::files::FileError;
use crate::serve::message::{Req, Resp};
use crate::serve::pages;
use crate::serve::preview::{self, attachments_with_text};
use crate::serve::state::{Editor, WEB};

pub fn route(editor: &Editor, req: &Req) -> Resp {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/") => pages::start(editor, None),
        ("GET", "/edit") => pages::editor(editor, req.query("file").unwrap_or_default()),
        ("POST", "/new") => pages::create(editor, &req.body),
        ("GET", p) if p.starts_with("/static/") => asset(&p["/static/".len()..]),
        ("POST", "/api/check") => with_body(req, |b: TextBody| check(editor, &b)),
        ("POST", "/api/edit") => with_body(req, |b: EditBody| change(editor, &b)),
        ("POST", "/api/form") => with_body(req, |b: TextBody| form(editor, &b)),
        ("POST", "/api/preview") => with_body(req, |b: PreviewBody| preview(editor, &b)),
        ("POST", "/api/pdf") => with_body(req, |b: TextBody| pdf(editor, &b)),
        ("POST", "/api/changes") => with_body(req, |b: TextBody| changes(editor, &b)),
        ("POST", "/api/save") => with_body(req, |b: SaveBody| save(editor, &b)),
        ("GET" | "POST", _) => Resp::text(404, "Finnes ikke."),
        _ => Resp::text(405, "Metoden er ikke tillatt."),
    }
}

fn asset(name: &str) -> Resp {
    let content_type = match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => return Resp::text(404, "Finnes ikke."),
    };
    // Only files at the top of the embedded folder; templates are not served.
    match WEB.get_file(name).filter(|_| !name.contains('/')) {
        Some(f) => Resp::new(200, content_type, f.contents().to_vec()),
        None => Resp::text(404, "Finnes ikke."),
    }
}

fn with_body<T: for<'de> Deserialize<'de>>(req: &Req, handle: impl FnOnce(T) -> Resp) -> Resp {
    match serde_json::from_slice::<T>(&req.body) {
        Ok(b) => handle(b),
        Err(_) => Resp::error(400, "Forespørselen har feil form."),
    }
}

#[derive(Deserialize)]
struct TextBody {
    file: String,
    text: String,
}

#[derive(Deserialize)]
struct EditBody {
    file: String,
    text: String,
    change: Change,
    /// Whether the page needs the form again (a choice that decides other choices, a part
    /// added, moved or removed); typing in a field does not.
    #[serde(default)]
    form: bool,
}

#[derive(Deserialize)]
struct PreviewBody {
    file: String,
    text: String,
    #[serde(default)]
    known: Vec<String>,
}

#[derive(Deserialize)]
struct SaveBody {
    file: String,
    text: String,
    base: String,
}

fn file_error(e: FileError) -> Resp {
    Resp::error(e.status(), e.message())
}

/// The path of an agreement file the page names, inside the directory.
fn agreement_path(editor: &Editor, file: &str, text: &str) -> Result<std::path::PathBuf, Resp> {
    if text.len() as u64 > crate::input::load::MAX_TOML_BYTES {
        return Err(file_error(FileError::TooLarge));
    }
    let path = editor.root.resolve(file).map_err(file_error)?;
    if path.extension().is_none_or(|e| e != "toml") {
        return Err(file_error(FileError::NotToml));
    }
    Ok(path)
}

fn check(editor: &Editor, b: &TextBody) -> Resp {
    let path = match agreement_path(editor, &b.file, &b.text) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (_, diags) = editor.check(&path, &b.text);
    Resp::json(200, &serde_json::json!({ "diagnostics": diags }))
}

/// The form's HTML for a text, or the reason there is none.
fn form_html(editor: &Editor, text: &str) -> Result<String, String> {
    let doc: toml::Table = toml::from_str(text)
        .map_err(|_| "Filen er ikke gyldig TOML, så skjemaet kan ikke vises. Rett feilen i TOML-fanen.".to_string())?;
    if doc.contains_key("felles") {
        return Err("Dette er en segmentfil. Rediger den i TOML-fanen.".into());
    }
    pages::form_fragment(editor, &doc)
}

fn form(editor: &Editor, b: &TextBody) -> Resp {
    let path = match agreement_path(editor, &b.file, &b.text) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (_, diags) = editor.check(&path, &b.text);
    let (form, notice) = split(form_html(editor, &b.text));
    Resp::json(
        200,
        &serde_json::json!({ "diagnostics": diags, "form": form, "notice": notice }),
    )
}

fn split(r: Result<String, String>) -> (Option<String>, Option<String>) {
    match r {
        Ok(f) => (Some(f), None),
        Err(n) => (None, Some(n)),
    }
}

fn change(editor: &Editor, b: &EditBody) -> Resp {
    let path = match agreement_path(editor, &b.file, &b.text) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let text = match edit::apply(&b.text, &b.change, &|p| new_table(editor, p)) {
        Ok(t) => t,
        Err(e) => return Resp::error(422, e),
    };
    let (_, diags) = editor.check(&path, &text);
    let (form, notice) = if b.form {
        split(form_html(editor, &text))
    } else {
        (None, None)
    };
    Resp::json(
        200,
        &serde_json::json!({ "text": text, "diagnostics": diags, "form": form, "notice": notice }),
    )
}

/// What a new contact, signatory, processor, service or segment starts with: the keys to
/// fill in, with the first choice where there must be one.
fn new_table(editor: &Editor, path: &str) -> Table {
    let mut t = Table::new();
    let key = path.rsplit('.').next().unwrap_or(path);
    let empty = || value("");
    match key {
        "kontakt" => {
            t["rolle"] = value("forretning");
            t["navn"] = empty();
            t["epost"] = empty();
        }
        "signatar" => {
            t["navn"] = empty();
            t["tittel"] = empty();
            t["fullmakt"] = value("signaturrett");
        }
        "databehandler" => {
            t["navn"] = empty();
            t["organisasjonsnummer"] = empty();
            t["rolle"] = value("systemleverandoer");
            t["tjenester"] = value(Array::new());
        }
        "segment" => {
            t["id"] = empty();
            let mut a = toml_edit::InlineTable::new();
            a.insert("navn", "".into());
            a.insert("organisasjonsnummer", "".into());
            t["ansvarlig"] = value(a);
        }
        "tjeneste" => new_service(editor, &mut t),
        _ => {}
    }
    t
}

fn new_service(editor: &Editor, t: &mut Table) {
    let Some(s) = editor.catalogue.tjenester.first() else {
        return;
    };
    t["id"] = value(s.id.as_str());
    let package = s.pakker.first();
    t["rettighetspakke"] = value(package.map(|p| p.id.as_str()).unwrap_or_default());
    if let Some(v) = editor.catalogue.terms(&s.bruksvilkaar).and_then(|d| d.current()) {
        t["bruksvilkaar"] = value(v.versjon.as_str());
    }
    t["formaal"] = value("");
    let mut u = Table::new();
    u["type"] = value(
        package
            .and_then(|p| p.grunnlag.first())
            .map(String::as_str)
            .unwrap_or("hjemmel"),
    );
    u["henvisning"] = value("");
    t["utleveringsgrunnlag"] = toml_edit::Item::Table(u);
    let mut b = Table::new();
    b["type"] = value("lov");
    b["henvisning"] = value("");
    t["behandlingsgrunnlag"] = toml_edit::Item::Table(b);
}

fn preview(editor: &Editor, b: &PreviewBody) -> Resp {
    let path = match agreement_path(editor, &b.file, &b.text) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let run = editor.load(&path, &b.text);
    let Some(loaded) = the_valid_agreement(&run) else {
        return Resp::json(
            200,
            &serde_json::json!({ "notice": "Forhåndsvisningen oppdateres når avtalen ikke har feil." }),
        );
    };
    let attach = attachments_with_text(loaded, &editor.catalogue, &editor.typesetter, &b.text);
    match preview::pages(
        &editor.typesetter,
        &editor.catalogue,
        loaded,
        &attach,
        &editor.pages,
        &b.known,
    ) {
        Ok(pages) => Resp::json(200, &serde_json::json!({ "pages": pages })),
        Err(crate::document::BuildError::Input(d)) => {
            let diags = editor.web_diagnostics(&run, &d);
            let why: Vec<String> = diags.iter().map(|d| format!("{} [{}]", d.message, d.code)).collect();
            let notice = format!("Avtalen kan ikke settes opp: {}", why.join("; "));
            Resp::json(200, &serde_json::json!({ "notice": notice, "diagnostics": diags }))
        }
        Err(e) => Resp::json(200, &serde_json::json!({ "notice": e.to_string() })),
    }
}

/// The one agreement of an agreement file's text, when it has no errors (a segment file, with
/// its many members, has no single agreement to show).
fn the_valid_agreement(run: &crate::input::load::Run) -> Option<&crate::input::load::Loaded> {
    match run.agreements.as_slice() {
        [only] if !only.has_errors() => Some(only),
        _ => None,
    }
}

fn pdf(editor: &Editor, b: &TextBody) -> Resp {
    let path = match agreement_path(editor, &b.file, &b.text) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let run = editor.load(&path, &b.text);
    let Some(loaded) = the_valid_agreement(&run) else {
        return Resp::error(422, "Avtalen har feil. Rett dem før du laster ned PDF-en.");
    };
    let attach = attachments_with_text(loaded, &editor.catalogue, &editor.typesetter, &b.text);
    let built = editor.typesetter.build(&loaded.agreement, &editor.catalogue, &attach);
    typst::comemo::evict(4);
    match built {
        Ok(built) => {
            let name = format!("{}.pdf", built.view.id).replace(['"', '\\', '\r', '\n'], "_");
            Resp::new(200, "application/pdf", built.pdf)
                .with("Content-Disposition", format!("attachment; filename=\"{name}\""))
        }
        Err(e) => Resp::error(422, e.to_string()),
    }
}

/// What saving would change, in plain words where both versions are valid agreements, and
/// as changed lines of the file otherwise.
fn changes(editor: &Editor, b: &TextBody) -> Resp {
    let path = match agreement_path(editor, &b.file, &b.text) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let old = match editor.root.open(&b.file) {
        Ok(o) => o,
        Err(e) => return file_error(e),
    };
    let texts = &editor.typesetter.texts;
    let old_run = editor.load(&path, &old.text);
    let new_run = editor.load(&path, &b.text);
    let words = match (
        views(&old_run, &editor.catalogue, texts),
        views(&new_run, &editor.catalogue, texts),
    ) {
        (Ok(a), Ok(b)) => Some(
            word_changes(&a, &b)
                .iter()
                .map(|ch| format!("{}: {}", ch.section, ch.in_lang(Lang::Nb)))
                .collect::<Vec<_>>(),
        ),
        _ => None,
    };
    let lines = line_changes(&old.text, &b.text);
    Resp::json(
        200,
        &serde_json::json!({
            "changes": words,
            "language": Lang::Nb.tag(),
            "lines": lines,
            "unchanged": old.text == b.text
        }),
    )
}

/// The changed lines of the file, `-` for removed and `+` for added.
fn line_changes(old: &str, new: &str) -> Vec<String> {
    // A diff of two long, wholly different texts can take minutes; past the deadline the
    // result is coarser, never late.
    let diff = similar::TextDiff::configure()
        .deadline(std::time::Instant::now() + std::time::Duration::from_millis(300))
        .diff_lines(old, new);
    diff.iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .take(500)
        .map(|c| format!("{}{}", c.tag(), c.value().trim_end_matches('\n')))
        .collect()
}

fn save(editor: &Editor, b: &SaveBody) -> Resp {
    if let Err(r) = agreement_path(editor, &b.file, &b.text) {
        return r;
    }
    match editor.root.save(&b.file, &b.text, &b.base) {
        Ok(sha256) => Resp::json(200, &serde_json::json!({ "sha256": sha256 })),
        Err(e) => file_error(e),
    }
}
