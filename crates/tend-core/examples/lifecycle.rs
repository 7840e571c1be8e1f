//! Drives the engine through a small day of work and prints what a runtime would see: a group
//! limited to one slot, a dependency chain, a failure cascade, a stop, and the notifications.
#![allow(clippy::print_stdout)]

use tend_core::{
    Action, Config, CreateTask, Engine, ExitOutcome, Input, Reply, Step, TaskId, Timestamp,
};

fn created(step: &Step) -> TaskId {
    match &step.reply {
        Reply::Created { task, .. } => task.id,
        other => panic!("unexpected reply {other:?}"),
    }
}

fn show(label: &str, step: &Step) {
    println!("== {label}");
    for event in &step.changes.events {
        println!(
            "   event {:>3} {:<13} {}",
            event.seq,
            event.kind.type_name(),
            event.task_id
        );
    }
    for action in &step.actions {
        match action {
            Action::Spawn { task } => {
                println!("   action spawn {} {:?}", task.task.id, task.task.command)
            }
            Action::Signal { id, signal } => println!("   action signal {id} {signal:?}"),
            Action::DeleteOutput { id } => println!("   action delete output of {id}"),
        }
    }
    for n in &step.changes.notifications {
        println!("   notify {} {}: {}", n.session, n.id, n.text);
    }
}

fn main() -> Result<(), tend_core::Error> {
    let mut engine = Engine::new(Config::default());
    let mut now = Timestamp::from_millis(1_800_000_000_000);
    let mut tick = |ms: i64| {
        now = Timestamp::from_millis(now.as_millis() + ms);
        now
    };

    let step = engine.handle(
        Input::SetGroupLimit {
            group: "build".into(),
            limit: 1,
        },
        tick(0),
    )?;
    show("group build limited to 1", &step);

    let mut build = CreateTask::shell("cli", ["cargo", "build"]);
    build.group = Some("build".into());
    let step = engine.handle(Input::Create(build.clone()), tick(1))?;
    let first = created(&step);
    show("create first build (starts)", &step);

    let step = engine.handle(Input::Create(build), tick(1))?;
    let second = created(&step);
    show("create second build (queued behind the first)", &step);

    let mut test = CreateTask::shell("cli", ["cargo", "test"]);
    test.after = vec![second];
    let step = engine.handle(Input::Create(test), tick(1))?;
    let tests = created(&step);
    show("create tests after the second build", &step);

    engine.handle(
        Input::ProcessStarted {
            id: first,
            pid: 101,
        },
        tick(5),
    )?;
    let step = engine.handle(
        Input::ProcessExited {
            id: first,
            outcome: ExitOutcome::Exited(0),
        },
        tick(900),
    )?;
    show("first build exits 0 (second starts)", &step);

    engine.handle(
        Input::ProcessStarted {
            id: second,
            pid: 102,
        },
        tick(5),
    )?;
    let step = engine.handle(
        Input::ProcessExited {
            id: second,
            outcome: ExitOutcome::Exited(2),
        },
        tick(700),
    )?;
    show(
        "second build exits 2 (tests fail with dependency_failed)",
        &step,
    );

    let server = engine.handle(
        Input::Create(CreateTask::shell("cli", ["npm", "run", "dev"])),
        tick(10),
    )?;
    let server = created(&server);
    engine.handle(
        Input::ProcessStarted {
            id: server,
            pid: 103,
        },
        tick(5),
    )?;
    let step = engine.handle(
        Input::Stop {
            id: server,
            grace_ms: Some(2000),
        },
        tick(3000),
    )?;
    show("stop the dev server (SIGTERM now, SIGKILL in 2 s)", &step);
    let step = engine.handle(
        Input::ProcessExited {
            id: server,
            outcome: ExitOutcome::Signaled("SIGTERM".into()),
        },
        tick(20),
    )?;
    show("dev server ended by SIGTERM", &step);

    println!("== tasks");
    for task in engine.list(&Default::default()) {
        println!(
            "   {:<4} {:<10} {:<18} {}",
            task.id.to_string(),
            task.state.as_str(),
            task.reason.map(|r| r.as_str()).unwrap_or("-"),
            task.name
        );
    }
    assert_eq!(engine.get(tests)?.state.as_str(), "failed");
    tend_core::invariants::check(&engine).expect("invariants hold");
    Ok(())
}
