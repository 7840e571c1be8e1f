//! Integration tests of tend-store, in one binary.

mod sqlite;
