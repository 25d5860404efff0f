//! clap's own errors in the user's language. clap writes them in English; in bokmål the
//! kind of error and the argument, value or subcommand it concerns are said from the message
//! catalogue, with clap's suggestion and usage line kept.

use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::base::i18n::{Lang, Msg, text};
use crate::msg;

/// The error as bokmål text, or `None` where clap's own text is the one to show (English,
/// and `--help` or `--version`, which are not errors).
pub fn render(e: &clap::Error, lang: Lang) -> Option<String> {
    if lang == Lang::En || !e.use_stderr() {
        return None;
    }
    let ctx = |k: ContextKind| e.get(k).map(plain);
    let arg = ctx(ContextKind::InvalidArg).unwrap_or_default();
    let message = match e.kind() {
        ErrorKind::InvalidSubcommand => msg!(
            "cli-parse-unknown-subcommand",
            name = ctx(ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::UnknownArgument => msg!("cli-parse-unknown-argument", arg = arg),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => msg!(
            "cli-parse-invalid-value",
            value = ctx(ContextKind::InvalidValue).unwrap_or_default(),
            arg = arg
        ),
        ErrorKind::MissingRequiredArgument => msg!("cli-parse-missing-argument", arg = arg),
        ErrorKind::ArgumentConflict => msg!(
            "cli-parse-conflict",
            arg = arg,
            other = ctx(ContextKind::PriorArg).unwrap_or_default()
        ),
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            msg!("cli-parse-values", arg = arg)
        }
        ErrorKind::MissingSubcommand => Msg::new("cli-parse-missing-subcommand"),
        // Anything else (the help shown for a bare `avtale`, say) stays as clap wrote it.
        _ => return None,
    };
    let mut out = format!("{}: {}\n", text(lang, "severity-error"), message.render(lang));
    let suggested = [
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .find_map(ctx);
    if let Some(s) = suggested {
        out.push_str(&format!(
            "\n  {}\n",
            msg!("cli-parse-did-you-mean", suggestion = s).render(lang)
        ));
    }
    if let Some(valid) = ctx(ContextKind::ValidValue).filter(|v| !v.is_empty()) {
        out.push_str(&format!(
            "\n  {}\n",
            msg!("cli-parse-valid-values", values = valid).render(lang)
        ));
    }
    if let Some(usage) = ctx(ContextKind::Usage) {
        let usage = usage.trim().trim_start_matches("Usage:").trim();
        out.push_str(&format!("\n{} {usage}\n", text(lang, "cli-parse-usage")));
    }
    out.push_str(&format!("\n{}\n", text(lang, "cli-parse-more-help")));
    Some(out)
}

/// A context value as plain text: several values joined with commas.
fn plain(v: &ContextValue) -> String {
    match v {
        ContextValue::Strings(s) => s.join(", "),
        ContextValue::StyledStrs(s) => s.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// The language asked for on the command line (`--lang nb`, `--lang=nb`) or else by the
/// environment, read before the command line is parsed so that its errors are in it too.
pub fn lang_of(args: &[String], from_env: impl FnOnce() -> Lang) -> Lang {
    let mut it = args.iter().skip(1).take_while(|a| *a != "--");
    while let Some(a) = it.next() {
        let value = match a.strip_prefix("--lang") {
            Some("") => it.next().map(String::as_str),
            Some(v) => v.strip_prefix('='),
            None => None,
        };
        match value {
            Some("nb") => return Lang::Nb,
            Some("en") => return Lang::En,
            _ => {}
        }
    }
    from_env()
}
