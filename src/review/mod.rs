//! Review helpers: `diff` (what changed, in plain words and as a text diff, between two
//! versions of an agreement, either side from a git revision) and `impact` (which
//! agreements a change of terms, service or rights package touches).

pub mod changes;
pub mod diff;
pub mod impact;
pub mod side;
