//! `avtale check`: validate agreement and segment files; writes nothing.

use std::path::PathBuf;

use crate::commands::report::{DiagnosticOptions, report};
use crate::commands::setup::{SourceOptions, setup};
use crate::commands::{CommandResult, Console, Failure};
use crate::input::load;
use crate::msg;

#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Paths to check; `-` alone reads one agreement from standard input.
    pub paths: Vec<PathBuf>,
    /// The name standard input is reported under.
    pub stdin_filename: Option<PathBuf>,
    pub diagnostics: DiagnosticOptions,
    pub sources: SourceOptions,
}

pub fn run(console: &mut dyn Console, opts: &CheckOptions) -> CommandResult {
    let setup = setup(console, &opts.sources)?;
    let run = if opts.paths.len() == 1 && opts.paths[0].as_os_str() == "-" {
        let name = opts.stdin_filename.clone().unwrap_or_else(|| "<stdin>".into());
        load::load_bytes(&name, &read_stdin()?, &setup.catalogue)
    } else {
        load::load_in(&opts.paths, &setup.catalogue, &opts.sources.selection)
    };
    Ok(report(console, opts.diagnostics, &run, true))
}

/// Standard input, read to its end but no further than the size limit of agreement files
/// (a larger input is refused by the loader with the limit in the message).
fn read_stdin() -> Result<Vec<u8>, Failure> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(load::MAX_TOML_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::new(msg!("cannot-read-stdin", error = e)))?;
    Ok(bytes)
}
