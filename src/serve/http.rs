//! Connections and requests: a bounded number of connections, each with time limits on its
//! headers and body; per request the guard first, then the body read within its limit, then
//! the handler on a blocking thread (a few at a time); every response with headers that keep
//! other sites' pages out.
//!
//! Nothing here reads or allocates by a length the client announces: a body declared larger
//! than the limit is refused before a byte of it is read, and a body the handler does not need
//! is left unread (the connection is closed after the answer).

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Bytes, Incoming};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use crate::input::load::MAX_TOML_BYTES;
use crate::serve::guard::{Admission, RequestFacts};
use crate::serve::handlers;
use crate::serve::message::{Req, Resp, enc};
use crate::serve::state::Editor;

/// The largest request body: an agreement file at its size limit, escaped as JSON (which can
/// make it up to six times larger for control characters; twice covers real text), plus room.
pub const MAX_BODY: u64 = 2 * MAX_TOML_BYTES + 64 * 1024;

/// The most connections open at once; more wait in the listener's queue until one closes.
pub const MAX_CONNECTIONS: usize = 64;

/// The most handlers running at once (a preview can take a while; diagnostics should not
/// wait for it, nor should the machine be swamped by many).
pub const MAX_HANDLERS: usize = 4;

/// How long a client may take to send a request's headers (and how long an idle connection
/// is kept open).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a client may take to send a request's body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// How often the accept loop looks whether it should stop.
const STOP_POLL: Duration = Duration::from_millis(200);

/// What every connection shares.
struct Shared {
    editor: Arc<Editor>,
    handlers: Arc<Semaphore>,
}

/// Accept connections on `listener` and answer their requests until `stop` is set. The
/// connections still open then are dropped; handlers already running finish on their own.
pub async fn serve(listener: &TcpListener, editor: Arc<Editor>, stop: &AtomicBool) {
    let shared = Arc::new(Shared {
        editor,
        handlers: Arc::new(Semaphore::new(MAX_HANDLERS)),
    });
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    let mut tick = tokio::time::interval(STOP_POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = accept(listener, &slots) => match accepted {
                Some((stream, slot)) => {
                    connections.spawn(connection(stream, Arc::clone(&shared), slot));
                }
                // Out of file descriptors, say: wait a little rather than spin.
                None => tokio::time::sleep(Duration::from_millis(50)).await,
            },
        }
    }
    connections.shutdown().await;
}

/// The next connection, once there is a free slot for it.
async fn accept(listener: &TcpListener, slots: &Arc<Semaphore>) -> Option<(TcpStream, OwnedSemaphorePermit)> {
    let slot = Arc::clone(slots).acquire_owned().await.ok()?;
    let (stream, _) = listener.accept().await.ok()?;
    Some((stream, slot))
}

/// Serve one connection's requests; its slot is free again when this returns.
async fn connection(stream: TcpStream, shared: Arc<Shared>, _slot: OwnedSemaphorePermit) {
    let service = hyper::service::service_fn(move |request| {
        let shared = Arc::clone(&shared);
        async move { Ok::<_, Infallible>(answer(&shared, request).await) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
    // Errors are the client's (a timeout, a malformed request, a closed socket): nothing to do.
    let _ = builder.serve_connection(TokioIo::new(stream), service).await;
}

/// Answer one request.
async fn answer(shared: &Shared, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let resp = respond(shared, request).await;
    let mut response = Response::new(Full::new(Bytes::from(resp.body)));
    *response.status_mut() = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
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
    let headers = response.headers_mut();
    for (name, value) in common.into_iter().chain(resp.headers) {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
            headers.append(name, value);
        }
    }
    // A response to HEAD keeps its Content-Length; hyper leaves out the body itself.
    response
}

fn header<'a>(request: &'a Request<Incoming>, name: &str) -> Option<&'a str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

async fn respond(shared: &Shared, request: Request<Incoming>) -> Resp {
    let editor = &shared.editor;
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let (path, query) = split_url(target);
    let method = request.method().as_str().to_string();
    let token = query.iter().find(|(k, _)| k == "token").map(|(_, v)| v.as_str());
    let facts = RequestFacts {
        method: &method,
        host: header(&request, "Host"),
        origin: header(&request, "Origin"),
        cookie: header(&request, "Cookie"),
        query_token: token,
    };
    // Refusals and redirects leave the body unread; a refused client gets no second request.
    let admission = match editor.guard.admit(&facts) {
        Ok(a) => a,
        Err(refusal) => return Resp::text(refusal.status(), refusal.message()).with("Connection", "close".into()),
    };
    if admission == Admission::Query {
        // Keep the token out of the address bar and the history from here on.
        let rest: Vec<String> = query
            .iter()
            .filter(|(k, _)| k != "token")
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        // Only to a page of this server: `//host/` or `/\host/` would lead a browser away.
        let own = path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\");
        let path = if own { path.as_str() } else { "/" };
        let to = if rest.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{}", rest.join("&"))
        };
        return Resp::redirect(&to).with("Set-Cookie", editor.guard.cookie());
    }
    let body = match read_body(request).await {
        Ok(b) => b,
        Err(resp) => return resp.with("Connection", "close".into()),
    };
    // The router knows GET; HEAD is answered as GET is, without the body.
    let method = if method == Method::HEAD.as_str() {
        Method::GET.as_str().to_string()
    } else {
        method
    };
    let req = Req {
        method,
        path,
        query,
        body,
    };
    handle(shared, req).await
}

/// Run the handler on a blocking thread, no more than [`MAX_HANDLERS`] at once.
async fn handle(shared: &Shared, req: Req) -> Resp {
    let internal = || Resp::error(500, "Det oppstod en intern feil i redigeringsverktøyet.");
    let Ok(_permit) = shared.handlers.acquire().await else {
        return internal();
    };
    let editor = Arc::clone(&shared.editor);
    // A handler that panics ends its blocking task only: the join error is a 500.
    match tokio::task::spawn_blocking(move || handlers::route(&editor, &req)).await {
        Ok(resp) => resp,
        Err(_) => internal(),
    }
}

/// The body, if it is no larger than [`MAX_BODY`] and arrives within [`BODY_TIMEOUT`].
async fn read_body(request: Request<Incoming>) -> Result<Vec<u8>, Resp> {
    let too_large = || Resp::error(413, "Forespørselen er for stor.");
    // The announced length (Content-Length); a chunked body announces none and is counted
    // as it comes.
    if request.body().size_hint().lower() > MAX_BODY {
        return Err(too_large());
    }
    let limit = usize::try_from(MAX_BODY).unwrap_or(usize::MAX);
    let collect = Limited::new(request.into_body(), limit).collect();
    match tokio::time::timeout(BODY_TIMEOUT, collect).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes().to_vec()),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(too_large()),
        Ok(Err(_)) => Err(Resp::error(400, "Forespørselen kunne ikke leses.")),
        Err(_) => Err(Resp::error(408, "Forespørselen kom ikke fram i tide.")),
    }
}

fn split_url(url: &str) -> (String, Vec<(String, String)>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let pairs = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    (path.to_string(), pairs)
}
