// The client against real daemons.
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { Client, Conflict, DaemonUnreachable, Expired, InvalidArgument, NotFound } from "../dist/index.js";
import { alive, eventually, newHome, tendBin } from "./support.mjs";

async function started(t) {
  const client = new Client({ home: newHome(t), tendBin, autostart: true });
  await client.startDaemon();
  return client;
}

test("shell output is followed live", async (t) => {
  const client = await started(t);
  const { created, task } = await client.createShell("ts", "for i in 1 2 3; do echo line$i; sleep 0.3; done");
  assert.equal(created, true);
  assert.equal(task.kind, "shell");
  const reads = [];
  for await (const read of client.follow(task.id)) reads.push(read);
  assert.equal(reads.map((r) => r.data).join(""), "line1\nline2\nline3\n");
  assert.ok(reads.length >= 2, JSON.stringify(reads));
  assert.equal(reads[0].state, "running");
  assert.equal((await client.get(task.id)).state, "completed");
  const raw = await client.outputRaw(task.id);
  assert.equal(raw.data.toString(), "line1\nline2\nline3\n");
  assert.equal(raw.eof, true);
  assert.equal(raw.nextCursor, 18);
});

test("argv tasks and wait", async (t) => {
  const client = await started(t);
  const first = (await client.createCommand("ts", ["sh", "-c", "exit 3"])).task;
  const second = (await client.createShell("ts", "sleep 0.2")).task;
  const result = await client.wait({ ids: [first.id, second.id], timeout_ms: 20_000 });
  assert.equal(result.done, true);
  const byId = Object.fromEntries(result.tasks.map((r) => [r.id, [r.state, r.exit_code]]));
  assert.deepEqual(byId, { [first.id]: ["failed", 3], [second.id]: ["completed", 0] });
});

test("an external task reports progress and completes", async (t) => {
  const client = await started(t);
  const { task } = await client.createExternal("ts", "review the diff", { child_session: "child-1" });
  assert.equal(task.kind, "subagent");
  assert.equal(task.state, "running");
  assert.equal((await client.progress(task.id, "half way", "waiting")).state, "waiting");
  assert.equal((await client.wait({ ids: [task.id], timeout_ms: 50 })).done, false);
  const done = await client.complete(task.id, "completed", "no findings");
  assert.equal(done.state, "completed");
  assert.equal(done.summary, "no findings");
  await assert.rejects(client.complete(task.id, "failed"), Conflict);
});

test("a subagent learns that a stop was requested and reports it cancelled", async (t) => {
  const client = await started(t);
  const { task } = await client.createExternal("ts", "long subagent");
  const requested = client.stopRequested(task.id);
  const stopping = client.stop(task.id, 20_000); // answers once the task is terminal
  const seen = await requested;
  assert.equal(seen.state, "cancel_requested");
  const done = await client.complete(task.id, "cancelled", "aborted on request");
  assert.equal(done.state, "cancelled");
  const stopped = await stopping;
  assert.equal(stopped.state, "cancelled");
  assert.equal(stopped.summary, "aborted on request");
});

test("stop ends the process", async (t) => {
  const client = await started(t);
  const { task } = await client.createShell("ts", "echo started; exec sleep 100");
  await eventually(async () => (await client.output(task.id, { wait_ms: 1000 })).data);
  const { pid } = await client.get(task.id);
  assert.ok(pid && alive(pid));
  const stopped = await client.stop(task.id, 2000);
  assert.equal(stopped.state, "cancelled");
  await eventually(() => !alive(pid));
});

test("events resume after a gap", async (t) => {
  const client = await started(t);
  const first = (await client.createShell("gap", "true")).task;
  await client.wait({ ids: [first.id], timeout_ms: 20_000 });
  const seen = [];
  for await (const event of client.followEvents({ session: "gap", waitMs: 1000 })) {
    seen.push(event);
    if (event.type === "finished") break;
  }
  assert.equal(seen[0].type, "registered");
  const last = seen.at(-1).seq;
  const second = (await client.createShell("gap", "true")).task;
  await client.wait({ ids: [second.id], timeout_ms: 20_000 });
  const resumed = [];
  for await (const event of client.followEvents({ after: last, session: "gap", waitMs: 1000 })) {
    resumed.push(event);
    if (event.type === "finished") break;
  }
  assert.deepEqual([...new Set(resumed.map((e) => e.task_id))], [second.id]);
  assert.equal(resumed[0].type, "registered");
  assert.ok(resumed[0].seq > last);
});

test("notifications are acknowledged", async (t) => {
  const client = await started(t);
  const { task } = await client.createShell("notes", "exit 0");
  await client.wait({ ids: [task.id], timeout_ms: 20_000 });
  const notes = await eventually(async () => {
    const list = await client.notifications("notes", 1000);
    return list.length ? list : undefined;
  });
  const finished = notes.filter((n) => n.kind === "task_finished");
  assert.equal(finished[0].task_id, task.id);
  assert.equal(finished[0].state, "completed");
  await client.ack("notes", notes.map((n) => n.id));
  assert.deepEqual(await client.notifications("notes"), []);
});

test("errors are typed", async (t) => {
  const client = await started(t);
  const missing = await client.get("t999999").catch((e) => e);
  assert.ok(missing instanceof NotFound);
  assert.equal(missing.code, "not_found");
  assert.equal(missing.status, 404);
  const { task } = await client.createShell("errors", "sleep 100");
  await assert.rejects(client.remove(task.id), (e) => e instanceof Conflict && e.status === 409);
  await client.stop(task.id, 100);
  await client.remove(task.id);
  await assert.rejects(client.get(task.id), (e) => e instanceof Expired && e.code === "expired" && e.status === 410);
  await assert.rejects(client.create({ session: "errors" }), InvalidArgument);
});

test("a daemon is started when none runs", async (t) => {
  const home = newHome(t, { create: false });
  assert.equal(existsSync(home), false);
  const client = new Client({ home, tendBin, autostart: true });
  const { task } = await client.createShell("auto", "echo up");
  assert.equal((await client.wait({ ids: [task.id], timeout_ms: 20_000 })).done, true);
  assert.equal((await client.health()).ok, true);
  assert.ok(existsSync(join(home, "tend.sock")));
  assert.equal(statSync(home).mode & 0o077, 0, "the home is private");
});

test("without autostart no daemon is an error", async (t) => {
  const home = newHome(t);
  const client = new Client({ home, tendBin, autostart: false });
  await assert.rejects(client.health(), DaemonUnreachable);
  assert.equal(existsSync(join(home, "tend.sock")), false);
});
