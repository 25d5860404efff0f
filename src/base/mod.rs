//! What every layer uses: located diagnostics, hashing, and writing files safely.

pub mod diag;
pub mod digest;
pub mod files;
