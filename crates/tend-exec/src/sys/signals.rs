//! Signal names as the contract spells them (`"SIGKILL"`).

/// The conventional name of signal `number`, e.g. `"SIGKILL"`; `"SIGRTMIN+3"` or `"SIG99"` else.
pub(crate) fn name(number: i32) -> String {
    match nix::sys::signal::Signal::try_from(number) {
        Ok(signal) => signal.as_str().to_owned(),
        Err(_) if (libc::SIGRTMIN()..=libc::SIGRTMAX()).contains(&number) => {
            format!("SIGRTMIN+{}", number - libc::SIGRTMIN())
        }
        Err(_) => format!("SIG{number}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_common_signals() {
        assert_eq!(super::name(libc::SIGKILL), "SIGKILL");
        assert_eq!(super::name(libc::SIGTERM), "SIGTERM");
    }
}
