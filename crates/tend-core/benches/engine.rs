//! Benchmarks of the lifecycle engine: full lifecycles (create, start, exit, ack) in engine
//! inputs per second, and `get` / `list` by session on tables of 1,000 and 100,000 tasks.
//!
//! Run with `cargo bench -p tend-core`. The `item/s` column of the lifecycle benchmarks counts
//! engine inputs. The query benchmarks use 10 tasks per session in both tables (100 sessions and
//! 10,000 sessions): the `_hot` variants ask for the same id or session every time and show that
//! the work does not grow with the number of other sessions; the others cycle through the whole
//! table, so on the large table they also pay the cache misses of a table bigger than the caches.

use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::ItemsCount;
use tend_core::{
    Config, CreateTask, Engine, ExitOutcome, Input, ListFilter, Reply, TaskId, Timestamp,
};

fn main() {
    divan::main();
}

const T0: i64 = 1_800_000_000_000;
/// Create, process started, process exited, ack.
const INPUTS_PER_LIFECYCLE: usize = 4;
/// Tasks per session in the query tables.
const TASKS_PER_SESSION: usize = 10;

/// The id of the task a create step made.
fn created_id(step: tend_core::Step) -> TaskId {
    let Reply::Created { task, .. } = step.reply else {
        unreachable!()
    };
    task.id
}

/// One full lifecycle of a shell task, as the runtime would drive it.
fn lifecycle(engine: &mut Engine, session: &str, pid: u32, now: Timestamp) {
    // Like the runtime, answer the caller, commit, act, and let go of the step.
    let id = created_id(
        engine
            .handle(Input::Create(CreateTask::shell(session, ["make"])), now)
            .unwrap(),
    );
    engine
        .handle(Input::ProcessStarted { id, pid }, now)
        .unwrap();
    let outcome = ExitOutcome::Exited(0);
    let step = engine
        .handle(Input::ProcessExited { id, outcome }, now)
        .unwrap();
    let ids = step.changes.notifications.iter().map(|n| n.id).collect();
    engine
        .handle(
            Input::Ack {
                session: session.to_owned(),
                ids,
            },
            now,
        )
        .unwrap();
}

/// Lifecycles in batches of `n` on a fresh engine.
#[divan::bench(args = [1_000], sample_count = 200)]
fn lifecycles_fresh_engine(bencher: Bencher, n: usize) {
    bencher
        .counter(ItemsCount::new(n * INPUTS_PER_LIFECYCLE))
        .with_inputs(|| Engine::new(Config::default()))
        .bench_local_values(|mut engine| {
            let mut now = Timestamp::from_millis(T0);
            for i in 0..n {
                now = now.plus_ms(1);
                lifecycle(&mut engine, "bench", i as u32, now);
            }
            engine
        });
}

/// One lifecycle at a time on an engine that already holds 100,000 tasks in 10,000 sessions.
#[divan::bench(sample_count = 100, sample_size = 100)]
fn lifecycle_busy_engine(bencher: Bencher) {
    let (mut engine, _) = build_table(10_000);
    let mut now = Timestamp::from_millis(T0 + 1_000_000);
    let mut pid = 0;
    bencher
        .counter(ItemsCount::new(INPUTS_PER_LIFECYCLE))
        .bench_local(|| {
            now = now.plus_ms(1);
            pid += 1;
            lifecycle(&mut engine, "bench", pid, now);
        });
}

/// A table of `sessions * 10` tasks: per session 6 completed (notifications unacknowledged)
/// and 4 running.
struct Table {
    engine: Engine,
    ids: Vec<TaskId>,
    filters: Vec<ListFilter>,
}

fn build_table(sessions: usize) -> (Engine, Vec<TaskId>) {
    let mut engine = Engine::new(Config::default());
    let now = Timestamp::from_millis(T0);
    let mut ids = Vec::with_capacity(sessions * TASKS_PER_SESSION);
    for round in 0..TASKS_PER_SESSION {
        for s in 0..sessions {
            let session = format!("session-{s}");
            let step = engine
                .handle(Input::Create(CreateTask::shell(session, ["make"])), now)
                .unwrap();
            let Reply::Created { task, .. } = step.reply else {
                unreachable!()
            };
            let id = task.id;
            engine
                .handle(Input::ProcessStarted { id, pid: 1 }, now)
                .unwrap();
            if round < 6 {
                let outcome = ExitOutcome::Exited(i32::from(round == 5));
                engine
                    .handle(Input::ProcessExited { id, outcome }, now)
                    .unwrap();
            }
            ids.push(id);
        }
    }
    (engine, ids)
}

fn table(sessions: usize) -> Table {
    let (engine, ids) = build_table(sessions);
    let filters = (0..sessions)
        .map(|s| ListFilter {
            session: Some(format!("session-{s}")),
            ..ListFilter::default()
        })
        .collect();
    Table {
        engine,
        ids,
        filters,
    }
}

static SMALL: LazyLock<Table> = LazyLock::new(|| table(100));
static LARGE: LazyLock<Table> = LazyLock::new(|| table(10_000));

/// The table with `sessions` sessions: 100 (1,000 tasks) or 10,000 (100,000 tasks).
fn table_of(sessions: usize) -> &'static Table {
    if sessions == 100 { &SMALL } else { &LARGE }
}

/// `get` of one id, cycling through every id of the table.
#[divan::bench(args = [100, 10_000], sample_size = 1_000)]
fn get(bencher: Bencher, sessions: usize) {
    let table = table_of(sessions);
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 7919) % table.ids.len();
        divan::black_box(table.engine.get(divan::black_box(table.ids[i])))
            .unwrap()
            .state
    });
}

/// `list` of one session's 10 tasks, cycling through every session of the table.
#[divan::bench(args = [100, 10_000], sample_size = 1_000)]
fn list_by_session(bencher: Bencher, sessions: usize) {
    let table = table_of(sessions);
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 7919) % table.filters.len();
        let tasks = table.engine.list(divan::black_box(&table.filters[i]));
        assert_eq!(tasks.len(), TASKS_PER_SESSION);
        tasks.len()
    });
}

/// `list` of one session's live tasks only.
#[divan::bench(args = [100, 10_000], sample_size = 1_000)]
fn list_active_by_session(bencher: Bencher, sessions: usize) {
    let table = table_of(sessions);
    let filters: Vec<ListFilter> = table
        .filters
        .iter()
        .map(|f| ListFilter {
            active: true,
            ..f.clone()
        })
        .collect();
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 7919) % filters.len();
        table.engine.list(divan::black_box(&filters[i])).len()
    });
}

/// `get` of the same id every time: the cost without cache misses.
#[divan::bench(args = [100, 10_000], sample_size = 1_000)]
fn get_hot(bencher: Bencher, sessions: usize) {
    let table = table_of(sessions);
    let id = table.ids[table.ids.len() / 2];
    bencher.bench_local(|| divan::black_box(table.engine.get(divan::black_box(id))).is_ok());
}

/// `list` of the same session every time: the cost without cache misses.
#[divan::bench(args = [100, 10_000], sample_size = 1_000)]
fn list_by_session_hot(bencher: Bencher, sessions: usize) {
    let table = table_of(sessions);
    let filter = &table.filters[table.filters.len() / 2];
    bencher.bench_local(|| table.engine.list(divan::black_box(filter)).len());
}
