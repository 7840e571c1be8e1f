// Writes tend's OpenAPI document to the file named by the first argument, as the daemon of
// this build serves it: a daemon of `$TEND_BIN` (else `tend` on PATH) is started in a
// temporary home, asked for GET /v1/openapi.json and stopped.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

const out = process.argv[2] ?? "openapi.json";
const tend = process.env.TEND_BIN || "tend";
const dir = mkdtempSync(join(tmpdir(), "tend-openapi-"));
const home = join(dir, "home");
mkdirSync(home, { mode: 0o700 });
const socketPath = join(home, "tend.sock");

function call(method, path) {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { "content-type": "application/json" } }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(method === "POST" ? "{}" : undefined);
  });
}

const daemon = spawn(tend, ["daemon"], { env: { ...process.env, TEND_HOME: home }, stdio: ["ignore", "ignore", "inherit"] });
const exited = new Promise((resolve) => daemon.on("exit", resolve));
daemon.on("error", (error) => {
  console.error(`cannot run ${tend}: ${error.message} (set TEND_BIN)`);
  process.exit(1);
});
try {
  const deadline = Date.now() + 20_000;
  let document;
  while (!document) {
    try {
      const answer = await call("GET", "/v1/openapi.json");
      if (answer.status === 200) document = answer.body;
    } catch {
      if (Date.now() > deadline) throw new Error(`the daemon of ${home} did not answer`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  JSON.parse(document);
  writeFileSync(out, document);
  await call("POST", "/v1/daemon/stop");
  await exited;
} finally {
  daemon.kill();
  rmSync(dir, { recursive: true, force: true });
}
