/**
 * Chaos (issue #7): 100 escalation flows over HTTP against the REAL process
 * (`node dist/src/index.js`, SQLite file, workers on, the sandbox playing Microsoft on a
 * seconds-long schedule) while a killer SIGKILLs it at random moments and restarts it at once.
 * The flows are driven like a Teams client: a card action that gets no card (refused, reset,
 * failed) is sent again with the same data. Afterwards the last process runs until Microsoft
 * (the sandbox) has resolved every request, and the test checks that nothing was lost or
 * doubled: one escalation per flow, each transition once, every "resolved" notification
 * delivered, and a notification delivered twice only where the outbox reclaimed it after a
 * crash in its `sending` window.
 *
 * The killer is seeded: the seed is printed, and `CHAOS_SEED=<seed>` replays the same kill
 * schedule (the interleaving with the flows still varies with timing).
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import { escalationIdFor } from '../../src/domain/escalation-id';
import { conversationKey } from '../../src/store/queues';
import { PARTNER_TENANT } from '../helpers/activities';
import { cardVerbs } from '../helpers/cards';
import { ConnectorDouble, IDEMPOTENCY_KEY_FIELD, type ConnectorCall } from '../helpers/connector-double';
import {
  BotSupervisor,
  freePort,
  loadSqlite,
  parseLog,
  pool,
  readDatabase,
  seededRandom,
  sleep,
  TeamsClient,
  unexpectedStderr,
  type DatabaseView,
  type Failure,
} from './chaos-support';
import { watchProcess, type ProcessWatch } from './support';

const ENTRY = join(PROJECT_ROOT, 'dist', 'src', 'index.js');
const CONTOSO = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';

const FLOWS = 100;
const CONCURRENCY = 10;
/** The killer strikes every 0.7–2.5 s of uptime. */
const KILL_MIN_MS = 700;
const KILL_SPREAD_MS = 1_800;
/** An engineer reads each card before acting: 50–350 ms, so the flows run while the killer strikes. */
const THINK_MIN_MS = 50;
const THINK_SPREAD_MS = 300;
/** Killing stops once every flow is escalated (plus the tail), or at this cap. */
const KILL_CAP_MS = 30_000;
/**
 * After the last flow is escalated, keep killing this long: the sandbox resolves the first
 * requests ~6 s after they were linked, so the tracker and the outbox also work under fire.
 */
const KILL_TAIL_MS = 5_000;
/**
 * How long the last process gets to resolve everything. A crash strands what the dead process
 * had leased: tracking rows for 2 minutes, outbox rows for 1 minute (the workers' lease times).
 */
const RESOLVE_CAP_MS = 135_000;

/** The steps of the flow, from the card the bot answered: the action a user takes next. */
type Step = 'escalate' | 'describe' | 'knownDiffers' | 'troubleshootSkip' | 'triage' | 'handoffLink';
const FLOW_STEPS: readonly Step[] = ['escalate', 'describe', 'knownDiffers', 'troubleshootSkip', 'triage', 'handoffLink'];

/** One flow: its own conversation, flow id and request number. */
interface FlowSpec {
  readonly index: number;
  readonly flowId: string;
  readonly escalationId: string;
  readonly conversationId: string;
  readonly requestNumber: string;
}

interface FlowResult {
  readonly spec: FlowSpec;
  readonly actions: readonly Step[];
  readonly failures: readonly Failure[];
  /** Answered with a card past the last step (escalated or later). */
  readonly complete: boolean;
  readonly lastCardVerbs: readonly string[];
  readonly doneAt: number;
  /** Resent actions answered "already moved on": the first send was applied, its answer lost in a kill. */
  readonly appliedBeforeKill: number;
}

/** The note a card carries when the action had already been applied (locales/en.json `flow.errors.stale`). */
const ALREADY_APPLIED = /already moved this escalation on/;

/** The action the card offers next, in flow order from the furthest step back. */
function nextStep(card: Record<string, unknown>): Exclude<Step, 'escalate'> | undefined {
  const verbs = cardVerbs(card);
  for (const step of ['handoffLink', 'triage', 'troubleshootSkip', 'knownDiffers', 'describe'] as const) {
    if (verbs.includes(step)) return step;
  }
  return undefined;
}

function stepData(step: Exclude<Step, 'escalate'>, spec: FlowSpec): Record<string, unknown> {
  const escalationId = spec.escalationId;
  switch (step) {
    case 'describe':
      return {
        flowId: spec.flowId,
        customerTenantId: CONTOSO,
        service: 'Exchange Online',
        title: `Users cannot send mail (${spec.index})`,
        description: 'Outbound mail is delayed and stuck in the queue for all users',
        sinceDate: new Date().toISOString().slice(0, 10),
        sinceTime: '00:00',
        usersAffected: '40',
      };
    case 'knownDiffers':
      return { escalationId, step: 'health', notSameReason: 'Only this tenant, and connectors fail too' };
    case 'troubleshootSkip':
      return { escalationId, step: 'troubleshoot' };
    case 'triage':
      return {
        escalationId,
        step: 'category',
        category: 'service_unavailable',
        severity: 'critical',
        businessImpact: 'Sales cannot email customers',
        contact: 'Jo, jo@contoso.example',
      };
    case 'handoffLink':
      return { escalationId, step: 'handoff', requestNumber: spec.requestNumber };
  }
}

/** The verbs the card of each state offers (what `refresh` must answer for a flow at rest). */
function expectedVerbFor(state: string): string | undefined {
  switch (state) {
    case 'draft':
      return 'knownDiffers';
    case 'awaiting_handoff':
      return 'handoffLink';
    case 'attention_needed':
      return 'answerMicrosoft';
    case 'resolved':
      return 'customerNotified';
    default:
      return undefined;
  }
}

/** The audit trails a flow may leave: each transition once, in order. */
const ALLOWED_TRAILS = [
  ['>draft', 'draft>triage', 'triage>awaiting_handoff', 'awaiting_handoff>escalated', 'escalated>resolved'],
  ['>draft', 'draft>triage', 'triage>awaiting_handoff', 'awaiting_handoff>escalated', 'escalated>attention_needed', 'attention_needed>resolved'],
].map((t) => t.join(' '));

function idempotencyKey(call: ConnectorCall): string | undefined {
  const data = call.activity.channelData;
  if (typeof data !== 'object' || data === null) return undefined;
  const key = (data as Record<string, unknown>)[IDEMPOTENCY_KEY_FIELD];
  return typeof key === 'string' ? key : undefined;
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

describe('hardening: chaos — the real process SIGKILLed under 100 concurrent flows', function () {
  this.timeout(280_000);
  const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) >>> 0 : (Date.now() ^ (process.pid << 10)) >>> 0;
  let Sqlite: Exclude<Awaited<ReturnType<typeof loadSqlite>>, string>;
  let connector: ConnectorDouble | undefined;
  let bot: BotSupervisor | undefined;
  let dir: string | undefined;
  let watch: ProcessWatch | undefined;
  /** Ends the killer loop (also when the test failed half-way), so no process outlives the suite. */
  let stopKiller: (() => Promise<void>) | undefined;

  before(async function () {
    const missing: string[] = [];
    if (!existsSync(ENTRY)) missing.push(`${ENTRY} (run npx tsc -p tsconfig.json)`);
    const sqlite = await loadSqlite();
    if (typeof sqlite === 'string') missing.push(`better-sqlite3 (${sqlite})`);
    else Sqlite = sqlite;
    if (missing.length > 0) {
      if (process.env.CI === 'true') throw new Error(`the chaos test needs: ${missing.join('; ')}`);
      console.warn(`skipping the chaos test: missing ${missing.join('; ')}`);
      this.skip();
    }
    watch = watchProcess();
    connector = await new ConnectorDouble().start();
    dir = mkdtempSync(join(tmpdir(), 'ed-chaos-'));
  });

  /** A failed run keeps its SQLite file for the post-mortem. */
  let keepFiles = false;
  afterEach(function () {
    if (this.currentTest?.state === 'failed') keepFiles = true;
  });

  after(async () => {
    // The killer cannot restart anything once it is stopped and the supervisor closed.
    await stopKiller?.();
    await bot?.close(5_000);
    await connector?.stop();
    watch?.uninstall();
    if (dir && keepFiles) console.log(`      chaos: kept ${dir} (desk.db) for the post-mortem`);
    else if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing, doubles nothing, and every escalation is resolved and notified', async () => {
    if (!connector || !dir) throw new Error('before() did not run');
    const double = connector;
    const dbFile = join(dir, 'desk.db');
    const port = await freePort();
    console.log(`      chaos seed ${seed} (replay with CHAOS_SEED=${seed}); database ${dbFile}; port ${port}`);
    const env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${dbFile}`,
      LOG_LEVEL: 'warn',
      WORKERS: 'on',
      SANDBOX_ATTENTION_AFTER_SECONDS: '3',
      SANDBOX_CLOSE_AFTER_SECONDS: '6',
      TRACKING_MIN_INTERVAL_SECONDS: '1',
      TRACKING_MAX_INTERVAL_SECONDS: '2',
    };
    const supervisor = new BotSupervisor(ENTRY, env, () => double.calls.length);
    bot = supervisor;
    const started = Date.now();
    await supervisor.start();

    // ---- the killer: seeded intervals, SIGKILL, restart at once -------------------------
    const killRandom = seededRandom(seed);
    const killCapAt = started + KILL_CAP_MS;
    const killer = { stopAt: Number.POSITIVE_INFINITY, kills: [] as number[], restartMs: [] as number[] };
    let wake: () => void = () => undefined;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const killerDone = (async () => {
      while (Date.now() < Math.min(killCapAt, killer.stopAt)) {
        const wait = KILL_MIN_MS + killRandom() * KILL_SPREAD_MS;
        await Promise.race([sleep(Math.min(wait, Math.max(0, Math.min(killCapAt, killer.stopAt) - Date.now()))), woken]);
        if (Date.now() >= Math.min(killCapAt, killer.stopAt)) break;
        await supervisor.kill();
        killer.kills.push(Date.now());
        // Whatever the dead process had sent is recorded by the double before the next one spawns.
        await sleep(50);
        const down = Date.now();
        await supervisor.start();
        killer.restartMs.push(Date.now() - down);
      }
    })();
    // Handled here too, so a test failing before `await killerDone` leaves no unhandled rejection.
    void killerDone.catch(() => undefined);
    stopKiller = async () => {
      killer.stopAt = Date.now();
      wake();
      await killerDone.catch(() => undefined);
    };

    // ---- the flows: 100, ten at a time, each resent like Teams would ---------------------
    const specs: FlowSpec[] = Array.from({ length: FLOWS }, (_, i) => {
      const flowId = `chaos-${seed}-${i + 1}`;
      return {
        index: i + 1,
        flowId,
        escalationId: escalationIdFor(flowId),
        conversationId: `a:chaos-${seed}-${i + 1}`,
        // 16 digits, unique per flow: the sandbox plays each request on its own schedule.
        requestNumber: `26${String(seed % 1_000_000).padStart(6, '0')}${String(i + 1).padStart(8, '0')}`,
      };
    });
    const clientRandom = seededRandom(seed ^ 0x5eed);
    const limits = { maxAttempts: 80, deadline: killCapAt + 30_000, requestTimeoutMs: 10_000 };
    const settled = await pool(specs, CONCURRENCY, async (spec): Promise<FlowResult> => {
      const client = new TeamsClient(supervisor.url, double.url, spec.conversationId, limits, clientRandom);
      const actions: Step[] = ['escalate'];
      let appliedBeforeKill = 0;
      let card = (await client.act('escalate', { flowId: spec.flowId })).card;
      // The card says what comes next; a resent step answers the card of where the flow is.
      for (let i = 0; i < 12; i += 1) {
        const step = nextStep(card);
        if (!step) break;
        actions.push(step);
        await sleep(THINK_MIN_MS + clientRandom() * THINK_SPREAD_MS);
        const answer = await client.act(step, stepData(step, spec));
        card = answer.card;
        if (answer.attempts > 1 && ALREADY_APPLIED.test(JSON.stringify(card))) appliedBeforeKill += 1;
      }
      return {
        spec,
        actions,
        failures: client.failures,
        complete: nextStep(card) === undefined,
        lastCardVerbs: cardVerbs(card),
        doneAt: Date.now(),
        appliedBeforeKill,
      };
    });
    const flowsDoneAt = Date.now();
    // Keep killing a little longer, while the first requests get resolved and notified.
    killer.stopAt = Math.min(killCapAt, flowsDoneAt + KILL_TAIL_MS);
    await sleep(Math.max(0, killer.stopAt - Date.now()));
    killer.stopAt = Date.now();
    wake();
    await killerDone;
    const killsStoppedAt = Date.now();

    // ---- let the last process resolve everything (bounded) -------------------------------
    let view: DatabaseView = readDatabase(Sqlite, dbFile);
    const settledOutbox = (v: DatabaseView) => v.outbox.every((n) => n.status === 'sent' || n.status === 'dead');
    const allResolved = (v: DatabaseView) => v.escalations.length > 0 && v.escalations.every((e) => e.state === 'resolved');
    let lastProgress = 0;
    while (Date.now() - killsStoppedAt < RESOLVE_CAP_MS) {
      view = readDatabase(Sqlite, dbFile);
      if (allResolved(view) && settledOutbox(view)) break;
      if (Date.now() - lastProgress >= 15_000) {
        lastProgress = Date.now();
        console.log(
          `      +${Math.round((Date.now() - started) / 1000)} s: states ${JSON.stringify(countBy(view.escalations, (e) => e.state))}, ` +
            `outbox ${JSON.stringify(countBy(view.outbox, (n) => n.status))}, tracking rows leased ${view.tracking.filter((t) => t.lease_owner).length}`,
        );
      }
      await sleep(500);
    }
    const resolvedAt = Date.now();

    // ---- every flow, complete or not, answers `refresh` with the card of where it stands ---
    const stateOf = new Map(view.escalations.map((e) => [e.id, e.state]));
    const refreshProblems: string[] = [];
    await pool(specs, CONCURRENCY, async (spec) => {
      const client = new TeamsClient(supervisor.url, double.url, spec.conversationId, { ...limits, maxAttempts: 3, deadline: Date.now() + 30_000 }, clientRandom);
      const state = stateOf.get(spec.escalationId);
      try {
        const { card } = await client.act('refresh', { escalationId: spec.escalationId, flowId: spec.flowId });
        const text = JSON.stringify(card);
        const verb = state ? expectedVerbFor(state) : 'describe';
        if (state && !text.includes(spec.escalationId)) refreshProblems.push(`${spec.escalationId}: refresh card does not name it`);
        if (verb && !cardVerbs(card).includes(verb)) refreshProblems.push(`${spec.escalationId} (${state ?? 'none'}): refresh card offers ${cardVerbs(card).join(',')}, not ${verb}`);
      } catch (error) {
        refreshProblems.push(`${spec.escalationId}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });

    // The last process stops gracefully; its exit is part of what is checked.
    await supervisor.stop(10_000);
    const finished = Date.now();

    // ---- figures -----------------------------------------------------------------------
    const flows = settled.map((s, i) =>
      s.status === 'fulfilled'
        ? s.value
        : { spec: specs[i], actions: [], failures: [], complete: false, lastCardVerbs: [], doneAt: flowsDoneAt, appliedBeforeKill: 0, error: String(s.reason) },
    );
    const allFailures = flows.flatMap((f) => f.failures);
    const connectionFailures = allFailures.filter((f) => f.kind === 'connection');
    const serverFailures = allFailures.filter((f) => f.kind === 'server');
    const flowsWithRetries = flows.filter((f) => f.failures.length > 0).length;
    const redoneActions = flows.reduce((n, f) => n + Math.max(0, f.actions.length - FLOW_STEPS.length), 0);

    const generations = supervisor.generations;
    const generationOfCall = (index: number) => [...generations].reverse().find((g) => g.firstCall <= index);
    const keyed = double.calls
      .map((call, index) => ({ call, index, key: idempotencyKey(call) }))
      .filter((c): c is { call: ConnectorCall; index: number; key: string } => c.key !== undefined && c.call.method === 'POST');
    const deliveries = new Map<string, { call: ConnectorCall; index: number }[]>();
    for (const c of keyed) deliveries.set(c.key, [...(deliveries.get(c.key) ?? []), c]);
    const outboxById = new Map(view.outbox.map((n) => [n.id, n]));
    const duplicates = [...deliveries].filter(([, d]) => d.length > 1);
    const logs = generations.flatMap((g) => parseLog(g.stdout).map((l, i, all) => ({ ...l, generation: g, last: i === all.length - 1 })));
    const resent = logs.filter((l) => l.msg === 'resending a notification whose earlier send may have arrived').length;

    console.log(
      [
        `chaos summary (seed ${seed})`,
        `  time: flows ${Math.round((flowsDoneAt - started) / 1000)} s, killing ${Math.round((killsStoppedAt - started) / 1000)} s, ` +
          `all resolved +${Math.round((resolvedAt - killsStoppedAt) / 1000)} s after the last kill, total ${Math.round((finished - started) / 1000)} s`,
        `  kills ${killer.kills.length}, restarts ${killer.restartMs.length} (median ${[...killer.restartMs].sort((a, b) => a - b)[Math.floor(killer.restartMs.length / 2)] ?? 0} ms), processes ${generations.length}`,
        `  flows: ${flows.filter((f) => f.complete).length}/${FLOWS} complete; ${flowsWithRetries} needed retries; ` +
          `${connectionFailures.length} resends after connection failures, ${serverFailures.length} after server failures; ` +
          `${flows.reduce((n, f) => n + f.appliedBeforeKill, 0)} resends found their step already applied; ${redoneActions} extra actions`,
        `  escalations: ${view.escalations.length}, states ${JSON.stringify(countBy(view.escalations, (e) => e.state))}`,
        `  outbox: ${JSON.stringify(countBy(view.outbox, (n) => `${n.kind}/${n.status}`))}; rows claimed more than once ${view.outbox.filter((n) => n.attempts > 1).length}; resent after reclaim ${resent}`,
        `  notifications delivered: ${keyed.length} (${JSON.stringify(countBy(keyed, (c) => outboxById.get(c.key)?.kind ?? 'unknown'))}); duplicates in the ambiguous window ${duplicates.length}`,
        `  bot warnings/errors: ${JSON.stringify(countBy(logs.filter((l) => l.level >= 40), (l) => `${l.level}:${l.msg}`))}`,
      ]
        .map((l) => `      ${l}`)
        .join('\n'),
    );

    // ---- assertions --------------------------------------------------------------------
    // The flows: every one got to the end (escalated or later), by resending as Teams does.
    const incomplete = flows.filter((f) => !f.complete).map((f) => `${f.spec.escalationId} after ${f.actions.join('>')}: ${'error' in f ? String(f.error) : f.lastCardVerbs.join(',')}`);
    assert.deepEqual(incomplete, [], 'every flow completes with retries');
    assert.deepEqual(
      serverFailures.map((f) => `${f.verb}: ${f.detail}`),
      [],
      'no turn failed or answered 5xx; only unreachable-server resends',
    );
    assert.deepEqual(refreshProblems, [], 'refresh answers every flow with the card of its current step');

    // No escalation lost or doubled: exactly the 100 ids derived from the flow ids.
    assert.equal(view.escalations.length, FLOWS, 'one escalation per flow');
    assert.deepEqual(view.escalations.map((e) => e.id).sort(), specs.map((s) => s.escalationId).sort());
    assert.deepEqual(
      view.escalations.filter((e) => e.state !== 'resolved').map((e) => `${e.id}: ${e.state}`),
      [],
      `every escalation is resolved within ${RESOLVE_CAP_MS / 1000} s of the last kill`,
    );
    const trails = new Map<string, string[]>();
    for (const a of view.audit) trails.set(a.escalation_id, [...(trails.get(a.escalation_id) ?? []), `${a.from_state ?? ''}>${a.to_state}`]);
    assert.deepEqual(
      [...trails].filter(([, t]) => !ALLOWED_TRAILS.includes(t.join(' '))).map(([id, t]) => `${id}: ${t.join(' ')}`),
      [],
      'each audit trail has every transition once, in order',
    );

    // Notifications: one `resolved` row per escalation, sent to its own conversation, delivered.
    const specById = new Map(specs.map((s) => [s.escalationId, s]));
    const notificationProblems: string[] = [];
    for (const spec of specs) {
      const rows = view.outbox.filter((n) => n.escalation_id === spec.escalationId);
      const resolvedRows = rows.filter((n) => n.kind === 'resolved');
      if (resolvedRows.length !== 1) notificationProblems.push(`${spec.escalationId}: ${resolvedRows.length} resolved notifications`);
      if (rows.filter((n) => n.kind === 'attention_needed').length > 1) notificationProblems.push(`${spec.escalationId}: more than one attention notification`);
    }
    // A card update (an earlier event's card becoming the read-only status) is a PUT of the card
    // it replaces, which carries no idempotency key: delivered when the conversation got one naming it.
    const updatesFor = (spec: { escalationId: string; conversationId: string }) =>
      double.calls
        .map((call, index) => ({ call, index }))
        .filter((c) => c.call.method === 'PUT' && c.call.conversationId === spec.conversationId && JSON.stringify(c.call.activity).includes(spec.escalationId));
    for (const row of view.outbox) {
      const spec = specById.get(row.escalation_id);
      const sent = row.kind === 'card_update' && spec ? updatesFor(spec) : (deliveries.get(row.id) ?? []);
      if (!spec) {
        notificationProblems.push(`${row.id}: for an unknown escalation ${row.escalation_id}`);
        continue;
      }
      if (row.status !== 'sent') notificationProblems.push(`${row.id} (${row.kind}, ${spec.escalationId}): ${row.status} ${row.last_error ?? ''}`);
      if (row.target !== conversationKey(PARTNER_TENANT, spec.conversationId)) notificationProblems.push(`${row.id}: target ${row.target}`);
      if (sent.length === 0) notificationProblems.push(`${row.id} (${row.kind}, ${spec.escalationId}): never delivered`);
      for (const d of sent) {
        if (d.call.conversationId !== spec.conversationId) notificationProblems.push(`${row.id}: delivered to ${d.call.conversationId}`);
        if (!JSON.stringify(d.call.activity).includes(spec.escalationId)) notificationProblems.push(`${row.id}: the activity does not name ${spec.escalationId}`);
      }
    }
    for (const key of deliveries.keys()) if (!outboxById.has(key)) notificationProblems.push(`${key}: delivered but not in the outbox`);
    assert.deepEqual(notificationProblems, [], 'every notification is in the outbox once, sent, and delivered to its conversation');

    // A duplicate only where the outbox reclaimed a row a killed process left `sending`:
    // the row was claimed again (attempts > 1), and every delivery but the last came from a
    // process that was SIGKILLed before it could record the send.
    const badDuplicates = duplicates.flatMap(([key, sent]) => {
      const row = outboxById.get(key);
      const from = sent.map((d) => generationOfCall(d.index));
      const problems: string[] = [];
      if (!row || row.attempts < sent.length) problems.push(`${key}: delivered ${sent.length} times with ${row?.attempts ?? 0} claims`);
      if (new Set(from.map((g) => g?.index)).size !== sent.length) problems.push(`${key}: delivered twice by one process (${from.map((g) => g?.index).join(',')})`);
      if (from.slice(0, -1).some((g) => g?.end !== 'killed')) problems.push(`${key}: an earlier delivery came from a process that was not killed`);
      return problems;
    });
    assert.deepEqual(badDuplicates, [], 'duplicates only in the ambiguous window of a reclaimed row');

    // The processes: nothing on stderr but the DEP0111 warning, no error logged, clean exit.
    assert.deepEqual(
      generations.flatMap((g) => unexpectedStderr(g.stderr).map((l) => `process ${g.index}: ${l}`)),
      [],
      'stderr holds only the expected deprecation warning',
    );
    assert.deepEqual(
      logs.filter((l) => l.level >= 50 || (l.level === -1 && !(l.last && l.generation.end === 'killed'))).map((l) => `process ${l.generation.index}: ${l.raw.slice(0, 400)}`),
      [],
      'no error logged, no broken log line but the last of a killed process',
    );
    const last = generations.at(-1);
    assert.equal(last?.end, 'stopped');
    assert.equal(last?.exitCode, 0, 'the last process stops cleanly on SIGTERM');
    assert.ok(generations.slice(0, -1).every((g) => g.end === 'killed'), 'every other process was killed by the killer');
    watch?.assertQuiet();
  });
});
