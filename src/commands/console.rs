//! Where commands write: standard output for results, standard error for progress and
//! problems. The `cli` layer provides the terminal; tests can provide a buffer.

use codespan_reporting::term::termcolor::WriteColor;

use crate::base::i18n::Lang;

/// The streams a command writes to, and the one form of its messages about itself.
pub trait Console {
    /// Results: diagnostics, reports, generated text.
    fn out(&mut self) -> &mut dyn WriteColor;
    /// Progress, summaries and problems.
    fn err(&mut self) -> &mut dyn WriteColor;
    /// Whether standard error is a terminal (a progress bar is drawn there).
    fn err_is_terminal(&self) -> bool;
    /// A problem that keeps the tool from doing part of its job.
    fn error(&mut self, message: &str);
    /// A problem worth knowing that does not stop anything.
    fn warning(&mut self, message: &str);
    /// Something to know about the result.
    fn note(&mut self, message: &str);
    /// The language of messages (`--lang`, or the locale); English unless said.
    fn lang(&self) -> Lang {
        Lang::En
    }
}
