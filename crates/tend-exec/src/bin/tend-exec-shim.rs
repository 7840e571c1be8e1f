//! Stand-alone shim binary used by tend-exec's own tests and benchmarks.
//!
//! The `tend` binary runs the same code as `tend __shim`; this target exists so that the crate can
//! be tested without the CLI.

fn main() {
    std::process::exit(tend_exec::shim::main());
}
