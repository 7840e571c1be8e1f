// What the tests share: the `tend` binary ($TEND_BIN, else the workspace's debug build), and
// private temporary homes whose daemons (and their tasks) are stopped after each test.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const workspace = resolve(here, "../../..");
export const tendBin =
  process.env.TEND_BIN || join(process.env.CARGO_TARGET_DIR || join(workspace, "target"), "debug", "tend");

if (!existsSync(tendBin)) throw new Error(`${tendBin} does not exist: build tend or set TEND_BIN`);

/** A new home (created unless `create` is false); its daemon is stopped by `t.after`. */
export function newHome(t, { create = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "tend-ts-"));
  const home = join(dir, "home");
  if (create) mkdirSync(home, { mode: 0o700 });
  t.after(() => {
    if (existsSync(join(home, "tend.sock"))) {
      spawnSync(tendBin, ["daemon", "stop", "--kill-tasks"], {
        env: { ...process.env, TEND_HOME: home, TEND_NO_AUTOSTART: "1" },
        stdio: "ignore",
        timeout: 60_000,
      });
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return home;
}

/** Polls `check` until it returns a truthy value, for at most `timeoutMs`. */
export async function eventually(check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("the condition did not hold in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = spawnSync("cat", [`/proc/${pid}/stat`]).stdout.toString();
    return stat.split(") ").at(-1).split(" ")[0] !== "Z";
  } catch {
    return false;
  }
}
