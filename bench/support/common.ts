/**
 * Shared pieces of the benches: an HTTP client with keep-alive (what a Teams front end keeps
 * open to a bot), the six invokes of a full triage conversation, percentiles, and throw-away
 * PostgreSQL schemas. Everything talks to 127.0.0.1 only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import pg from 'pg';
import { execute } from '../../test/helpers/activities';
import { describeData } from '../../test/helpers/engineer';

/** The PostgreSQL server the benches use (the same default as the tests). */
export function benchDatabaseUrl(): string {
  return process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** A fresh schema on the bench server, and how to drop it. */
export interface BenchSchema {
  readonly schema: string;
  /** A URL whose connections use only this schema. */
  readonly url: string;
  /** Runs SQL in this schema. */
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

/** Creates `ed_bench_<random>` and a URL that selects it through `options=-c search_path=…`. */
export async function createSchema(): Promise<BenchSchema> {
  const admin = benchDatabaseUrl();
  const schema = `ed_bench_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 3000 });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(`SET search_path TO ${schema}`);
  const parsed = new URL(admin);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return {
    schema,
    url: parsed.toString(),
    query: (sql, params) => client.query(sql, params),
    drop: async () => {
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** The value at percentile `p` (nearest rank) of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

/** Ascending copy. */
export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** An answer of the bot. */
export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
  /** Client-side wall time from writing the request to the last byte of the answer. */
  readonly ms: number;
}

/** A keep-alive HTTP client for one base URL (the way a front end keeps connections to a bot). */
export class BotClient {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 30_000,
  ) {}

  /** POSTs JSON and reads the whole answer. */
  post(path: string, body: unknown): Promise<HttpAnswer> {
    const payload = Buffer.from(JSON.stringify(body));
    return this.send('POST', path, payload);
  }

  /** GETs a path. */
  get(path: string): Promise<HttpAnswer> {
    return this.send('GET', path);
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, payload?: Buffer): Promise<HttpAnswer> {
    const url = new URL(path, this.baseUrl);
    return new Promise<HttpAnswer>((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          timeout: this.timeoutMs,
          headers: payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}

/** Who talks in one conversation. */
export interface Participant {
  readonly serviceUrl: string;
  readonly conversationId: string;
  readonly from: { id: string; aadObjectId: string; name: string };
}

/** A fresh conversation with a user of its own. */
export function participant(serviceUrl: string, label: string): Participant {
  const aadObjectId = randomUUID();
  return {
    serviceUrl,
    conversationId: `a:bench-${label}-${aadObjectId.slice(0, 8)}`,
    from: { id: `29:bench-${label}`, aadObjectId, name: `Bench ${label}` },
  };
}

/** The names of the six turns of a full triage conversation, in order. */
export const TRIAGE_STEPS = ['escalate', 'describe', 'knownDiffers', 'troubleshootSkip', 'triage', 'handoffLink'] as const;
export type TriageStep = (typeof TRIAGE_STEPS)[number];

/** What a step needs from the answers before it. */
export interface FlowIds {
  flowId?: string;
  escalationId?: string;
}

/** The data the engineer submits at each step (the same as test/helpers/engineer.ts and the close-the-loop test). */
export function stepData(step: TriageStep, ids: FlowIds, requestNumber: string): Record<string, unknown> {
  switch (step) {
    case 'escalate':
      return {};
    case 'describe':
      return describeData(ids.flowId ?? '');
    case 'knownDiffers':
      return { escalationId: ids.escalationId, notSameReason: 'only one tenant' };
    case 'troubleshootSkip':
      return { escalationId: ids.escalationId };
    case 'triage':
      return { escalationId: ids.escalationId, category: 'service_unavailable', severity: 'critical', businessImpact: 'no mail', contact: 'Jo' };
    case 'handoffLink':
      return { escalationId: ids.escalationId, requestNumber };
  }
}

/** The invoke activity of one step. */
export function stepActivity(p: Participant, step: TriageStep, ids: FlowIds, requestNumber: string): Record<string, unknown> {
  return execute(step, stepData(step, ids, requestNumber), { serviceUrl: p.serviceUrl, conversationId: p.conversationId, from: p.from });
}

/** A step's answer was not the card it should be. */
export class TurnError extends Error {
  override readonly name = 'TurnError';
}

/**
 * Checks an invoke answer (200, an Adaptive Card) and reads the ids the next steps need.
 * `strict` also checks the card each step should answer with (the desk; the echo bot has no flow).
 */
export function readAnswer(step: TriageStep, answer: HttpAnswer, ids: FlowIds, strict: boolean): void {
  if (answer.status !== 200) throw new TurnError(`${step}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
  const body = JSON.parse(answer.text) as { statusCode?: number; type?: string };
  if (body.statusCode !== 200 || body.type !== 'application/vnd.microsoft.card.adaptive') {
    throw new TurnError(`${step}: not a card: ${answer.text.slice(0, 200)}`);
  }
  if (!strict) return;
  if (step === 'escalate') {
    const flowId = /"flowId":"([^"]+)"/.exec(answer.text)?.[1];
    if (!flowId) throw new TurnError('escalate: the card carries no flowId');
    ids.flowId = flowId;
  }
  if (step === 'describe') {
    const id = /"escalationId":"(ED-[0-9A-Z]{8})"/.exec(answer.text)?.[1];
    if (!id) throw new TurnError('describe: the card carries no escalation id');
    ids.escalationId = id;
  }
  if (step === 'handoffLink' && !answer.text.includes('Escalated to Microsoft')) {
    throw new TurnError(`handoffLink: not escalated: ${answer.text.slice(0, 300)}`);
  }
}

/** Unique, valid (16-digit) service request numbers for one run. */
export function requestNumbers(): () => string {
  let next = 2611250000000000 + Math.floor(Math.random() * 1_000_000) * 1000;
  return () => String(next++);
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `n` formatted with a fixed number of decimals, padded to `width`. */
export function fmt(n: number, decimals = 1, width = 8): string {
  return (Number.isFinite(n) ? n.toFixed(decimals) : '—').padStart(width);
}

/** The project folder (this file is dist/bench/support/common.js). */
const PROJECT_ROOT = join(__dirname, '..', '..', '..');

/**
 * How `npm start` starts the bot: the node flags and entry file of package.json's `start`
 * script, so the bench measures the process an admin runs, flags included.
 */
export function startCommand(): { readonly script: string; readonly flags: readonly string[]; readonly entry: string } {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const script = pkg.scripts?.start ?? '';
  const words = script.trim().split(/\s+/);
  const entry = words.at(-1) ?? '';
  if (words[0] !== 'node' || !entry.endsWith('.js') || words.some((w) => /[$;&|<>`'"]/.test(w))) {
    throw new Error(`package.json's start script must be "node [flags] <file>.js" for this bench to replay it, not ${JSON.stringify(script)}.`);
  }
  return { script, flags: words.slice(1, -1), entry: join(PROJECT_ROOT, entry) };
}
