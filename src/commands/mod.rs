//! One module per subcommand: the only code that prints. Each takes plain options (the
//! `cli` layer makes them from the command line), says what it has to say through a
//! [`Console`], and returns an [`Outcome`] or a [`Failure`]; only `cli` turns those into an
//! exit status.

pub mod build;
pub mod check;
pub mod console;
pub mod diff;
pub mod extract;
pub mod impact;
pub mod new;
pub mod render;
pub mod report;
pub mod schema;
pub mod serve;
pub mod setup;
pub mod sign;
pub mod verify;
pub mod watch;

pub use console::Console;

use crate::base::i18n::{Msg, Text};

/// How a command ended. Outcomes combine by their maximum: one agreement with errors makes
/// the run invalid, one problem of the tool makes it trouble.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Everything was fine.
    Ok,
    /// An agreement has errors (or warnings, when they are denied), or a check failed.
    Invalid,
    /// The tool could not do its whole job; what went wrong has been said.
    Trouble,
}

impl Outcome {
    /// The worse of two outcomes.
    pub fn and(self, other: Outcome) -> Outcome {
        self.max(other)
    }
}

/// A command that could not do its job, with what to tell the user (one line each), in a
/// form that the command line shows in the language of its messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub Vec<Text>);

impl Failure {
    pub fn new(message: impl Into<Text>) -> Failure {
        Failure(vec![message.into()])
    }

    /// Several messages that are the same in every language (from a lower layer).
    pub fn plain(messages: Vec<String>) -> Failure {
        Failure(messages.into_iter().map(Text::Plain).collect())
    }
}

impl From<Msg> for Failure {
    fn from(message: Msg) -> Failure {
        Failure::new(message)
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::new(message)
    }
}

/// What every command returns.
pub type CommandResult = Result<Outcome, Failure>;
