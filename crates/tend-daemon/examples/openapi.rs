//! Prints the OpenAPI document of the API.
#![allow(clippy::print_stdout)]

fn main() {
    println!("{:#}", tend_daemon::openapi_document());
}
