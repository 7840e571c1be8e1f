/**
 * tend-client: the client of tend's daemon for TypeScript and JavaScript harnesses (Node 20+).
 *
 * {@link Client} has one method per route of the HTTP API, over the home's unix socket, async
 * iterators that follow output and events, and starts a daemon when none runs. The types come
 * from the daemon's OpenAPI document (`src/schema.ts`, generated at build time). Nothing but
 * Node's standard library is used at run time.
 */

import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { request } from "node:http";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

import type { components, operations } from "./schema.js";

type Schemas = components["schemas"];
export type Task = Schemas["Task"];
export type State = Schemas["State"];
export type Kind = Schemas["Kind"];
export type FinalState = Schemas["FinalState"];
export type OutputRead = Schemas["OutputRead"];
export type Created = Schemas["CreateTaskResponse"];
export type CreateTaskParams = Schemas["CreateTaskParams"];
export type WaitResult = Schemas["WaitResponse"];
export type Event = Schemas["Event"];
export type EventsPage = Schemas["EventsResponse"];
export type Notification = Schemas["Notification"];
export type Health = Schemas["HealthResponse"];
export type GroupStatus = Schemas["GroupStatus"];
export type ErrorCode = Schemas["ApiErrorCode"];
export type OutputQuery = NonNullable<operations["readOutput"]["parameters"]["query"]>;
export type EventsQuery = NonNullable<operations["events"]["parameters"]["query"]>;
export type ListQuery = NonNullable<operations["listTasks"]["parameters"]["query"]>;

/** The terminal states. */
export const TERMINAL: ReadonlySet<State> = new Set<State>(["completed", "failed", "cancelled"]);

/** Any error of the client. */
export class TendError extends Error {
  override name = "TendError";
}

/** The daemon answered with an error body `{"error": {"code", "message"}}`. */
export class ApiError extends TendError {
  override name = "ApiError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
  ) {
    super(`${code}: ${message}`);
  }
}
/** `not_found` (404): the id was never issued. */
export class NotFound extends ApiError {
  override name = "NotFound";
}
/** `expired` (410): the record or the events are no longer retained. */
export class Expired extends ApiError {
  override name = "Expired";
}
/** `invalid_argument` (400, 408, 413). */
export class InvalidArgument extends ApiError {
  override name = "InvalidArgument";
}
/** `conflict` (409): the request conflicts with the task's state. */
export class Conflict extends ApiError {
  override name = "Conflict";
}
/** `unavailable` (503): shutting down, the store does not commit, or a limit is reached. */
export class Unavailable extends ApiError {
  override name = "Unavailable";
}
/** `internal` (500). */
export class Internal extends ApiError {
  override name = "Internal";
}
/** No daemon answers on the home's socket (and none could be started). */
export class DaemonUnreachable extends TendError {
  override name = "DaemonUnreachable";
}

const BY_CODE: Record<ErrorCode, typeof ApiError> = {
  not_found: NotFound,
  expired: Expired,
  invalid_argument: InvalidArgument,
  conflict: Conflict,
  unavailable: Unavailable,
  internal: Internal,
};

function apiError(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { error?: { code?: ErrorCode; message?: string } };
    const code = body.error?.code;
    if (code && code in BY_CODE) return new BY_CODE[code](code, body.error?.message ?? "", status);
  } catch {
    // not JSON: below
  }
  return new Internal("internal", `unexpected answer with status ${status}`, status);
}

/** Options of a {@link Client}. */
export interface ClientOptions {
  /** The home; default `TEND_HOME`, else `$XDG_STATE_HOME/tend`, else `~/.local/state/tend`. */
  home?: string;
  /** Start a daemon when none answers (default: unless `TEND_NO_AUTOSTART` is set). */
  autostart?: boolean;
  /** The `tend` binary that starts daemons (default `TEND_BIN`, else `tend` on PATH). */
  tendBin?: string;
  /** Milliseconds a request may take on top of the time it asks the daemon to wait (30 000). */
  timeoutMs?: number;
}

/** A raw output read: the bytes, and the numbers the daemon sent in `X-Tend-*` headers. */
export interface RawOutput {
  data: Buffer;
  cursor: number;
  nextCursor: number;
  totalBytes: number;
  droppedBytes: number;
  truncated: boolean;
  eof: boolean;
  state: string;
}

/** The home `tend` itself would use. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TEND_HOME) return resolve(env.TEND_HOME);
  if (env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)) return join(env.XDG_STATE_HOME, "tend");
  const home = env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir();
  return join(home, ".local/state/tend");
}

interface Op {
  method: string;
  path: string;
  query?: Record<string, unknown>;
  body?: unknown;
  waitMs?: number;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const FOLLOW_WAIT_MS = 10_000;
const START_TIMEOUT_MS = 5_000;

const seg = encodeURIComponent;

function queryString(query: Record<string, unknown> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

function clean<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * A client of the daemon of one home. Every method sends one request (the followers one per
 * poll); errors of the API reject with {@link ApiError} subclasses, one per error code.
 */
export class Client {
  readonly home: string;
  readonly socketPath: string;
  readonly autostart: boolean;
  readonly timeoutMs: number;
  private readonly tendBin: string;
  private starting: Promise<Health> | undefined;

  constructor(options: ClientOptions = {}) {
    this.home = options.home ? resolve(options.home) : resolveHome();
    this.socketPath = join(this.home, "tend.sock");
    this.autostart = options.autostart ?? !process.env.TEND_NO_AUTOSTART;
    this.tendBin = options.tendBin ?? process.env.TEND_BIN ?? "tend";
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  // -- transport -----------------------------------------------------------------------------

  private once(op: Op): Promise<Answer> {
    const timeout = this.timeoutMs + (op.waitMs ?? 0);
    return new Promise((resolvePromise, reject) => {
      const body = op.body === undefined ? undefined : JSON.stringify(op.body);
      const req = request(
        {
          socketPath: this.socketPath,
          method: op.method,
          path: op.path + queryString(op.query),
          headers: body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            clearTimeout(timer);
            resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
          });
          res.on("error", reject);
        },
      );
      const timer = setTimeout(() => req.destroy(new TendError(`no answer to ${op.method} ${op.path} in ${timeout} ms`)), timeout);
      req.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end(body);
    });
  }

  private async send(op: Op): Promise<Answer> {
    let answer: Answer;
    try {
      answer = await this.once(op);
    } catch (error) {
      if (!unreachable(error)) throw error;
      if (!this.autostart) throw new DaemonUnreachable(`no daemon answers on ${this.socketPath}: ${(error as Error).message}`);
      await this.startDaemon();
      answer = await this.once(op);
    }
    if (answer.status >= 400) throw apiError(answer.status, answer.body.toString());
    return answer;
  }

  private async json<T>(op: Op): Promise<T> {
    const answer = await this.send(op);
    return (answer.status === 204 ? undefined : JSON.parse(answer.body.toString())) as T;
  }

  private async probe(): Promise<Health | undefined> {
    try {
      const answer = await this.once({ method: "GET", path: "/v1/health" });
      return answer.status === 200 ? (JSON.parse(answer.body.toString()) as Health) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Starts a daemon for the home (`tend daemon`, detached) unless one answers; resolves
   * with its health once it answers (within 5 s). */
  startDaemon(): Promise<Health> {
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<Health> {
    const running = await this.probe();
    if (running) return running;
    mkdirSync(this.home, { recursive: true, mode: 0o700 });
    const log = openSync(join(this.home, "daemon.log"), "a", 0o600);
    try {
      const child = spawn(this.tendBin, ["daemon"], {
        cwd: "/",
        env: { ...process.env, TEND_HOME: this.home },
        detached: true,
        stdio: ["ignore", "ignore", log],
      });
      child.on("error", () => {});
      child.unref();
    } finally {
      closeSync(log);
    }
    const deadline = Date.now() + START_TIMEOUT_MS;
    let pause = 5;
    while (Date.now() < deadline) {
      const health = await this.probe();
      if (health) return health;
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 100);
    }
    throw new DaemonUnreachable(`the daemon started for ${this.home} (${this.tendBin}) did not answer; see ${join(this.home, "daemon.log")}`);
  }

  // -- tasks ---------------------------------------------------------------------------------

  /** `POST /v1/tasks` with any fields of `CreateTaskParams`. */
  create(params: CreateTaskParams): Promise<Created> {
    return this.json({ method: "POST", path: "/v1/tasks", body: clean(params), waitMs: params.yield_ms ?? 0 });
  }

  /** Runs a shell command line (`sh -c`) as a task of `session`. */
  createShell(session: string, shell: string, fields: Partial<CreateTaskParams> = {}): Promise<Created> {
    return this.create({ ...fields, session, shell });
  }

  /** Runs an argv as a task of `session`. */
  createCommand(session: string, command: string[], fields: Partial<CreateTaskParams> = {}): Promise<Created> {
    return this.create({ ...fields, session, command });
  }

  /** Registers work done elsewhere (a subagent): it runs until {@link complete}. */
  createExternal(session: string, name: string, fields: Partial<CreateTaskParams> = {}): Promise<Created> {
    return this.create({ kind: "subagent", ...fields, session, name });
  }

  get(id: string): Promise<Task> {
    return this.json({ method: "GET", path: `/v1/tasks/${seg(id)}` });
  }

  async list(query: ListQuery = {}): Promise<Task[]> {
    return (await this.json<{ tasks: Task[] }>({ method: "GET", path: "/v1/tasks", query })).tasks;
  }

  async remove(id: string): Promise<void> {
    await this.send({ method: "DELETE", path: `/v1/tasks/${seg(id)}` });
  }

  /** One read of a task's output (`cursor`, `max_bytes`, `tail_lines`, `grep`, `wait_ms`, `stream`). */
  output(id: string, query: Omit<OutputQuery, "format"> = {}): Promise<OutputRead> {
    return this.json({ method: "GET", path: `/v1/tasks/${seg(id)}/output`, query, waitMs: query.wait_ms ?? 0 });
  }

  /** One read of the bytes as written (`format=raw`). */
  async outputRaw(id: string, query: Omit<OutputQuery, "format"> = {}): Promise<RawOutput> {
    const answer = await this.send({
      method: "GET",
      path: `/v1/tasks/${seg(id)}/output`,
      query: { ...query, format: "raw" },
      waitMs: query.wait_ms ?? 0,
    });
    const header = (name: string) => String(answer.headers[`x-tend-${name}`] ?? "");
    return {
      data: answer.body,
      cursor: Number(header("cursor")),
      nextCursor: Number(header("next-cursor")),
      totalBytes: Number(header("total-bytes")),
      droppedBytes: Number(header("dropped-bytes")),
      truncated: header("truncated") === "true",
      eof: header("eof") === "true",
      state: header("state"),
    };
  }

  /** Yields each read with new output as it is written, until the task ended and all of it
   * was read. */
  async *follow(id: string, query: Omit<OutputQuery, "format" | "wait_ms"> & { waitMs?: number } = {}): AsyncGenerator<OutputRead> {
    const { waitMs = FOLLOW_WAIT_MS, ...rest } = query;
    let cursor = rest.cursor ?? 0;
    for (;;) {
      const read = await this.output(id, { ...rest, cursor, wait_ms: waitMs });
      if (read.data) yield read;
      cursor = read.next_cursor;
      if (read.eof) return;
    }
  }

  /** Stops a task; resolves with its terminal record. */
  stop(id: string, graceMs?: number): Promise<Task> {
    return this.json({ method: "POST", path: `/v1/tasks/${seg(id)}/stop`, body: clean({ grace_ms: graceMs }), waitMs: (graceMs ?? 0) + 30_000 });
  }

  async writeStdin(id: string, data: string, eof = false): Promise<void> {
    await this.send({ method: "POST", path: `/v1/tasks/${seg(id)}/stdin`, body: { data, eof } });
  }

  /** An external task reports progress (`state`: `running` or `waiting`). */
  progress(id: string, message?: string, state?: Schemas["ProgressState"]): Promise<Task> {
    return this.json({ method: "POST", path: `/v1/tasks/${seg(id)}/progress`, body: clean({ message, state }) });
  }

  /** An external task reports its outcome. */
  complete(id: string, state: FinalState = "completed", summary?: string): Promise<Task> {
    return this.json({ method: "POST", path: `/v1/tasks/${seg(id)}/complete`, body: clean({ state, summary }) });
  }

  transfer(id: string, session: string): Promise<Task> {
    return this.json({ method: "POST", path: `/v1/tasks/${seg(id)}/transfer`, body: { session } });
  }

  /** Waits for tasks to end; `done` is false when `timeout_ms` passed first. */
  wait(params: Schemas["WaitParams"]): Promise<WaitResult> {
    return this.json({ method: "POST", path: "/v1/wait", body: clean(params), waitMs: params.timeout_ms ?? 0 });
  }

  // -- events and notifications --------------------------------------------------------------

  /** A page of events (`after`, `session`, `task`, `wait_ms`). */
  events(query: EventsQuery = {}): Promise<EventsPage> {
    return this.json({ method: "GET", path: "/v1/events", query, waitMs: query.wait_ms ?? 0 });
  }

  /** Yields events after `after` as they happen, forever (break out of the loop to stop).
   * Resume with `after` set to the `seq` of the last event seen: no gap, no duplicate. */
  async *followEvents(query: Omit<EventsQuery, "wait_ms"> & { waitMs?: number } = {}): AsyncGenerator<Event> {
    const { waitMs = FOLLOW_WAIT_MS, ...rest } = query;
    let after = rest.after ?? 0;
    for (;;) {
      const page = await this.events({ ...rest, after, wait_ms: waitMs });
      yield* page.events;
      after = page.next_after;
    }
  }

  /** Resolves once a stop of the task was requested (by `tend stop`, its parent, its
   * session's close or a shutdown) or it ended, with its record then. A harness running a
   * subagent as an external task awaits it to learn when to abort the subagent, then reports
   * the outcome with {@link complete} (`cancelled`). */
  async stopRequested(id: string, options: { signal?: AbortSignal } = {}): Promise<Task> {
    for await (const event of this.followEvents({ task: id, waitMs: 5_000 })) {
      if (options.signal?.aborted) throw options.signal.reason;
      const stopping = (event.type === "state_changed" && event.to === "cancel_requested") || event.type === "finished" || event.type === "removed";
      if (stopping) return this.get(id);
    }
    throw new TendError("the event stream ended");
  }

  async notifications(session: string, waitMs?: number): Promise<Notification[]> {
    const path = `/v1/sessions/${seg(session)}/notifications`;
    return (await this.json<{ notifications: Notification[] }>({ method: "GET", path, query: { wait_ms: waitMs }, waitMs: waitMs ?? 0 })).notifications;
  }

  async ack(session: string, ids: string[]): Promise<void> {
    await this.send({ method: "POST", path: `/v1/sessions/${seg(session)}/notifications/ack`, body: { ids } });
  }

  async closeSession(session: string, successor?: string): Promise<Task[]> {
    return (await this.json<{ tasks: Task[] }>({ method: "POST", path: `/v1/sessions/${seg(session)}/close`, body: clean({ successor }) })).tasks;
  }

  // -- groups and the daemon -----------------------------------------------------------------

  async groups(): Promise<GroupStatus[]> {
    return (await this.json<{ groups: GroupStatus[] }>({ method: "GET", path: "/v1/groups" })).groups;
  }

  setGroupLimit(name: string, limit: number): Promise<GroupStatus> {
    return this.json({ method: "PUT", path: `/v1/groups/${seg(name)}`, body: { limit } });
  }

  health(): Promise<Health> {
    return this.json({ method: "GET", path: "/v1/health" });
  }

  /** Stops the daemon (never starts one); with `killTasks` its live shell tasks too. */
  async stopDaemon(killTasks = false, graceMs?: number): Promise<Schemas["DaemonStopResponse"]> {
    const answer = await this.once({ method: "POST", path: "/v1/daemon/stop", body: clean({ kill_tasks: killTasks, grace_ms: graceMs }), waitMs: (graceMs ?? 0) + 30_000 }).catch((error) => {
      throw unreachable(error) ? new DaemonUnreachable(`no daemon answers on ${this.socketPath}`) : error;
    });
    if (answer.status >= 400) throw apiError(answer.status, answer.body.toString());
    return JSON.parse(answer.body.toString());
  }
}

function unreachable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ECONNREFUSED";
}
