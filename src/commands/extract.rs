//! `avtale extract`: write the agreement source and manifest attached to a PDF back out,
//! byte for byte.

use std::path::PathBuf;

use crate::base::files::{write_atomic, write_new};
use crate::commands::{CommandResult, Console, Failure, Outcome};
use crate::msg;
use crate::verify::pdf_file::{open_pdf, safe_name};

#[derive(Debug, Clone)]
pub struct ExtractOptions {
    pub pdf: PathBuf,
    pub out_dir: PathBuf,
    /// Replace files that already exist.
    pub force: bool,
}

pub fn run(console: &mut dyn Console, opts: &ExtractOptions) -> CommandResult {
    let (_, _, files) = open_pdf(&opts.pdf)?;
    if files.is_empty() {
        return Err(Failure::new(msg!("extract-no-attachments", file = opts.pdf.display())));
    }
    std::fs::create_dir_all(&opts.out_dir)
        .map_err(|e| Failure::new(msg!("cannot-create", file = opts.out_dir.display(), error = e)))?;
    for (name, data) in files {
        let Some(name) = safe_name(&name) else {
            let message = msg!("extract-unusable-name", name = format!("{name:?}")).render(console.lang());
            console.warning(&message);
            continue;
        };
        let target = opts.out_dir.join(&name);
        let written = if opts.force {
            write_atomic(&target, &data)
        } else {
            write_new(&target, &data)
        };
        if let Err(e) = written {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                return Err(Failure::new(msg!("extract-exists", file = target.display())));
            }
            return Err(Failure::new(msg!("cannot-write", file = target.display(), error = e)));
        }
        let _ = writeln!(console.out(), "{}", target.display());
    }
    Ok(Outcome::Ok)
}
