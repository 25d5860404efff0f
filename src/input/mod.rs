//! From files to checked agreements: TOML and CSV reading with positions, the agreement
//! model, segment expansion, the rules, and the JSON Schema of the format.

pub mod coherence;
pub mod load;
pub mod members_csv;
pub mod members_xlsx;
pub mod model;
pub mod raw;
pub mod rules;
pub mod schema;
pub mod select;
