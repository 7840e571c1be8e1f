//! Exit codes of §6 not covered elsewhere, usage errors, and the commands of later work.

use crate::support::Home;

#[test]
fn api_errors_map_to_exit_codes() {
    let home = Home::new();
    let not_found = home.run(&["show", "t999"]);
    assert_eq!(not_found.code, 3);
    assert!(not_found.stderr.contains("t999"), "{}", not_found.stderr);
    let id = home.start(&["--", "true"]);
    home.finished(&id);
    home.ok(&["rm", &id]);
    assert_eq!(home.run(&["show", &id]).code, 4);
    let live = home.start(&["--", "sleep", "30"]);
    assert_eq!(home.run(&["rm", &live]).code, 5);
    let invalid = home.run(&["run", "--session", "no spaces", "--", "true"]);
    assert_eq!(invalid.code, 1);
    assert!(invalid.stderr.contains("session"), "{}", invalid.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let home = Home::new();
    for args in [
        &[][..],
        &["frobnicate"],
        &["run"],
        &["run", "--timeout", "soon", "--", "true"],
        &["wait"],
        &["completions", "powershell"],
    ] {
        let outcome = home.run(args);
        assert_eq!(outcome.code, 2, "{args:?}: {}", outcome.stderr);
    }
    assert!(
        !home.path().join("tend.sock").exists(),
        "usage errors start no daemon"
    );
}

#[test]
fn completions_are_printed_for_each_shell() {
    let home = Home::new();
    for shell in ["bash", "zsh", "fish"] {
        let script = home.ok(&["completions", shell]);
        // The script calls `tend` back for the candidates (see usability.rs).
        assert!(
            script.contains("tend") && script.contains(&format!("COMPLETE={shell}"))
                || script.contains(&format!("COMPLETE=\"{shell}\"")),
            "{shell}: {script}"
        );
    }
}
