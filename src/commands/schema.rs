//! `avtale schema`: the JSON Schema of agreement and segment files, for editors.

use crate::commands::{CommandResult, Console, Outcome};
use crate::input::schema::schema_json;

pub fn run(console: &mut dyn Console) -> CommandResult {
    let _ = write!(console.out(), "{}", schema_json());
    Ok(Outcome::Ok)
}
