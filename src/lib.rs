//! `avtale`: consumer agreements for data sharing with Skatteetaten, from TOML files to
//! checked, signable PDF.
//!
//! The modules are layers, each using only those listed before it:
//! `base` → `catalog` → `input` → `document` → (`batch`, `review`, `verify`, `scaffold`) →
//! `serve` → `commands` → `cli`. The README's "Architecture" section says what each owns.

pub mod base;
pub mod batch;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod document;
pub mod input;
pub mod review;
pub mod scaffold;
pub mod serve;
pub mod verify;
