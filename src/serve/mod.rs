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

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

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
    /// The include and exclude globs of the project configuration.
    pub selection: crate::input::select::Selection,
}

/// A bound, not yet running editor server.
pub struct Server {
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
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
        let cannot_listen = |e: std::io::Error| format!("cannot listen on 127.0.0.1:{}: {e}", opts.port);
        let std_listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port)).map_err(cannot_listen)?;
        std_listener.set_nonblocking(true).map_err(cannot_listen)?;
        let port = std_listener.local_addr().map_err(cannot_listen)?.port();
        // Two threads for the connections; the handlers run on blocking threads of their own.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("avtale-serve")
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| format!("cannot start the server's threads: {e}"))?;
        let listener = {
            let _context = runtime.enter();
            tokio::net::TcpListener::from_std(std_listener).map_err(cannot_listen)?
        };
        let editor = Editor::new(opts, port, catalogue, assets, typesetter)?;
        Ok(Server {
            runtime,
            listener,
            editor: Arc::new(editor),
            port,
        })
    }

    /// The address to open, with the access token.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/?token={}", self.port, self.editor.token())
    }

    /// Answer requests until `stop` is set (looked at every 200 ms), a few handlers at a time
    /// (a preview can take a while; diagnostics should not wait for it).
    pub fn run(&self, stop: &AtomicBool) {
        self.runtime
            .block_on(http::serve(&self.listener, Arc::clone(&self.editor), stop));
    }
}
