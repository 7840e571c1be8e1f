//! tend-client: a typed client of tend's daemon over the unix socket of a home.
//!
//! [`Client`] has one method per route of the API (CONTRACT.md §5), taking and answering the
//! wire types of [`tend_proto`]. Errors are [`ClientError`]s: the API's error body with its
//! code ([`ClientError::code`]), or why no answer came.
//!
//! When no daemon listens, the client follows its [`StartPolicy`]: fail, or start
//! `tend daemon` for the home ([`Autostart`]: detached, logging to `daemon.log`) and wait up to
//! 5 s for `GET /v1/health`. The home itself is chosen by [`resolve_home`] from environment
//! values that the binary reads and passes in: this library reads no environment.
//!
//! Long waits are long-polls: [`OutputFollower`] follows a task's output until its end,
//! [`EventFollower`] the event log, and [`wait_for`] waits for tasks longer than one request
//! may last.
//!
//! # Examples
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use tend_client::{Client, OutputFollower, resolve_home, HomeEnv};
//! use tend_proto::{CreateTaskParams, OutputQuery};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let env = HomeEnv { tend_home: Some("/tmp/tend-home".into()), ..HomeEnv::default() };
//! let client = Client::new(resolve_home(&env, std::path::Path::new("/"))?);
//! let task = client.create_task(&CreateTaskParams::shell("cli", "echo hi")).await?.task;
//! let mut follower = OutputFollower::new(task.id, OutputQuery::default());
//! while let Some(chunk) = follower.next(&client, Duration::from_secs(30)).await? {
//!     std::io::Write::write_all(&mut std::io::stdout(), &chunk.data)?;
//! }
//! # Ok(())
//! # }
//! ```

mod autostart;
mod client;
mod codec;
mod error;
mod follow;
mod home;
mod transport;

pub use autostart::{Autostart, DEFAULT_START_TIMEOUT, StartPolicy};
pub use client::{Client, DEFAULT_REQUEST_TIMEOUT, RawOutput};
pub use error::ClientError;
pub use follow::{EventFollower, FOLLOW_POLL, OutputFollower, wait_for};
pub use home::{HomeEnv, NoHomeError, lock_holder, lock_path, log_path, resolve_home, socket_path};
