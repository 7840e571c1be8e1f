//! Store failures are fail-stop: a store that refuses commits at random (seeded, the seed is
//! printed; `TEND_FAULT_SEED` replays one) under random requests, process exits and restarts.
//! After every step, what clients were told successfully is exactly what the database holds.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tend_core::{
    Changes, Event, EventFilter, ListFilter, Notification, NotificationId, Seq, Snapshot, Task,
    TaskId,
};
use tend_host::{Home, Host, HostError, Settings};
use tend_store::{SqliteStore, Store, StoreError};

use crate::support::*;

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        if items.is_empty() {
            None
        } else {
            Some(items[self.below(items.len() as u64) as usize])
        }
    }
}

/// What the faulty stores of one test share: the generator and the counters.
struct Faults {
    rng: Mutex<Rng>,
    /// Commits still to refuse in the current burst.
    burst: AtomicU64,
    enabled: AtomicBool,
    injected: AtomicU64,
    commits: AtomicU64,
}

/// The real store, with commits refused at random, in bursts: a short burst is absorbed by the
/// runtime's retries, a longer one fails a batch and then the rebuilds that follow it. A refused
/// commit never reaches the database, as the `Store` contract requires.
struct FaultyStore {
    inner: Arc<SqliteStore>,
    faults: Arc<Faults>,
}

impl Store for FaultyStore {
    async fn commit(&self, batch: &[Changes]) -> Result<(), StoreError> {
        self.faults.commits.fetch_add(1, Ordering::Relaxed);
        if self.faults.enabled.load(Ordering::Relaxed) {
            let refuse = if self.faults.burst.load(Ordering::Relaxed) > 0 {
                self.faults.burst.fetch_sub(1, Ordering::Relaxed);
                true
            } else {
                let mut rng = self.faults.rng.lock().unwrap();
                if rng.chance(4) {
                    // 1..=7 refusals: up to 3 are absorbed by retries, 4 fail a batch, more
                    // fail the rebuilds after it too.
                    self.faults.burst.store(rng.below(7), Ordering::Relaxed);
                    true
                } else {
                    false
                }
            };
            if refuse {
                self.faults.injected.fetch_add(1, Ordering::Relaxed);
                return Err(StoreError::Query {
                    operation: "commit a transaction",
                    message: "injected fault: database or disk is full".into(),
                });
            }
        }
        self.inner.commit(batch).await
    }

    async fn load(&self) -> Result<Snapshot, StoreError> {
        self.inner.load().await
    }
}

/// What clients were told.
#[derive(Default)]
struct Told {
    /// The last record each task was told with.
    tasks: BTreeMap<TaskId, Task>,
    removed: BTreeSet<TaskId>,
    events: BTreeMap<Seq, Event>,
    notifications: BTreeMap<NotificationId, Notification>,
    acked: BTreeSet<NotificationId>,
    refused: u64,
    refused_creates: u64,
}

impl Told {
    fn task(&mut self, task: &Task) {
        assert!(
            self.tasks.contains_key(&task.id),
            "a client was shown {} ({:?}) that no create was told",
            task.id,
            task.state
        );
        assert!(
            !self.removed.contains(&task.id),
            "a client was shown {} after its removal was told",
            task.id
        );
        self.tasks.insert(task.id, task.clone());
    }

    /// Whether `result` is an answer a client may get: success, a refusal by the engine, or
    /// `unavailable` because the store does not commit. Counts the refusals.
    fn allowed<T>(&mut self, what: &str, result: Result<T, HostError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(HostError::StoreUnavailable(message)) => {
                assert!(
                    message.contains("injected fault"),
                    "{what}: unexpected message {message}"
                );
                self.refused += 1;
                None
            }
            Err(HostError::Engine(_)) => None,
            Err(other) => panic!("{what}: answered {other} (code {})", other.code()),
        }
    }
}

/// The static fields of a record: what never changes after creation.
fn identity(task: &Task) -> impl PartialEq + std::fmt::Debug + '_ {
    (
        task.id,
        &task.kind,
        &task.session,
        &task.key,
        &task.name,
        &task.command,
        &task.group,
        &task.max_attempts,
        task.created_at,
    )
}

/// Checks that the database holds exactly what clients were told.
fn check(told: &Told, snapshot: &Snapshot, step: usize) {
    let stored: BTreeMap<TaskId, &Task> = snapshot
        .tasks
        .iter()
        .map(|s| (s.task.id, &*s.task))
        .collect();
    for (id, task) in &stored {
        assert!(
            told.tasks.contains_key(id),
            "step {step}: {id} ({:?}) is stored but no create of it was told",
            task.state
        );
        assert!(
            !told.removed.contains(id),
            "step {step}: {id} is stored after its removal was told"
        );
    }
    for (id, task) in &told.tasks {
        if told.removed.contains(id) {
            continue;
        }
        let Some(durable) = stored.get(id) else {
            panic!(
                "step {step}: {id} was told ({:?}) but is not stored",
                task.state
            );
        };
        assert_eq!(
            identity(durable),
            identity(task),
            "step {step}: {id} is stored otherwise than told"
        );
        if task.state.is_terminal() {
            assert_eq!(
                *durable, task,
                "step {step}: {id} was told terminal and is stored otherwise"
            );
        }
    }
    let first_retained = snapshot.events.first().map_or(Seq::MAX, |e| e.seq);
    let events: BTreeMap<Seq, &Event> = snapshot.events.iter().map(|e| (e.seq, e)).collect();
    for (seq, event) in &told.events {
        match events.get(seq) {
            Some(stored) => assert_eq!(
                *stored, event,
                "step {step}: event {seq} is stored otherwise than told"
            ),
            None => assert!(
                *seq < first_retained,
                "step {step}: event {seq} was told but is not stored"
            ),
        }
    }
    let notifications: BTreeMap<NotificationId, &Notification> =
        snapshot.notifications.iter().map(|n| (n.id, n)).collect();
    for (id, notification) in &told.notifications {
        match notifications.get(id) {
            Some(stored) => {
                assert!(
                    !told.acked.contains(id),
                    "step {step}: notification {id} is stored after its ack was told"
                );
                assert_eq!(
                    *stored, notification,
                    "step {step}: notification {id} is stored otherwise than told"
                );
            }
            None => assert!(
                told.acked.contains(id)
                    || notification
                        .task_id
                        .is_some_and(|task| told.removed.contains(&task)),
                "step {step}: notification {id} was told, neither acked nor removed, and is gone"
            ),
        }
    }
}

async fn open_faulty(home: &std::path::Path, faults: &Arc<Faults>) -> (Host, Arc<SqliteStore>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let inner = Arc::new(
            SqliteStore::open(home.join("tend.db"))
                .await
                .expect("open the database"),
        );
        let store = FaultyStore {
            inner: Arc::clone(&inner),
            faults: Arc::clone(faults),
        };
        let settings = Settings {
            default_grace_ms: 200,
            ..Settings::default()
        };
        match Host::open_with_store(Home::new(home), settings, shim(), store).await {
            Ok(host) => return (host, inner),
            // The recovery's own commit may be refused: a daemon would fail to start; try again.
            Err(HostError::Storage(message)) if message.contains("injected fault") => {
                inner.close().await;
                assert!(Instant::now() < deadline, "the runtime never opened");
            }
            Err(other) => panic!("cannot open the runtime: {other}"),
        }
    }
}

const SESSIONS: [&str; 2] = ["s1", "s2"];
const SCRIPTS: [&str; 5] = [
    "true",
    "exit 3",
    "sleep 0.05",
    "sleep 0.2; echo done",
    "sleep 30",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_clients_are_told_survives_store_failures() {
    let steps: usize = std::env::var("TEND_FAULT_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000);
    let seed = std::env::var("TEND_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("store faults: seed {seed} (TEND_FAULT_SEED={seed} replays it), {steps} steps");
    let started = Instant::now();
    let mut rng = Rng(seed);
    let faults = Arc::new(Faults {
        rng: Mutex::new(Rng(seed ^ 0x5eed)),
        burst: AtomicU64::new(0),
        enabled: AtomicBool::new(true),
        injected: AtomicU64::new(0),
        commits: AtomicU64::new(0),
    });
    let home = tempfile::tempdir().unwrap();
    let (mut host, mut inner) = open_faulty(home.path(), &faults).await;
    let mut told = Told::default();
    let mut restarts = 0;
    let mut recoveries = 0;
    let mut outage_seen = false;
    let mut events_after: Seq = 0;
    for step in 0..steps {
        let roll = rng.below(100);
        if roll < 30 {
            let script = rng.pick(&SCRIPTS).unwrap();
            let mut request = sh(rng.pick(&SESSIONS).unwrap(), script);
            if rng.chance(40) {
                request.group = Some("g".into());
            }
            match told.allowed("create", host.create(request).await) {
                Some((_, task)) => {
                    told.tasks.insert(task.id, task);
                }
                None => told.refused_creates += 1,
            }
        } else if roll < 38 {
            let live: Vec<TaskId> = told
                .tasks
                .values()
                .filter(|t| !t.state.is_terminal() && !told.removed.contains(&t.id))
                .map(|t| t.id)
                .collect();
            if let Some(id) = rng.pick(&live)
                && let Some(task) = told.allowed("stop", host.stop(id, Some(100)).await)
            {
                told.task(&task);
            }
        } else if roll < 46 {
            let session = rng.pick(&SESSIONS).unwrap().to_owned();
            let shown = told.allowed(
                "notifications",
                host.notifications(session.clone(), Duration::ZERO).await,
            );
            if let Some(shown) = shown {
                for notification in &shown {
                    told.notifications
                        .insert(notification.id, notification.clone());
                }
                let ids: Vec<NotificationId> = shown
                    .iter()
                    .filter(|_| rng.chance(60))
                    .map(|n| n.id)
                    .collect();
                if told
                    .allowed("ack", host.ack(session, ids.clone()).await)
                    .is_some()
                {
                    told.acked.extend(ids);
                }
            }
        } else if roll < 54 {
            let terminal: Vec<TaskId> = told
                .tasks
                .values()
                .filter(|t| t.state.is_terminal() && !told.removed.contains(&t.id))
                .map(|t| t.id)
                .collect();
            if let Some(id) = rng.pick(&terminal)
                && told.allowed("remove", host.remove(id).await).is_some()
            {
                told.removed.insert(id);
            }
        } else if roll < 59 {
            let limit = rng.below(4) as u32;
            told.allowed(
                "set a group limit",
                host.set_group_limit("g".into(), limit).await,
            );
        } else if roll < 75 {
            if let Some(tasks) = told.allowed("list", host.list(ListFilter::default()).await) {
                for task in &tasks {
                    told.task(task);
                }
            }
        } else if roll < 90 {
            let page = host
                .events(events_after, EventFilter::default(), 200, Duration::ZERO)
                .await;
            if let Some(page) = told.allowed("events", page) {
                for event in page.events {
                    if let Some(earlier) = told.events.insert(event.seq, event.clone()) {
                        assert_eq!(
                            earlier, event,
                            "event {} was told twice otherwise",
                            event.seq
                        );
                    }
                }
                events_after = page.next_after;
            }
        } else if roll < 97 {
            // Let processes exit and the runtime catch up.
            let healthy = host.store_health().ok;
            if !healthy || rng.chance(50) {
                let deadline = Instant::now() + Duration::from_secs(30);
                while !host.store_health().ok {
                    assert!(
                        Instant::now() < deadline,
                        "the runtime did not recover: {:?}",
                        host.store_health()
                    );
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        } else {
            host.close().await;
            inner.close().await;
            (host, inner) = open_faulty(home.path(), &faults).await;
            restarts += 1;
            outage_seen = false;
        }
        let health = host.store_health();
        if !health.ok {
            assert!(health.error.is_some() && health.since.is_some());
            outage_seen = true;
        } else if outage_seen {
            recoveries += 1;
            outage_seen = false;
        }
        check(&told, &inner.load().await.expect("load"), step);
    }

    // Let the store work again, stop what still runs, and check the end state after a restart.
    faults.enabled.store(false, Ordering::Relaxed);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !host.store_health().ok {
        assert!(Instant::now() < deadline, "the runtime did not recover");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let created = told.tasks.len();
    let stopped = host
        .shutdown_tasks(Some(100))
        .await
        .expect("stop every task");
    for task in &stopped {
        assert!(task.state.is_terminal(), "{} still runs", task.id);
        told.task(task);
    }
    let shown = host.list(ListFilter::default()).await.unwrap();
    for task in &shown {
        told.task(task);
    }
    host.close().await;
    inner.close().await;
    let reopened = SqliteStore::open(home.path().join("tend.db"))
        .await
        .unwrap();
    check(&told, &reopened.load().await.unwrap(), steps);
    reopened.close().await;
    for task in told.tasks.values() {
        if let Some(pid) = task.pid {
            assert!(
                eventually(Duration::from_secs(10), || !alive(pid)),
                "process {pid} of {} was left running",
                task.id
            );
        }
    }
    eprintln!(
        "store faults: {steps} steps in {:.1} s, {} commits, {} faults injected, {} answers \
         unavailable ({} creates), {recoveries} recoveries seen, {restarts} restarts, \
         {created} tasks told, {} events told",
        started.elapsed().as_secs_f64(),
        faults.commits.load(Ordering::Relaxed),
        faults.injected.load(Ordering::Relaxed),
        told.refused,
        told.refused_creates,
        told.events.len(),
    );
    assert!(
        told.refused > 0 && recoveries > 0,
        "the run must have seen the store fail and recover"
    );
}

/// A real full disk under a runtime: requests are refused while it is full, the runtime says so,
/// and once space is freed it recovers by itself with nothing told lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_requests_until_space_is_freed() {
    let disk = match Tmpfs::mount("16m") {
        Ok(disk) => disk,
        Err(why) => {
            eprintln!("skipped: cannot mount a tmpfs: {why}");
            return;
        }
    };
    let home = disk.path().join("home");
    let host = open(&home).await;
    let mut told: BTreeMap<TaskId, Task> = BTreeMap::new();
    for n in 0..3 {
        let (_, task) = host
            .create(sh("disk", &format!("echo before {n}")))
            .await
            .expect("create before the disk fills");
        told.insert(
            task.id,
            wait_done(&host, task.id, Duration::from_secs(30)).await,
        );
    }
    assert!(host.store_health().ok);

    let filler = disk.fill("filler");
    // SQLite may still fit a few commits into space its files already hold.
    // SQLite may still fit small commits into space its files already hold (the runtime's own
    // rebuild may then succeed): creates with long names are refused until the runtime is
    // caught saying so.
    let big = |n: usize| {
        let mut request = sh("disk", "true");
        request.name = Some(format!("while full {n} {}", "x".repeat(2000)));
        request
    };
    let (mut committed, mut refusals) = (0, 0);
    let mut failing = None;
    for n in 0..500 {
        match host.create(big(n)).await {
            Ok((_, task)) => {
                committed += 1;
                told.insert(task.id, task);
            }
            Err(refused) => {
                refusals += 1;
                assert_eq!(refused.code(), "unavailable", "{refused}");
                assert!(
                    matches!(refused, HostError::StoreUnavailable(_)),
                    "{refused}"
                );
                assert!(refused.to_string().contains("full"), "{refused}");
                let health = host.store_health();
                if !health.ok {
                    failing = Some(health);
                    break;
                }
            }
        }
    }
    eprintln!("full disk: {committed} creates committed, {refusals} refused");
    let health = failing.expect("the runtime never said the store fails on a full disk");
    assert!(
        health.error.as_deref().is_some_and(|e| e.contains("full")),
        "{health:?}"
    );
    assert!(health.since.is_some());
    let again = host
        .create(big(500))
        .await
        .expect_err("still full: refused");
    assert_eq!(again.code(), "unavailable", "{again}");
    // Reads answer the durable state, or are refused; never a task no client was told.
    if let Ok(shown) = host.list(ListFilter::default()).await {
        for task in &shown {
            assert!(told.contains_key(&task.id), "{} was never told", task.id);
        }
    }

    std::fs::remove_file(filler).unwrap();
    assert!(
        eventually(Duration::from_secs(30), || host.store_health().ok),
        "the runtime did not recover after space was freed: {:?}",
        host.store_health()
    );
    let (_, after) = host
        .create(sh("disk", "echo after"))
        .await
        .expect("a create succeeds once space is freed");
    let after = wait_done(&host, after.id, Duration::from_secs(30)).await;
    assert_eq!(after.exit_code, Some(0));
    assert_eq!(output_of(&host, after.id), b"after\n");
    told.insert(after.id, after);
    let check = |shown: &[Task], when: &str| {
        let ids: BTreeSet<TaskId> = shown.iter().map(|t| t.id).collect();
        assert_eq!(
            ids,
            told.keys().copied().collect::<BTreeSet<_>>(),
            "{when}: the tasks are not those told"
        );
        for task in shown {
            let earlier = &told[&task.id];
            if earlier.state.is_terminal() {
                assert_eq!(task, earlier, "{when}: {} changed", task.id);
            }
        }
    };
    let shown = host.list(ListFilter::default()).await.unwrap();
    check(&shown, "after recovery");
    host.close().await;

    let host = open(&home).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let shown = loop {
        let shown = host.list(ListFilter::default()).await.unwrap();
        if shown.iter().all(|t| t.state.is_terminal()) || Instant::now() > deadline {
            break shown;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    check(&shown, "after a restart");
    host.close().await;
    drop(disk);
}
