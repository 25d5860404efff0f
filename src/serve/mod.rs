//! `avtale serve`: a local web editor for agreement files. The file's text is the state:
//! the form changes it at TOML paths, the same loader and rules as `check` say what is
//! wrong, the same typesetter as `build` draws the preview and makes the PDF.
//!
//! The server listens on the loopback interface only, answers only requests that carry the
//! access token (and, for changes, come from its own pages), and touches only files inside
//! its directory.

pub mod edit;
pub mod files;
pub mod form;
pub mod guard;
mod handlers;
mod http;
mod message;
mod pages;
pub mod preview;
mod state;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use state::Editor;

use crate::catalog::Catalogue;
use crate::catalog::assets::Assets;
use crate::document::Typesetter;

/// How the editor is started.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The directory whose agreement files are edited.
    pub dir: PathBuf,
    /// The port on 127.0.0.1; 0 takes any free one.
    pub port: u16,
    /// Where `build` writes PDFs: the start page says whether each is current.
    pub out_dir: PathBuf,
}

/// A bound, not yet running editor server.
pub struct Server {
    http: tiny_http::Server,
    editor: Arc<Editor>,
    port: u16,
}

impl Server {
    /// Bind to the loopback interface and prepare the editor.
    pub fn bind(
        opts: &ServeOptions,
        catalogue: Catalogue,
        assets: Assets,
        typesetter: Typesetter,
    ) -> Result<Server, String> {
        let http = tiny_http::Server::http(("127.0.0.1", opts.port))
            .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", opts.port))?;
        let port = http
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or("the server has no IP address")?;
        let editor = Editor::new(opts, port, catalogue, assets, typesetter)?;
        Ok(Server {
            http,
            editor: Arc::new(editor),
            port,
        })
    }

    /// The address to open, with the access token.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/?token={}", self.port, self.editor.token())
    }

    /// Answer requests until `stop` is set, on a few threads (a preview can take a while;
    /// diagnostics should not wait for it).
    pub fn run(&self, stop: &AtomicBool) {
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    while !stop.load(Ordering::Relaxed) {
                        match self.http.recv_timeout(Duration::from_millis(200)) {
                            Ok(Some(request)) => http::answer(&self.editor, request),
                            Ok(None) => {}
                            Err(_) => break,
                        }
                    }
                });
            }
        });
    }
}
