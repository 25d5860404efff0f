//! A running `avtale serve` over a copy of some examples, and a plain HTTP/1.1 client that
//! sends exactly the bytes a test gives it (as a browser or as an attacker would).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::Duration;

use super::root;

/// How long a client waits for an answer before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// The server, stopped when dropped.
pub struct Served {
    pub child: Child,
    pub port: u16,
    pub token: String,
    pub dir: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer: its status, its head as text, its body (put together if sent in chunks).
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// Start `avtale serve` over a new directory holding copies of the `examples` (file names
/// in agreements/), with its output directory inside it.
pub fn serve(examples: &[&str]) -> Served {
    let dir = tempfile::tempdir().unwrap();
    for name in examples {
        std::fs::copy(root().join("agreements").join(name), dir.path().join(name)).unwrap();
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_avtale"))
        .current_dir(root())
        .arg("serve")
        .arg(dir.path())
        .args(["--port", "0", "-o"])
        .arg(dir.path().join("pdf"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("avtale serve: http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
    let (port, token) = url.split_once("/?token=").unwrap();
    Served {
        child,
        port: port.parse().unwrap(),
        token: token.to_string(),
        dir,
    }
}

impl Served {
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn cookie(&self) -> String {
        format!("avtale-token-{}={}", self.port, self.token)
    }

    /// A new connection whose reads give up after [`PATIENCE`].
    pub fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        s
    }

    /// Send `bytes` on a new connection and read the answer until the server closes it.
    pub fn send(&self, bytes: &[u8]) -> Answer {
        let mut s = self.connect();
        // A server may answer and close before it has read everything.
        let _ = s.write_all(bytes);
        read_answer(&mut s)
    }

    /// One request with exactly the headers given (plus Host unless one is given, and
    /// `Connection: close`) and a body with its Content-Length.
    pub fn raw(&self, method: &str, target: &str, headers: &[(&str, String)], body: &[u8]) -> Answer {
        let mut req = format!("{method} {target} HTTP/1.1\r\nConnection: close\r\n");
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            req.push_str(&format!("Host: {}\r\n", self.host()));
        }
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        self.send(&bytes)
    }

    /// A GET as the editor's own page makes it.
    pub fn get(&self, target: &str) -> Answer {
        self.raw("GET", target, &[("Cookie", self.cookie())], b"")
    }
}

/// The answer on `s`, read until the server closes the connection; the test fails if it does
/// not come within [`PATIENCE`].
pub fn read_answer(s: &mut TcpStream) -> Answer {
    let mut all = Vec::new();
    if let Err(e) = s.read_to_end(&mut all) {
        panic!(
            "no complete answer within {PATIENCE:?} ({e}); got {:?}",
            String::from_utf8_lossy(&all)
        );
    }
    let split = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(&all)));
    let head = String::from_utf8_lossy(&all[..split]).into_owned();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut body = all[split + 4..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Answer { status, head, body }
}

/// The body of a response sent in chunks.
fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n").expect("chunk size line");
        let size = usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        let start = line_end + 2;
        out.extend_from_slice(&rest[start..start + size]);
        rest = &rest[start + size + 2..];
    }
}
