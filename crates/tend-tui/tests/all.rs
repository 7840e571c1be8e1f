//! tend-tui's integration tests: snapshots of the screens, the state's behaviour, and the real
//! `tend tui` in tmux against a real daemon.

mod e2e;
mod fixtures;
mod screens;
mod sizes;
mod updates;
