//! `tend completions bash|zsh|fish`: prints a completion script.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionShell, CompletionsArgs};
use crate::exit;

/// Prints the script for the shell.
pub fn run(args: &CompletionsArgs) -> anyhow::Result<u8> {
    let shell = match args.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "tend", &mut script);
    crate::output::bytes(&script)?;
    Ok(exit::OK)
}
