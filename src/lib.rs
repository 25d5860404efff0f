//! `avtale`: consumer agreements for data sharing with Skatteetaten, from TOML files to
//! checked, signable PDF.

pub mod assets;
pub mod build;
pub mod catalog;
pub mod cli;
pub mod csvmembers;
pub mod diag;
pub mod lang;
pub mod load;
pub mod model;
pub mod pdf;
pub mod provenance;
pub mod raw;
pub mod render;
pub mod review;
pub mod rules;
pub mod scaffold;
pub mod schema;
pub mod sigfield;
pub mod text;
pub mod verify;
pub mod world;
