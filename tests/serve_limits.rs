//! `avtale serve` against clients that try to take it down: a body announced far larger than
//! memory, connections that announce a body and never send it, a chunked body over the limit;
//! and HEAD, answered as GET is, without the body.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use common::served::{PATIENCE, Served, read_answer, serve};

/// The largest request body the server takes (`MAX_BODY` in src/serve/http.rs): twice the
/// 4 MiB limit of an agreement file, plus 64 KiB.
const MAX_BODY: usize = 2 * 4 * 1024 * 1024 + 64 * 1024;

/// One example is enough to be served.
fn served() -> Served {
    serve(&["fjordvik-kommune.toml"])
}

impl Served {
    /// The head of a request to `target` with the given headers (Host and `Connection:
    /// close` added), ready for a body.
    fn head(&self, method: &str, target: &str, headers: &[(&str, String)]) -> String {
        let mut req = format!(
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.host()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req
    }

    fn assert_alive(&mut self) {
        assert!(self.child.try_wait().unwrap().is_none(), "the server has stopped");
        let start = self.get("/");
        assert_eq!(start.status, 200, "{}", String::from_utf8_lossy(&start.body));
    }
}

#[test]
fn a_body_announced_larger_than_memory_is_refused_unread() {
    let mut s = served();
    let huge = ("Content-Length", "10000000000000".to_string());
    // Without the token: the guard refuses it.
    let anonymous = s.send(s.head("POST", "/x", std::slice::from_ref(&huge)).as_bytes());
    assert!(matches!(anonymous.status, 403 | 413), "{}", anonymous.head);
    s.assert_alive();
    // With the token, from the editor's own page: too large.
    let own = [
        ("Cookie", s.cookie()),
        ("Origin", format!("http://{}", s.host())),
        ("Content-Type", "application/json".to_string()),
        huge,
    ];
    let refused = s.send(s.head("POST", "/api/check", &own).as_bytes());
    assert_eq!(refused.status, 413, "{}", refused.head);
    s.assert_alive();
}

#[test]
fn connections_that_never_send_their_body_do_not_block_the_others() {
    let mut s = served();
    // Announced bodies under the limit: a server that drains what a refused request announced
    // waits for them for good.
    let idle: Vec<TcpStream> = (0..70)
        .map(|_| {
            let head = format!(
                "POST /api/check HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
                 Content-Length: 1000000\r\n\r\n",
                s.host()
            );
            let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
            c.write_all(head.as_bytes()).unwrap();
            c
        })
        .collect();
    // Every idle connection is still open on this side while the editor's page asks.
    s.assert_alive();
    drop(idle);
}

#[test]
fn head_is_answered_as_get_without_the_body() {
    let s = served();
    let head = s.send(s.head("HEAD", "/", &[("Cookie", s.cookie())]).as_bytes());
    assert_eq!(head.status, 200, "{}", head.head);
    assert!(head.body.is_empty(), "{} bytes of body", head.body.len());
    let lower = head.head.to_ascii_lowercase();
    assert!(lower.contains("content-security-policy:"), "{}", head.head);
    // The length is the one a GET's body would have.
    let length = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse::<usize>().unwrap());
    assert!(length.is_some_and(|n| n > 0), "{}", head.head);
    let bare = s.send(s.head("HEAD", "/", &[]).as_bytes());
    assert_eq!(bare.status, 403);
}

#[test]
fn a_chunked_body_over_the_limit_is_refused() {
    let mut s = served();
    let own = [
        ("Cookie", s.cookie()),
        ("Origin", format!("http://{}", s.host())),
        ("Content-Type", "application/json".to_string()),
        ("Transfer-Encoding", "chunked".to_string()),
    ];
    let mut c = s.connect();
    c.write_all(s.head("POST", "/api/check", &own).as_bytes()).unwrap();
    let chunk = vec![b' '; 64 * 1024];
    let mut left = MAX_BODY + 1;
    while left > 0 {
        let n = left.min(chunk.len());
        c.write_all(format!("{n:x}\r\n").as_bytes()).unwrap();
        c.write_all(&chunk[..n]).unwrap();
        c.write_all(b"\r\n").unwrap();
        left -= n;
    }
    // The last chunk (`0`) is not sent: the server must answer once the body is over the
    // limit, not when it ends; and what was sent is all read, so the answer is not lost to a
    // reset of the connection.
    let answer = read_answer(&mut c);
    assert_eq!(answer.status, 413, "{}", answer.head);
    s.assert_alive();
}

#[test]
fn run_returns_soon_after_stop_is_set() {
    use std::sync::atomic::{AtomicBool, Ordering};

    let dir = tempfile::tempdir().unwrap();
    let opts = avtale::serve::ServeOptions {
        dir: dir.path().to_path_buf(),
        port: 0,
        out_dir: dir.path().join("pdf"),
        selection: Default::default(),
    };
    let assets = avtale::catalog::assets::Assets::Embedded;
    let server = avtale::serve::Server::bind(&opts, common::catalogue(), assets, common::typesetter()).unwrap();
    let url = server.url();
    let port: u16 = url["http://127.0.0.1:".len()..url.find("/?").unwrap()].parse().unwrap();
    // The port is taken at bind, before run: a connection waits in the queue until then.
    let early = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let running = scope.spawn(|| server.run(&stop));
        let mut early = early;
        early.set_read_timeout(Some(PATIENCE)).unwrap();
        early
            .write_all(format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").as_bytes())
            .unwrap();
        assert_eq!(read_answer(&mut early).status, 403);
        stop.store(true, Ordering::Relaxed);
        let asked = std::time::Instant::now();
        while !running.is_finished() {
            assert!(asked.elapsed() < PATIENCE, "run did not return after stop was set");
            std::thread::sleep(Duration::from_millis(20));
        }
    });
}
