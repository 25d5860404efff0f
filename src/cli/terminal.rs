//! The terminal commands write to: standard output and standard error, coloured as
//! `--color` and `NO_COLOR` say.

use std::io::{IsTerminal, Write};

use codespan_reporting::term::termcolor::{ColorChoice, StandardStream, WriteColor};

use crate::base::i18n::{Lang, text};
use crate::cli::args::Color;
use crate::commands::Console;

pub struct Terminal {
    out: StandardStream,
    err: StandardStream,
    err_is_terminal: bool,
    lang: Lang,
}

impl Terminal {
    pub fn new(color: Color, lang: Lang) -> Terminal {
        let err_is_terminal = std::io::stderr().is_terminal();
        Terminal {
            out: StandardStream::stdout(color_choice(color, std::io::stdout().is_terminal())),
            err: StandardStream::stderr(color_choice(color, err_is_terminal)),
            err_is_terminal,
            lang,
        }
    }

    /// `kind: message`, the kind (`error`, `feil`) in the language of messages.
    fn say(&mut self, kind: &'static str, message: &str) {
        let _ = self.out.flush();
        let _ = writeln!(self.err, "{}: {message}", text(self.lang, kind));
    }
}

fn color_choice(c: Color, tty: bool) -> ColorChoice {
    match c {
        Color::Always => ColorChoice::Always,
        Color::Never => ColorChoice::Never,
        Color::Auto if tty && std::env::var_os("NO_COLOR").is_none() => ColorChoice::Auto,
        Color::Auto => ColorChoice::Never,
    }
}

impl Console for Terminal {
    fn out(&mut self) -> &mut dyn WriteColor {
        &mut self.out
    }

    fn err(&mut self) -> &mut dyn WriteColor {
        &mut self.err
    }

    fn err_is_terminal(&self) -> bool {
        self.err_is_terminal
    }

    fn error(&mut self, message: &str) {
        self.say("severity-error", message);
    }

    fn warning(&mut self, message: &str) {
        self.say("severity-warning", message);
    }

    fn note(&mut self, message: &str) {
        self.say("console-note", message);
    }

    fn lang(&self) -> Lang {
        self.lang
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}
