/**
 * Scale-out on one PostgreSQL database: real bot processes (`node dist/src/index.js`, local
 * mode, WORKERS=on, the sandbox playing Microsoft on a short schedule) and a connector double
 * in this process that records every proactive activity. N conversations (unique users) are
 * driven to `escalated` with their turns spread over the instances (turn k of conversation i
 * goes to instance (i + k) mod instances, so every conversation crosses processes); then the
 * bench waits until every escalation is `resolved` and checks that every conversation completed
 * and every notification (the attention card where Microsoft asked and the escalation entered
 * attention_needed, and the resolved card) was delivered exactly once, to its own conversation.
 *
 *   node dist/bench/scale-out.js          (after npm run build; PostgreSQL on 127.0.0.1:5432)
 *
 * Three phases, each on a fresh schema (dropped afterwards):
 *   1. one instance            — throughput baseline
 *   2. two instances            — throughput
 *   3. two instances, one killed with SIGKILL halfway through the turns and NOT restarted:
 *      its in-flight turns are retried on the survivor (as a load balancer would), and the
 *      survivor takes over its tracker / outbox leases once they expire (2 min / 60 s).
 * Exits non-zero when a conversation did not complete or a notification was lost or duplicated.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectorDouble, type ConnectorCall } from '../test/helpers/connector-double';
import {
  BotClient,
  createSchema,
  participant,
  readAnswer,
  requestNumbers,
  sleep,
  stepActivity,
  TRIAGE_STEPS,
  TurnError,
  type BenchSchema,
  type FlowIds,
  type HttpAnswer,
  type Participant,
} from './support/common';

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 100);
const START_TIMEOUT_MS = 30_000;
/** Bound on waiting for every escalation to be resolved and notified (leases of a killed process are 2 min). */
const SETTLE_TIMEOUT_MS = 300_000;
const INSTANCE_ENV: Record<string, string> = {
  HOST: '127.0.0.1',
  WORKERS: 'on',
  SANDBOX_ATTENTION_AFTER_SECONDS: '2',
  SANDBOX_CLOSE_AFTER_SECONDS: '4',
  TRACKING_MIN_INTERVAL_SECONDS: '1',
  TRACKING_MAX_INTERVAL_SECONDS: '2',
  LOG_LEVEL: 'warn',
  SHUTDOWN_GRACE_SECONDS: '2',
};

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

interface Instance {
  readonly name: string;
  readonly client: BotClient;
  readonly child: ChildProcess;
  alive: boolean;
}

async function startInstance(name: string, databaseUrl: string, workDir: string): Promise<Instance> {
  const port = await freePort();
  const log = openSync(join(workDir, `${name}.log`), 'a');
  const child = spawn(process.execPath, [join(__dirname, '..', 'src', 'index.js')], {
    // A clean environment (no .env is read from this cwd): local mode, the settings above.
    cwd: workDir,
    env: { PATH: process.env.PATH ?? '', ...INSTANCE_ENV, PORT: String(port), DATABASE_URL: databaseUrl },
    stdio: ['ignore', log, log],
  });
  const instance: Instance = { name, client: new BotClient(`http://127.0.0.1:${port}`, 20_000), child, alive: true };
  child.once('exit', () => {
    instance.alive = false;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (!instance.alive) throw new Error(`${name} exited during start-up (see ${join(workDir, `${name}.log`)})`);
    const ready = await instance.client.get('/readyz').catch(() => undefined);
    if (ready?.status === 200) return instance;
    if (Date.now() > deadline) throw new Error(`${name} not ready within ${START_TIMEOUT_MS} ms`);
    await sleep(100);
  }
}

async function stopInstance(instance: Instance): Promise<void> {
  instance.client.close();
  if (!instance.alive) return;
  const exited = new Promise<void>((resolve) => instance.child.once('exit', () => resolve()));
  instance.child.kill('SIGTERM');
  const timer = setTimeout(() => instance.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** One conversation's outcome. */
interface Conversation {
  readonly who: Participant;
  readonly requestNumber: string;
  escalationId?: string;
  completed: boolean;
  error?: string;
}

interface PhaseResult {
  readonly ok: boolean;
  readonly turnsPerSecond: number;
}

/** Posts a turn to the preferred instance; on a dead or failing instance, to the next live one. */
async function post(instances: readonly Instance[], preferred: number, activity: Record<string, unknown>, retries: { count: number }): Promise<HttpAnswer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < instances.length * 2; attempt++) {
    const target = instances[(preferred + attempt) % instances.length];
    if (!target?.alive) continue;
    try {
      const answer = await target.client.post('/api/messages', activity);
      if (answer.status < 500) return answer;
      lastError = new Error(`HTTP ${answer.status} from ${target.name}`);
    } catch (error) {
      lastError = error;
    }
    retries.count++;
    await sleep(50);
  }
  throw lastError instanceof Error ? lastError : new Error('no live instance');
}

async function phase(title: string, instanceCount: number, killHalfway: boolean, workDir: string): Promise<PhaseResult> {
  console.log(`\n${title}`);
  const schema: BenchSchema = await createSchema();
  const connector = await new ConnectorDouble().start();
  const instances: Instance[] = [];
  try {
    instances.push(...(await Promise.all(Array.from({ length: instanceCount }, (_, i) => startInstance(`${title.slice(0, 1)}-bot-${i + 1}`, schema.url, workDir)))));
    const nextNumber = requestNumbers();
    const conversations: Conversation[] = Array.from({ length: CONVERSATIONS }, (_, i) => ({
      who: participant(connector.url, `scale-${i}`),
      requestNumber: nextNumber(),
      completed: false,
    }));
    const totalTurns = CONVERSATIONS * TRIAGE_STEPS.length;
    let turnsDone = 0;
    const retries = { count: 0 };
    let killedAt: number | undefined;
    const started = Date.now();
    await Promise.all(
      conversations.map(async (c, i) => {
        const ids: FlowIds = {};
        try {
          for (const [k, step] of TRIAGE_STEPS.entries()) {
            const answer = await post(instances, (i + k) % instanceCount, stepActivity(c.who, step, ids, c.requestNumber), retries);
            readAnswer(step, answer, ids, true);
            turnsDone++;
            if (killHalfway && killedAt === undefined && turnsDone >= totalTurns / 2) {
              killedAt = Date.now() - started;
              const victim = instances[1];
              victim?.child.kill('SIGKILL');
              console.log(`  SIGKILL ${victim?.name ?? '?'} after ${turnsDone} of ${totalTurns} turns (+${killedAt} ms); not restarted`);
            }
          }
          c.escalationId = ids.escalationId;
          c.completed = true;
        } catch (error) {
          c.error = error instanceof TurnError || error instanceof Error ? error.message : String(error);
        }
      }),
    );
    const driveMs = Date.now() - started;
    const completed = conversations.filter((c) => c.completed).length;
    const turnsPerSecond = turnsDone / (driveMs / 1000);
    console.log(`  driven to escalated: ${completed}/${CONVERSATIONS} conversations, ${turnsDone} turns in ${(driveMs / 1000).toFixed(2)} s = ${turnsPerSecond.toFixed(1)} turns/s (turns retried on another instance: ${retries.count})`);
    for (const c of conversations.filter((x) => !x.completed).slice(0, 5)) console.log(`  FAILED ${c.who.conversationId}: ${c.error ?? '?'}`);

    // Wait until every escalation is resolved and the outbox has nothing left to send.
    const settleStart = Date.now();
    let states = new Map<string, number>();
    let unsent = 0;
    for (;;) {
      const rows = await schema.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM escalations GROUP BY state');
      states = new Map(rows.rows.map((r) => [r.state, Number(r.n)]));
      unsent = Number((await schema.query<{ n: string }>("SELECT count(*) AS n FROM outbox WHERE status <> 'sent'")).rows[0]?.n ?? 0);
      const open = [...states].filter(([s]) => s !== 'resolved').reduce((a, [, n]) => a + n, 0);
      if ((open === 0 && unsent === 0) || Date.now() - settleStart > SETTLE_TIMEOUT_MS) break;
      await sleep(500);
    }
    const settleMs = Date.now() - settleStart;
    console.log(`  escalations by state after ${(settleMs / 1000).toFixed(1)} s: ${JSON.stringify(Object.fromEntries(states))}; outbox rows not sent: ${unsent}`);

    return { ok: (await verify(schema, connector, conversations, states, unsent)) && completed === CONVERSATIONS, turnsPerSecond };
  } finally {
    await Promise.all(instances.map((x) => stopInstance(x)));
    await connector.stop();
    await schema.drop();
  }
}

/** Every conversation completed; every notification delivered exactly once, to its own conversation. */
async function verify(schema: BenchSchema, connector: ConnectorDouble, conversations: readonly Conversation[], states: ReadonlyMap<string, number>, unsent: number): Promise<boolean> {
  const problems: string[] = [];
  const resolved = states.get('resolved') ?? 0;
  const total = [...states.values()].reduce((a, b) => a + b, 0);
  if (resolved !== conversations.length || total !== conversations.length) problems.push(`${resolved} resolved of ${total} escalations stored, ${conversations.length} conversations`);
  if (unsent > 0) problems.push(`${unsent} outbox rows not sent`);

  const outbox = await schema.query<{ id: string; escalation_id: string; kind: string; status: string; payload: { updateActivityId?: unknown } }>(
    'SELECT id, escalation_id, kind, status, payload FROM outbox',
  );
  const attention = await schema.query<{ escalation_id: string }>("SELECT DISTINCT escalation_id FROM audit_events WHERE to_state = 'attention_needed'");
  const wentToAttention = new Set(attention.rows.map((r) => r.escalation_id));
  const deliveries = connector.deliveriesByKey();
  // An update of a card already sent (card_update) carries no key: it is delivered as a PUT of that activity.
  const updates = new Map<string, ConnectorCall[]>();
  for (const call of connector.calls) {
    if (call.method === 'PUT' && call.activityId) updates.set(call.activityId, [...(updates.get(call.activityId) ?? []), call]);
  }
  const deliveryOf = (r: { id: string; payload: { updateActivityId?: unknown } }): readonly ConnectorCall[] | undefined =>
    typeof r.payload.updateActivityId === 'string' ? updates.get(r.payload.updateActivityId) : deliveries.get(r.id);
  const rowsByEscalation = new Map<string, (typeof outbox.rows)[number][]>();
  for (const r of outbox.rows) rowsByEscalation.set(r.escalation_id, [...(rowsByEscalation.get(r.escalation_id) ?? []), r]);
  const kinds = new Map<string, number>();
  let lost = 0;
  let duplicated = 0;
  let misdirected = 0;
  for (const r of outbox.rows) {
    kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
    const d = deliveryOf(r);
    if (!d) lost++;
    // A card updated twice is the same card (an update may be repeated harmlessly); a second message is a duplicate.
    else if (d.length > 1 && typeof r.payload.updateActivityId !== 'string') duplicated++;
  }
  const outboxIds = new Set(outbox.rows.map((r) => r.id));
  const unknown = [...deliveries.keys()].filter((k) => !outboxIds.has(k)).length;
  let missingResolved = 0;
  let missingAttention = 0;
  for (const c of conversations) {
    if (!c.escalationId) continue;
    const rows = rowsByEscalation.get(c.escalationId) ?? [];
    if (!rows.some((r) => r.kind === 'resolved')) missingResolved++;
    if (wentToAttention.has(c.escalationId) && !rows.some((r) => r.kind === 'attention_needed')) missingAttention++;
    for (const r of rows) {
      const d = deliveryOf(r);
      if (d && d[0]?.conversationId !== c.who.conversationId) misdirected++;
    }
  }
  // The sandbox asks its one question on every request it closes later (src/support/sandbox.ts, `asks: 'always'`).
  console.log(`  the sandbox asked a question on each of the ${conversations.length} requests; the tracker saw ${wentToAttention.size} of them before the close 2 s later (an attention card is expected only for those)`);
  console.log(
    `  notifications: ${outbox.rows.length} enqueued ${JSON.stringify(Object.fromEntries(kinds))}; ${wentToAttention.size} escalations passed through attention_needed; keyed activities at the connector: ${[...deliveries.values()].reduce((a, d) => a + d.length, 0)}`,
  );
  console.log(`  lost ${lost}, duplicated ${duplicated}, misdirected ${misdirected}, unknown keys ${unknown}, escalations without a resolved card ${missingResolved}, without an attention card after attention_needed ${missingAttention}`);
  if (lost + duplicated + misdirected + unknown + missingResolved + missingAttention > 0) problems.push('notification check failed');
  console.log(`  check: ${problems.length === 0 ? 'PASS (every conversation completed, every notification delivered exactly once)' : `FAIL: ${problems.join('; ')}`}`);
  return problems.length === 0;
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'ed-bench-scale-'));
  console.log(`Scale-out: ${CONVERSATIONS} conversations × ${TRIAGE_STEPS.length} turns over real bot processes on one PostgreSQL; sandbox asks at 2 s, closes at 4 s; tracking every 1–2 s. Logs: ${workDir}`);
  let ok = false;
  try {
    const one = await phase('1 instance', 1, false, workDir);
    const two = await phase('2 instances', 2, false, workDir);
    const killed = await phase('2 instances, one SIGKILLed halfway', 2, true, workDir);
    ok = one.ok && two.ok && killed.ok;
    console.log(`\nThroughput (drive to escalated, ${CONVERSATIONS} concurrent conversations): 1 instance ${one.turnsPerSecond.toFixed(1)} turns/s, 2 instances ${two.turnsPerSecond.toFixed(1)} turns/s (×${(two.turnsPerSecond / one.turnsPerSecond).toFixed(2)}), 2 with a kill ${killed.turnsPerSecond.toFixed(1)} turns/s`);
    console.log(`Result: ${ok ? 'PASS' : 'FAIL'}`);
  } finally {
    if (ok && process.env.BENCH_KEEP !== '1') rmSync(workDir, { recursive: true, force: true });
  }
  if (!ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
