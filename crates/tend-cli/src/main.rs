//! The `tend` binary: the shim entry (`tend __shim`), then the command line.

use std::env;
use std::process::ExitCode;

use clap::Parser;
use tend_cli::{Cli, Environment};
use tend_client::HomeEnv;

fn main() -> ExitCode {
    // The shim forks and changes signal dispositions: it must run before anything else, while
    // the process has a single thread.
    if env::args_os().nth(1).is_some_and(|arg| arg == "__shim") {
        std::process::exit(tend_exec::shim::main());
    }
    let environment = Environment {
        home: HomeEnv {
            tend_home: env::var_os("TEND_HOME"),
            xdg_state_home: env::var_os("XDG_STATE_HOME"),
            home: env::var_os("HOME"),
        },
        session: Environment::text(env::var_os("TEND_SESSION")),
        no_autostart: env::var_os("TEND_NO_AUTOSTART").is_some_and(|v| !v.is_empty() && v != "0"),
        no_color: env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        log_filter: Environment::text(env::var_os("TEND_LOG")),
        cwd: env::current_dir().ok(),
        current_exe: env::current_exe().ok(),
        request_timeout: Environment::text(env::var_os("TEND_REQUEST_TIMEOUT")),
        vars: tend_proto::EnvMap(
            env::vars_os()
                .filter_map(|(name, value)| {
                    Some((name.into_string().ok()?, value.into_string().ok()?))
                })
                .collect(),
        ),
    };
    // `COMPLETE=SHELL tend -- WORDS...` (from the script of `tend completions`) answers the
    // candidates and exits.
    tend_cli::complete::complete_if_asked(&environment);
    let cli = Cli::parse();
    tend_cli::run(cli, environment)
}
