//! Integration tests of the client against a real daemon served in-process on a temporary
//! home: the routes the CLI does not use, error codes, and the followers.

mod routes;
