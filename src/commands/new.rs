//! `avtale new`: a new, commented agreement file to fill in.

use std::path::PathBuf;

use crate::base::files::write_new;
use crate::commands::setup::{SourceOptions, setup};
use crate::commands::{CommandResult, Console, Failure, Outcome};
use crate::msg;
use crate::scaffold::{NewAgreement, new_agreement_with_catalogue};

#[derive(Debug, Clone)]
pub struct NewOptions {
    pub agreement: NewAgreement,
    /// Write here instead of standard output (never over an existing file).
    pub output: Option<PathBuf>,
    pub sources: SourceOptions,
}

pub fn run(console: &mut dyn Console, opts: &NewOptions) -> CommandResult {
    let setup = setup(console, &opts.sources)?;
    if let Some(t) = &opts.agreement.tjeneste
        && setup.catalogue.service(t).is_none()
    {
        return Err(Failure::new(msg!("unknown-service", service = t)));
    }
    let text = new_agreement_with_catalogue(&opts.agreement, &setup.catalogue);
    match &opts.output {
        None => {
            let _ = write!(console.out(), "{text}");
            Ok(Outcome::Ok)
        }
        Some(path) if path.exists() => Err(Failure::new(msg!("new-exists", file = path.display()))),
        Some(path) => match write_new(path, text.as_bytes()) {
            Ok(()) => {
                let line = msg!("new-wrote", file = path.display()).render(console.lang());
                let _ = writeln!(console.err(), "{line}");
                Ok(Outcome::Ok)
            }
            Err(e) => Err(Failure::new(msg!("cannot-write", file = path.display(), error = e))),
        },
    }
}
