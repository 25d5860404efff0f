//! `avtale serve`: start the local web editor, say where it is, and keep it running until
//! the process is stopped.

use std::io::Write as _;
use std::sync::atomic::AtomicBool;

use crate::commands::build::PdfOptions;
use crate::commands::setup::{SourceOptions, setup};
use crate::commands::{CommandResult, Console, Failure, Outcome};
use crate::msg;
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
    let lang = console.lang();
    let running = msg!("serve-running", dir = opts.serve.dir.display()).render(lang);
    let out = console.out();
    // The first line is the same in every language: editor integrations and tests read it.
    let _ = writeln!(out, "avtale serve: {url}");
    let _ = writeln!(out, "{running}");
    let _ = out.flush();
    // Kept until the server stops: the page the browser is sent to.
    let _opener = if opts.open {
        let opened = opener(&url).and_then(|page| {
            let path = page.path().to_str().map(str::to_string).ok_or("path")?;
            webbrowser::open(&path).map_err(|_| "browser")?;
            Ok(page)
        });
        if opened.is_err() {
            console.error(&msg!("serve-no-browser").render(lang));
        }
        opened.ok()
    } else {
        None
    };
    server.run(&AtomicBool::new(false));
    Ok(Outcome::Ok)
}

/// A page readable by this user only that sends the browser on to `url`: the browser is
/// started with its file name, so the access token never shows in the process list.
fn opener(url: &str) -> Result<tempfile::NamedTempFile, &'static str> {
    let mut page = tempfile::Builder::new()
        .prefix("avtale-serve-")
        .suffix(".html")
        .tempfile()
        .map_err(|_| "temporary file")?;
    let html = format!(
        "<!doctype html><html lang=\"nb\"><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0;url={url}\">\
         <title>avtale serve</title><a href=\"{url}\">Åpne redigeringsverktøyet</a></html>\n"
    );
    page.write_all(html.as_bytes()).map_err(|_| "write")?;
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_that_opens_the_editor_is_private_and_leads_to_the_address() {
        let url = "http://127.0.0.1:4000/?token=abc";
        let page = opener(url).unwrap();
        let html = std::fs::read_to_string(page.path()).unwrap();
        assert!(html.contains(&format!("content=\"0;url={url}\"")), "{html}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(page.path()).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }
}
