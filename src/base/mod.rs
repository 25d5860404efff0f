//! What every layer uses: located diagnostics, the message catalogue, hashing, and writing
//! files safely.

pub mod diag;
pub mod digest;
pub mod files;
pub mod i18n;
