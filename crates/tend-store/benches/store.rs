//! Benchmarks of the SQLite store: durable lifecycle throughput beside the engine alone, and the
//! recovery time of a large home. Run with `cargo bench -p tend-store`; `-- quick` runs smaller
//! sizes, `-- throughput` or `-- recovery` only one of the two.
#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::time::{Duration, Instant};

use tend_core::{
    Changes, Config, CreateTask, Engine, ExitOutcome, Input, NotificationId, Reply, Step, TaskId,
    Timestamp,
};
use tend_store::{SqliteStore, Store};

/// Tasks in flight at once in a lifecycle run: created together, started together, and so on.
const WINDOW: usize = 64;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let has = |name: &str| args.iter().any(|arg| arg == name);
    let quick = has("quick");
    let only_recovery = has("recovery");
    let only_throughput = has("throughput");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let scale = if quick { 10 } else { 1 };
    if !only_recovery {
        lifecycle_throughput(&runtime, scale);
    }
    if !only_throughput {
        recovery(&runtime, scale);
    }
}

/// Feeds `input`, which must succeed.
fn handle(engine: &mut Engine, input: Input, now: Timestamp) -> Step {
    match engine.handle(input, now) {
        Ok(step) => step,
        Err(error) => panic!("the engine refused a benchmark input: {error}"),
    }
}

/// Runs `lifecycles` full lifecycles (create a shell task, process started, exited 0, ack: four
/// inputs each), [`WINDOW`] tasks at a time, passing every step to `sink`.
fn lifecycles(engine: &mut Engine, lifecycles: usize, group: &str, mut sink: impl FnMut(Step)) {
    let now = Timestamp::from_millis(1_800_000_000_000);
    let mut done = 0;
    while done < lifecycles {
        let wave = WINDOW.min(lifecycles - done);
        let mut ids = Vec::with_capacity(wave);
        for _ in 0..wave {
            let mut request = CreateTask::shell("bench", ["make", "test"]);
            request.group = Some(group.to_owned());
            let step = handle(engine, Input::Create(request), now);
            let Reply::Created { task, .. } = &step.reply else {
                panic!("create answered {:?}", step.reply);
            };
            ids.push(task.id);
            sink(step);
        }
        for (pid, &id) in (1000..).zip(&ids) {
            sink(handle(engine, Input::ProcessStarted { id, pid }, now));
        }
        let mut notifications: Vec<Vec<NotificationId>> = Vec::with_capacity(wave);
        for &id in &ids {
            let outcome = ExitOutcome::Exited(0);
            let step = handle(engine, Input::ProcessExited { id, outcome }, now);
            notifications.push(step.changes.notifications.iter().map(|n| n.id).collect());
            sink(step);
        }
        for ids in notifications {
            let ack = Input::Ack {
                session: "bench".into(),
                ids,
            };
            sink(handle(engine, ack, now));
        }
        done += wave;
    }
}

/// A fresh store in a temp dir.
async fn fresh_store(dir: &tempfile::TempDir, name: &str) -> SqliteStore {
    match SqliteStore::open(dir.path().join(name)).await {
        Ok(store) => store,
        Err(error) => panic!("cannot open the benchmark store: {error}"),
    }
}

async fn commit(store: &SqliteStore, batch: &[Changes]) {
    if let Err(error) = store.commit(batch).await {
        panic!("commit failed: {error}");
    }
}

fn per_second(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

/// Durable transitions per second with group commit batches of several sizes, beside the
/// engine alone.
fn lifecycle_throughput(runtime: &tokio::runtime::Runtime, scale: usize) {
    println!("durable lifecycle throughput (create, start, exit, ack; {WINDOW} tasks in flight)");
    println!(
        "{:<28} {:>10} {:>10} {:>14} {:>12}",
        "mode", "steps", "seconds", "transitions/s", "µs/step"
    );
    let row = |mode: &str, steps: usize, elapsed: Duration| {
        println!(
            "{mode:<28} {steps:>10} {:>10.3} {:>14.0} {:>12.2}",
            elapsed.as_secs_f64(),
            per_second(steps, elapsed),
            elapsed.as_secs_f64() * 1e6 / steps as f64
        );
    };

    let count = 50_000 / scale;
    let mut engine = Engine::new(Config::default());
    let mut steps = 0;
    let started = Instant::now();
    lifecycles(&mut engine, count, "default", |step| {
        steps += 1;
        std::hint::black_box(step);
    });
    row("engine alone", steps, started.elapsed());

    let dir = tempfile::tempdir().expect("a temp dir");
    for (batch_size, count) in [(1, 2_500), (8, 10_000), (64, 25_000), (512, 25_000)] {
        let count = count / scale;
        let store = runtime.block_on(fresh_store(&dir, &format!("batch-{batch_size}.db")));
        let mut engine = Engine::new(Config::default());
        let mut pending = Vec::with_capacity(batch_size);
        let mut steps = 0;
        let started = Instant::now();
        lifecycles(&mut engine, count, "default", |step| {
            steps += 1;
            pending.push(step.changes);
            if pending.len() == batch_size {
                runtime.block_on(commit(&store, &pending));
                pending.clear();
            }
        });
        runtime.block_on(commit(&store, &pending));
        row(
            &format!("sqlite, batches of {batch_size}"),
            steps,
            started.elapsed(),
        );
        runtime.block_on(store.close());
    }
    println!();
}

/// How many times recovery is measured.
const ROUNDS: usize = 5;

/// Load and restore time of a home with 100,000 terminal tasks and 1,000 live ones.
fn recovery(runtime: &tokio::runtime::Runtime, scale: usize) {
    let terminal = 100_000 / scale;
    let running = 499 / scale;
    let queued = 500 / scale;
    println!(
        "recovery: {terminal} terminal tasks, {} live ones",
        running + 1 + queued
    );
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("home.db");
    let store = runtime.block_on(fresh_store(&dir, "home.db"));
    let mut engine = Engine::new(Config::default());
    let building = Instant::now();
    let mut pending = Vec::new();
    let flush = |pending: &mut Vec<Changes>, force: bool| {
        if pending.len() >= 4096 || (force && !pending.is_empty()) {
            runtime.block_on(commit(&store, pending));
            pending.clear();
        }
    };
    let mut steps = 0;
    lifecycles(&mut engine, terminal, "default", |step| {
        steps += 1;
        pending.push(step.changes);
        flush(&mut pending, false);
    });
    let now = Timestamp::from_millis(1_800_000_000_000);
    let limit = Input::SetGroupLimit {
        group: "queue".into(),
        limit: 1,
    };
    pending.push(handle(&mut engine, limit, now).changes);
    let mut live: Vec<TaskId> = Vec::new();
    for (index, group) in std::iter::repeat_n("default", running)
        .chain(std::iter::repeat_n("queue", queued + 1))
        .enumerate()
    {
        let mut request = CreateTask::shell("live", ["sleep", "3600"]);
        request.group = Some(group.to_owned());
        request.key = Some(format!("live-{index}"));
        let step = handle(&mut engine, Input::Create(request), now);
        if let Reply::Created { task, .. } = &step.reply
            && !step.actions.is_empty()
        {
            live.push(task.id);
        }
        pending.push(step.changes);
        steps += 1;
    }
    for (pid, id) in (50_000..).zip(live) {
        pending.push(handle(&mut engine, Input::ProcessStarted { id, pid }, now).changes);
        steps += 1;
    }
    flush(&mut pending, true);
    let built = building.elapsed();
    let expected = engine.len();
    let events = engine.sequences().next_event - 1;
    drop(engine);
    runtime.block_on(store.close());
    let size: u64 = ["", "-wal"]
        .iter()
        .filter_map(|suffix| {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            std::fs::metadata(name).ok().map(|m| m.len())
        })
        .sum();
    println!(
        "built in {:.1} s ({steps} steps in batches of 4096, {:.0} transitions/s); \
         {expected} tasks, {events} events, {:.0} MiB on disk",
        built.as_secs_f64(),
        per_second(steps, built),
        size as f64 / (1024.0 * 1024.0),
    );

    println!(
        "{:<10} {:>10} {:>10} {:>12} {:>10}",
        "round", "open ms", "load ms", "restore ms", "total ms"
    );
    let mut totals = Vec::new();
    for round in 1..=ROUNDS {
        let started = Instant::now();
        let store = runtime.block_on(async {
            match SqliteStore::open(&path).await {
                Ok(store) => store,
                Err(error) => panic!("cannot reopen: {error}"),
            }
        });
        let opened = started.elapsed();
        let snapshot = match runtime.block_on(store.load()) {
            Ok(snapshot) => snapshot,
            Err(error) => panic!("load failed: {error}"),
        };
        let loaded = started.elapsed();
        let engine = match Engine::restore(Config::default(), snapshot) {
            Ok(engine) => engine,
            Err(error) => panic!("restore failed: {error}"),
        };
        let restored = started.elapsed();
        assert_eq!(engine.len(), expected, "the restored engine lost tasks");
        println!(
            "{round:<10} {:>10.0} {:>10.0} {:>12.0} {:>10.0}",
            opened.as_secs_f64() * 1e3,
            (loaded - opened).as_secs_f64() * 1e3,
            (restored - loaded).as_secs_f64() * 1e3,
            restored.as_secs_f64() * 1e3,
        );
        totals.push(restored);
        drop(engine);
        runtime.block_on(store.close());
    }
    totals.sort();
    println!(
        "recovery (open + load + restore): best {:.0} ms, median {:.0} ms",
        totals[0].as_secs_f64() * 1e3,
        totals[totals.len() / 2].as_secs_f64() * 1e3
    );
}
