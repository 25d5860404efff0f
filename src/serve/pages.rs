//! The editor's HTML pages: the start page with every agreement in the directory, the
//! editor of one file, and the form inside it.

use serde::Serialize;

use crate::scaffold::{NewAgreement, new_agreement_with_catalogue};
use crate::serve::form;
use crate::serve::message::{Resp, enc};
use crate::serve::state::Editor;

fn render(editor: &Editor, name: &str, ctx: minijinja::Value) -> Resp {
    match editor.templates.get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => Resp::html(html),
        Err(e) => Resp::text(500, &format!("Siden kunne ikke lages: {e}")),
    }
}

/// What the "Ny avtale" form was filled in with, and what is wrong with it.
#[derive(Debug, Default, Serialize)]
pub struct NewForm {
    pub file: String,
    pub navn: String,
    pub orgnr: String,
    pub tjeneste: String,
    pub segment: bool,
    pub errors: Vec<(String, String)>,
}

pub fn start(editor: &Editor, new: Option<NewForm>) -> Resp {
    let rows = editor.rows();
    let services: Vec<(String, String)> = editor
        .catalogue
        .tjenester
        .iter()
        .map(|s| (s.id.clone(), format!("{} ({})", s.navn, s.id)))
        .collect();
    let status = if new.as_ref().is_some_and(|n| !n.errors.is_empty()) {
        422
    } else {
        200
    };
    let mut resp = render(
        editor,
        "start.html",
        minijinja::context! {
            dir => editor.root.dir().display().to_string(),
            rows => minijinja::Value::from(minijinja::value::Serde(&rows)),
            services => services,
            new => minijinja::Value::from(minijinja::value::Serde(new.unwrap_or_default())),
        },
    );
    if resp.status == 200 {
        resp.status = status;
    }
    resp
}

pub fn editor(editor: &Editor, file: &str) -> Resp {
    let opened = match editor.root.open(file) {
        Ok(o) => o,
        Err(e) => return Resp::text(e.status(), &e.message()),
    };
    let state = serde_json::json!({
        "file": file,
        "text": opened.text,
        "base": opened.sha256,
    });
    render(
        editor,
        "editor.html",
        minijinja::context! {
            file => file,
            state => state.to_string(),
        },
    )
}

/// The form's HTML for a parsed agreement file.
pub fn form_fragment(editor: &Editor, doc: &toml::Table) -> Result<String, String> {
    let form = form::form(doc, &editor.catalogue, &editor.schema);
    editor
        .templates
        .get_template("form.html")
        .and_then(|t| t.render(minijinja::context! { form => minijinja::Value::from(minijinja::value::Serde(&form)) }))
        .map_err(|e| format!("Skjemaet kunne ikke lages: {e}"))
}

/// "Ny avtale": create a file as `avtale new` does and open it.
pub fn create(editor: &Editor, body: &[u8]) -> Resp {
    let mut f = NewForm::default();
    for (k, v) in url::form_urlencoded::parse(body) {
        let v = v.trim().to_string();
        match &*k {
            "file" => f.file = v,
            "navn" => f.navn = v,
            "orgnr" => f.orgnr = v,
            "tjeneste" => f.tjeneste = v,
            "segment" => f.segment = true,
            _ => {}
        }
    }
    if f.navn.is_empty() {
        f.errors.push(("navn".into(), "Skriv virksomhetens navn.".into()));
    }
    if f.orgnr.is_empty() {
        f.errors.push(("orgnr".into(), "Skriv organisasjonsnummeret.".into()));
    }
    if !f.file.is_empty() && !f.file.ends_with(".toml") {
        f.file.push_str(".toml");
    }
    if f.file.is_empty() {
        f.errors.push((
            "file".into(),
            "Skriv et filnavn, for eksempel fjordvik-kommune.toml.".into(),
        ));
    }
    if !f.errors.is_empty() {
        return start(editor, Some(f));
    }
    let text = new_agreement_with_catalogue(
        &NewAgreement {
            orgnr: f.orgnr.clone(),
            navn: f.navn.clone(),
            id: None,
            dato: chrono::Utc::now().date_naive(),
            segment: f.segment,
            tjeneste: (!f.tjeneste.is_empty()).then(|| f.tjeneste.clone()),
        },
        &editor.catalogue,
    );
    match editor.root.create(&f.file, &text) {
        Ok(_) => Resp::redirect(&format!("/edit?file={}", enc(&f.file))),
        Err(e) => {
            f.errors.push(("file".into(), e.message()));
            start(editor, Some(f))
        }
    }
}
