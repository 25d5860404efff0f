//! `avtale check`: validate agreement and segment files; writes nothing.

use std::path::PathBuf;

use crate::commands::report::{DiagnosticOptions, report};
use crate::commands::setup::{SourceOptions, setup};
use crate::commands::{CommandResult, Console};
use crate::input::load;

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub diagnostics: DiagnosticOptions,
    pub sources: SourceOptions,
}

pub fn run(console: &mut dyn Console, opts: &CheckOptions) -> CommandResult {
    let setup = setup(console, &opts.sources)?;
    let run = load::load(&opts.paths, &setup.catalogue);
    Ok(report(console, opts.diagnostics, &run, true))
}
