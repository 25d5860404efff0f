//! `avtale serve`: start the local web editor, say where it is, and keep it running until
//! the process is stopped.

use std::sync::atomic::AtomicBool;

use crate::commands::build::PdfOptions;
use crate::commands::setup::{SourceOptions, setup};
use crate::commands::{CommandResult, Console, Failure, Outcome};
use crate::serve::{ServeOptions, Server};

#[derive(Debug, Clone)]
pub struct ServeCommand {
    pub serve: ServeOptions,
    pub pdf: PdfOptions,
    pub sources: SourceOptions,
    /// Open the editor in the default browser.
    pub open: bool,
}

pub fn run(console: &mut dyn Console, opts: &ServeCommand) -> CommandResult {
    let setup = setup(console, &opts.sources)?;
    let typesetter = opts.pdf.typesetter(&setup.assets)?;
    let server = Server::bind(&opts.serve, setup.catalogue, setup.assets, typesetter).map_err(Failure::new)?;
    let url = server.url();
    let out = console.out();
    let _ = writeln!(out, "avtale serve: {url}");
    let _ = writeln!(
        out,
        "The editor for {} is running: open the address above in a browser; stop it with Ctrl+C.",
        opts.serve.dir.display()
    );
    let _ = out.flush();
    if opts.open && webbrowser::open(&url).is_err() {
        console.error("cannot open a browser; open the address above by hand");
    }
    server.run(&AtomicBool::new(false));
    Ok(Outcome::Ok)
}
