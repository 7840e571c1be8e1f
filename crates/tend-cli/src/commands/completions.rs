//! `tend completions bash|zsh|fish`: prints a script that completes subcommands, options, task
//! ids and group names by asking `tend` (see [`crate::complete`]).

use std::path::Path;

use crate::cli::{CompletionShell, CompletionsArgs};
use crate::exit;

/// Prints the script for the shell; it runs `program` (the running executable, else `tend`
/// from the `PATH`) at each completion.
pub fn run(args: &CompletionsArgs, program: Option<&Path>) -> anyhow::Result<u8> {
    let shell = match args.shell {
        CompletionShell::Bash => "bash",
        CompletionShell::Zsh => "zsh",
        CompletionShell::Fish => "fish",
    };
    let program = program.and_then(Path::to_str).unwrap_or("tend");
    crate::output::bytes(&crate::complete::script(shell, program)?)?;
    Ok(exit::OK)
}
