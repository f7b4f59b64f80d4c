/**
 * Pieces of the chaos test: a seeded random source, a supervisor that runs the real entry
 * point (`node dist/src/index.js`), SIGKILLs it and restarts it, a Teams-like client that
 * resends a card action until the bot answers, and a read-only view of the SQLite file.
 * Everything listens on and talks to 127.0.0.1 only; every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { execute } from '../helpers/activities';
import { recordChildOutput } from '../helpers/run-log';

/** mulberry32: a small seeded generator, so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One run of the bot process, from spawn to exit. */
export interface Generation {
  readonly index: number;
  readonly pid: number | undefined;
  readonly spawnedAt: number;
  readyAt?: number;
  endedAt?: number;
  /** How it ended: SIGKILLed by the killer, stopped with SIGTERM at the end, or exited by itself. */
  end?: 'killed' | 'stopped' | 'exited';
  exitCode?: number | null;
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Connector calls recorded before this generation was spawned (its calls have indexes from here). */
  readonly firstCall: number;
}

/** Runs `node <entry>` with an environment, kills and restarts it, and keeps what each run printed. */
export class BotSupervisor {
  readonly generations: Generation[] = [];
  readonly url: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly entry: string,
    private readonly env: Record<string, string>,
    /** How many connector calls have been recorded so far (generation boundaries). */
    private readonly callCount: () => number,
  ) {
    this.url = `http://127.0.0.1:${env.PORT}`;
  }

  /** The generation running now, if any. */
  get current(): Generation | undefined {
    const last = this.generations.at(-1);
    return last && last.endedAt === undefined ? last : undefined;
  }

  /** Spawns the process and resolves once `/healthz` answers; up to three spawns, each bounded. */
  async start(): Promise<Generation> {
    if (this.closed) throw new Error('the supervisor is closed');
    if (this.child) throw new Error('already running');
    let lastError = '';
    for (let spawnAttempt = 0; spawnAttempt < 3; spawnAttempt += 1) {
      const generation = this.spawnOne();
      for (let i = 0; i < 200 && generation.endedAt === undefined; i += 1) {
        try {
          const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
          await res.arrayBuffer();
          if (res.ok) {
            generation.readyAt = Date.now();
            return generation;
          }
        } catch {
          // not listening yet
        }
        await sleep(25);
      }
      lastError = `generation ${generation.index} did not become healthy (exit ${String(generation.exitCode)}): ${generation.stderr.slice(-2_000)}`;
      await this.terminate('SIGKILL', 'exited');
    }
    throw new Error(lastError);
  }

  /** SIGKILLs the running process and waits for it to be gone. */
  async kill(): Promise<void> {
    await this.terminate('SIGKILL', 'killed');
  }

  /** Stops the running process like `stop` and refuses to start another (the test's `after`). */
  async close(graceMs = 5_000): Promise<void> {
    this.closed = true;
    await this.stop(graceMs);
  }

  /** Stops the running process with SIGTERM (graceful), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited) return;
    const generation = this.current;
    if (generation) generation.end = 'stopped';
    child.kill('SIGTERM');
    const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
    if ((await Promise.race([exited, timer])) === 'late') child.kill('SIGKILL');
    await exited;
  }

  private spawnOne(): Generation {
    const child = spawn(process.execPath, [this.entry], {
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const generation: Generation = {
      index: this.generations.length + 1,
      pid: child.pid,
      spawnedAt: Date.now(),
      stdout: '',
      stderr: '',
      firstCall: this.callCount(),
    };
    this.generations.push(generation);
    recordChildOutput(child, this.env);
    child.stdout?.on('data', (d: Buffer) => (generation.stdout += d.toString('utf8')));
    child.stderr?.on('data', (d: Buffer) => (generation.stderr += d.toString('utf8')));
    this.child = child;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        generation.endedAt = Date.now();
        generation.exitCode = code;
        generation.signal = signal;
        generation.end ??= 'exited';
        if (this.child === child) {
          this.child = undefined;
          this.exited = undefined;
        }
        resolve();
      });
    });
    return generation;
  }

  private async terminate(signal: NodeJS.Signals, end: NonNullable<Generation['end']>): Promise<void> {
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited) return;
    const generation = this.current;
    if (generation) generation.end ??= end;
    child.kill(signal);
    await exited;
  }
}

/** Why one attempt at a card action did not get a card. */
export type FailureKind = 'connection' | 'server';

/** One failed attempt. */
export interface Failure {
  readonly kind: FailureKind;
  readonly verb: string;
  readonly detail: string;
  readonly at: number;
}

/** A card action answered with a card, and what it took. */
export interface ActResult {
  readonly card: Record<string, unknown>;
  readonly attempts: number;
}

/** Limits of the Teams-like client. */
export interface ClientLimits {
  /** Attempts per card action. */
  readonly maxAttempts: number;
  /** No attempt starts after this time (epoch ms). */
  readonly deadline: number;
  /** One request's timeout. */
  readonly requestTimeoutMs: number;
}

/**
 * A Teams client for one conversation: posts `Action.Execute` invokes and, like Teams, sends
 * the same card data again when the bot cannot be reached or fails the turn.
 */
export class TeamsClient {
  readonly failures: Failure[] = [];

  constructor(
    private readonly botUrl: string,
    private readonly serviceUrl: string,
    private readonly conversationId: string,
    private readonly limits: ClientLimits,
    private readonly random: () => number,
  ) {}

  /** The card answered to `verb`, resending until it comes; throws when the limits run out. */
  async act(verb: string, data: Record<string, unknown>): Promise<ActResult> {
    for (let attempt = 1; attempt <= this.limits.maxAttempts && Date.now() < this.limits.deadline; attempt += 1) {
      const outcome = await this.once(verb, data);
      if ('card' in outcome) return { card: outcome.card, attempts: attempt };
      this.failures.push({ kind: outcome.kind, verb, detail: outcome.detail, at: Date.now() });
      // Teams' own resend is quick; back off a little more each time, with jitter.
      await sleep(Math.min(1_000, 80 * attempt) + this.random() * 150);
    }
    throw new Error(`${this.conversationId}: ${verb} got no card within the limits (${this.failures.length} failed attempts)`);
  }

  private async once(verb: string, data: Record<string, unknown>): Promise<{ card: Record<string, unknown> } | { kind: FailureKind; detail: string }> {
    const activity = execute(verb, data, { serviceUrl: this.serviceUrl, conversationId: this.conversationId });
    let status: number;
    let text: string;
    try {
      const res = await fetch(`${this.botUrl}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
        signal: AbortSignal.timeout(this.limits.requestTimeoutMs),
      });
      status = res.status;
      text = await res.text();
    } catch (error) {
      // Refused (the process is down), reset or cut short (killed mid-turn), or too slow.
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      return { kind: 'connection', detail: `${error instanceof Error ? error.message : String(error)}${cause}` };
    }
    if (status !== 200) return { kind: 'server', detail: `HTTP ${status}: ${text.slice(0, 300)}` };
    let body: { statusCode?: unknown; type?: unknown; value?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return { kind: 'server', detail: `HTTP 200, not JSON: ${text.slice(0, 300)}` };
    }
    if (body.statusCode !== 200 || body.type !== 'application/vnd.microsoft.card.adaptive' || typeof body.value !== 'object' || body.value === null) {
      return { kind: 'server', detail: `invoke answered ${JSON.stringify(body).slice(0, 300)}` };
    }
    return { card: body.value as Record<string, unknown> };
  }
}

/** Runs `work` over `items` with at most `concurrency` at a time; every item's outcome is kept. */
export async function pool<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array<PromiseSettledResult<R>>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) {
      const item = items[i];
      try {
        results[i] = { status: 'fulfilled', value: await work(item) };
      } catch (error) {
        results[i] = { status: 'rejected', reason: error };
      }
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Rows of the SQLite file the test reads (read-only). */
export interface EscalationRow {
  readonly id: string;
  readonly state: string;
  readonly version: number;
}
export interface AuditRow {
  readonly escalation_id: string;
  readonly from_state: string | null;
  readonly to_state: string;
}
export interface OutboxRow {
  readonly id: string;
  readonly escalation_id: string;
  readonly kind: string;
  readonly target: string;
  readonly status: string;
  readonly attempts: number;
  readonly dedupe_key: string;
  readonly last_error: string | null;
  readonly sent_activity_id: string | null;
}
export interface DatabaseView {
  readonly escalations: EscalationRow[];
  readonly audit: AuditRow[];
  readonly outbox: OutboxRow[];
  readonly tracking: { readonly escalation_id: string; readonly lease_owner: string | null; readonly next_poll_at: string }[];
}

type SqliteConstructor = typeof import('better-sqlite3');

/** Loads better-sqlite3, or says why it cannot. */
export async function loadSqlite(): Promise<SqliteConstructor | string> {
  try {
    const loaded = await import('better-sqlite3');
    // CommonJS module through esModuleInterop: the constructor is the default export.
    const ctor = (loaded as unknown as { default?: SqliteConstructor }).default ?? (loaded as unknown as SqliteConstructor);
    // Opening an in-memory database proves the native binding loads.
    new ctor(':memory:').close();
    return ctor;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Reads the tables the assertions need from the bot's SQLite file, read-only, and closes it. */
export function readDatabase(Sqlite: SqliteConstructor, file: string): DatabaseView {
  const db = new Sqlite(file, { readonly: true, fileMustExist: true, timeout: 5_000 });
  try {
    return {
      escalations: db.prepare('SELECT id, state, version FROM escalations ORDER BY id').all() as EscalationRow[],
      audit: db.prepare('SELECT escalation_id, from_state, to_state FROM audit_events ORDER BY escalation_id, id').all() as AuditRow[],
      outbox: db
        .prepare('SELECT id, escalation_id, kind, target, status, attempts, dedupe_key, last_error, sent_activity_id FROM outbox ORDER BY seq')
        .all() as OutboxRow[],
      tracking: db.prepare('SELECT escalation_id, lease_owner, next_poll_at FROM tracking').all() as DatabaseView['tracking'],
    };
  } finally {
    db.close();
  }
}

/** One pino line of the bot's stdout. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly raw: string;
}

/** Parses the bot's stdout (pino JSON lines); a line that is not JSON gets level -1 (the test judges it). */
export function parseLog(stdout: string): LogLine[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((raw) => {
      try {
        const o = JSON.parse(raw) as { level?: unknown; msg?: unknown };
        return { level: typeof o.level === 'number' ? o.level : 60, msg: typeof o.msg === 'string' ? o.msg : '', raw };
      } catch {
        // A killed process can leave half a line: that is the kill, not the bot.
        return { level: -1, msg: '(cut line)', raw };
      }
    });
}

/** Stderr lines that are expected noise: Node's deprecation warning restify triggers. */
export function unexpectedStderr(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim())
    .filter((l) => !/\[DEP0111\] DeprecationWarning/.test(l) && !/^\(Use `node --trace-deprecation \.\.\.` to show where the warning was created\)$/.test(l.trim()));
}
