//! Any string written into Typst markup or into a Typst string literal comes out literally.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../src/literal.rs"]
mod literal;

fuzz_target!(|value: &str| {
    if let Err(e) = literal::check_string(value) {
        panic!("string literal is not literal: {e}");
    }
    if let Err(e) = literal::check_markup(value) {
        panic!("markup escaping is not literal: {e}");
    }
});
