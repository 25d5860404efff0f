//! The catalogue of services, rights packages and terms versions, the template directory
//! it is read from, and the documents' fixed text in each language.

pub mod assets;
pub mod catalogue;
pub mod lang;

pub use catalogue::*;
