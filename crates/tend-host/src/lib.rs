//! tend-host: the runtime around the lifecycle engine.
//!
//! One supervisor task owns the [`tend_core::Engine`]. Requests arrive over a channel; the
//! effects of each batch are applied in order: commit to the [`tend_store::Store`], then reply,
//! publish and wake waiters, then act on processes through [`tend_exec`]. The runtime fires the
//! engine's timers, notices shim exits through pidfds, serves long-polls without polling loops,
//! recovers a home on start (re-adopting live shims, applying exit records written while it was
//! down, marking vanished processes `lost`), stops whole the processes a vanished shim left
//! behind (found through the marker every descendant inherits, see [`tend_exec`]), and evicts
//! output beyond the disk budget. Store failures are fail-stop: a batch that cannot be
//! committed is answered `unavailable` and forgotten, and the runtime rebuilds itself from the
//! durable state once the store commits again ([`Host::store_health`] tells meanwhile).
//!
//! It is usable in-process by a Rust harness:
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use tend_host::{Host, HostOptions};
//! use tend_core::CreateTask;
//!
//! let options = HostOptions::new("/tmp/tend-home", tend_exec::ShimProgram::new("tend", ["__shim"]));
//! let host = Host::open(options).await?;
//! let (_, task) = host.create(CreateTask::shell("harness", ["cargo", "test"])).await?;
//! let done = host.wait(vec![task.id], tend_host::WaitMode::All, std::time::Duration::from_secs(600)).await?;
//! println!("{:?}", done.tasks[0].state);
//! host.close().await;
//! # Ok(()) }
//! ```

mod api;
mod budget;
mod error;
mod home;
mod procs;
mod recovery;
mod secrets;
mod settings;
mod supervisor;
mod watch;

pub use api::{Host, HostOptions, WaitMode, WaitResult};
pub use error::HostError;
pub use home::Home;
pub use procs::MAX_CONCURRENT_SPAWNS;
pub use settings::{Settings, SettingsError};
pub use supervisor::StoreStatus;
