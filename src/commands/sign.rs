//! `avtale sign`: fill a signature field of a PDF with a signature made with an enterprise
//! certificate, as an incremental update written to a new file.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::base::files::{read_regular, write_new};
use crate::commands::{CommandResult, Console, Failure, Outcome};
use crate::document::signature::{MAX_FILE_SIZE, Signer, sign};
use crate::msg;

/// Where the PKCS#12 password comes from. Never a plain flag: it would be in the shell's
/// history and in the process list.
#[derive(Debug, Clone)]
pub enum Password {
    /// Asked for on the terminal, not echoed.
    Prompt,
    /// An environment variable.
    Env(String),
    /// The first line of a file.
    File(PathBuf),
}

#[derive(Debug, Clone)]
pub struct SignOptions {
    pub pdf: PathBuf,
    pub field: String,
    pub p12: PathBuf,
    pub password: Password,
    pub output: PathBuf,
}

/// Largest PKCS#12 file read.
const MAX_P12_BYTES: u64 = 1024 * 1024;

pub fn run(console: &mut dyn Console, opts: &SignOptions) -> CommandResult {
    refuse_overwrite(&opts.pdf, &opts.output)?;
    let pdf = read_regular(&opts.pdf, MAX_FILE_SIZE as u64 + 1)
        .ok_or_else(|| Failure::new(msg!("cannot-read", file = opts.pdf.display())))?;
    let p12 = read_regular(&opts.p12, MAX_P12_BYTES)
        .ok_or_else(|| Failure::new(msg!("cannot-read", file = opts.p12.display())))?;
    let password = password(&opts.password)?;
    let signer = Signer::from_p12(&p12, &password).map_err(|e| Failure::new(format!("{}: {e}", opts.p12.display())))?;
    let signed = sign(&pdf, &opts.field, &signer, SystemTime::now())
        .map_err(|e| Failure::new(format!("{}: {e}", opts.pdf.display())))?;
    write_new(&opts.output, &signed)
        .map_err(|e| Failure::new(msg!("cannot-write", file = opts.output.display(), error = e)))?;
    let line = msg!(
        "sign-done",
        field = &opts.field,
        subject = signer.subject(),
        file = opts.output.display()
    )
    .render(console.lang());
    let _ = writeln!(console.err(), "{line}");
    Ok(Outcome::Ok)
}

/// The output must be a new file: never the input, never one that exists.
fn refuse_overwrite(input: &Path, output: &Path) -> Result<(), Failure> {
    let same = match (input.canonicalize(), output.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return Err(Failure::new(msg!("sign-output-is-input", file = output.display())));
    }
    if std::fs::symlink_metadata(output).is_ok() {
        return Err(Failure::new(msg!("sign-exists", file = output.display())));
    }
    Ok(())
}

fn password(source: &Password) -> Result<String, Failure> {
    match source {
        Password::Env(var) => std::env::var(var).map_err(|_| Failure::new(msg!("sign-no-password-env", var = var))),
        Password::File(file) => {
            let bytes = read_regular(file, 64 * 1024)
                .ok_or_else(|| Failure::new(msg!("cannot-read", file = file.display())))?;
            let text =
                String::from_utf8(bytes).map_err(|_| Failure::new(msg!("not-utf8-text", file = file.display())))?;
            Ok(text.lines().next().unwrap_or_default().to_string())
        }
        Password::Prompt => rpassword::prompt_password("Password for the PKCS#12 file: ")
            .map_err(|e| Failure::new(msg!("sign-cannot-ask", error = e))),
    }
}
