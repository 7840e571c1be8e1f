//! Thin wrappers over Linux system calls used by both the shim and the runtime side.

pub(crate) mod fd;
pub(crate) mod fsutil;
pub(crate) mod pidfd;
pub(crate) mod signals;
