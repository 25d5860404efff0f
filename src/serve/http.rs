//! Requests in, responses out: the guard first, the body read within its limit, then the
//! handler; every response with headers that keep other sites' pages out.

use std::io::Read;

use tiny_http::{Header, Request, Response};

use crate::input::load::MAX_TOML_BYTES;
use crate::serve::guard::{Admission, RequestFacts};
use crate::serve::handlers;
use crate::serve::message::{Req, Resp};
use crate::serve::state::Editor;

/// The largest request body: an agreement file at its size limit, escaped as JSON (which can
/// make it up to six times larger for control characters; twice covers real text), plus room.
pub const MAX_BODY: u64 = 2 * MAX_TOML_BYTES + 64 * 1024;

/// Answer one request.
pub fn answer(editor: &Editor, mut request: Request) {
    let resp = respond(editor, &mut request);
    let mut response = Response::from_data(resp.body).with_status_code(resp.status);
    let common = [
        ("Content-Type", resp.content_type.to_string()),
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'"
                .to_string(),
        ),
        ("X-Content-Type-Options", "nosniff".to_string()),
        ("Referrer-Policy", "same-origin".to_string()),
        ("Cache-Control", "no-store".to_string()),
        ("X-Frame-Options", "DENY".to_string()),
        ("Cross-Origin-Resource-Policy", "same-origin".to_string()),
    ];
    for (name, value) in common.into_iter().chain(resp.headers) {
        if let Ok(h) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

fn respond(editor: &Editor, request: &mut Request) -> Resp {
    let (path, query) = split_url(request.url());
    let method = request.method().as_str().to_string();
    let token = query.iter().find(|(k, _)| k == "token").map(|(_, v)| v.as_str());
    let facts = RequestFacts {
        method: &method,
        host: header(request, "Host"),
        origin: header(request, "Origin"),
        cookie: header(request, "Cookie"),
        query_token: token,
    };
    let admission = match editor.guard.admit(&facts) {
        Ok(a) => a,
        Err(refusal) => return Resp::text(refusal.status(), refusal.message()),
    };
    if admission == Admission::Query {
        // Keep the token out of the address bar and the history from here on.
        let rest: Vec<String> = query
            .iter()
            .filter(|(k, _)| k != "token")
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        let to = if rest.is_empty() {
            path.clone()
        } else {
            format!("{path}?{}", rest.join("&"))
        };
        return Resp::redirect(&to).with("Set-Cookie", editor.guard.cookie());
    }
    let body = match read_body(request) {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let req = Req {
        method,
        path,
        query,
        body,
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handlers::route(editor, &req))) {
        Ok(resp) => resp,
        Err(_) => Resp::error(500, "Det oppstod en intern feil i redigeringsverktøyet."),
    }
}

fn read_body(request: &mut Request) -> Result<Vec<u8>, Resp> {
    let too_large = || Resp::error(413, "Forespørselen er for stor.");
    if request.body_length().is_some_and(|n| n as u64 > MAX_BODY) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body)
        .map_err(|_| Resp::error(400, "Forespørselen kunne ikke leses."))?;
    if body.len() as u64 > MAX_BODY {
        return Err(too_large());
    }
    Ok(body)
}

fn split_url(url: &str) -> (String, Vec<(String, String)>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let pairs = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    (path.to_string(), pairs)
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
