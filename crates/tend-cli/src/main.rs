//! The `tend` binary.
fn main() {}
