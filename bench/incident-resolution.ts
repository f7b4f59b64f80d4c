/**
 * The resolution of one Microsoft incident, fanned out: the owners of the 300 escalations watching
 * it each pinged once, as fast as Teams' limits allow. The real pieces on a SQLite file: the
 * incident recorded with 300 affected customers and its card in the incident channel; the real
 * sweep, one of whose tenant sweeps sees Microsoft's resolution (saves it with the channel's reply,
 * rendered by the real incident card, and polls the watching escalations at once); the real
 * tracker, which observes the incident's record (no Graph read) and moves each escalation to
 * `resolved` with its notification in the same transaction; the real outbox worker and botbuilder
 * sender, to a connector double on 127.0.0.1, on a thread of its own, that ENFORCES Teams' per-conversation and per-tenant limits (429
 * beyond them). Measured from the sweep round that sees the resolution to the last owner's ping,
 * against the lower bound Teams' limits allow for every send of the fan-out (the owners' pings,
 * the channel's reply and card update), in the same run; plus 429s, lost and duplicate pings.
 *
 *   node dist/bench/incident-resolution.js
 *
 * A. 300 owners, one escalation each, each in their own chat (the tenant's 50 / s binds).
 * B. 30 owners with ten escalations each (each chat's 7 / s, 8 / 2 s bind too).
 * C. A with a 100 ms margin configured (OUTBOX_LIMIT_MARGIN_MS=100) on top of the default none.
 * D. A on one PostgreSQL schema with two instances (tracker and outbox each, splitting Teams'
 *    limits through the sender roster), the second killed once a third of the pings are out: its
 *    database pool closed (no claim, no record, no beat, leases never released) and its sends in
 *    flight never answered, as a SIGKILL leaves them. The survivor takes the dead one's leases
 *    over when they run out (10 s here). Its in-flight sends had arrived:
 *    OUTBOX_AMBIGUOUS_RESEND=on sends them again.
 * E. D with the second killed as the sweep round that sees the resolution starts (mid-sweep):
 *    nothing of the fan-out is in flight, so nothing may arrive twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pino from 'pino';
import { PROJECT_ROOT } from '../src/app';
import { CardRenderer } from '../src/cards';
import { systemClock } from '../src/domain/clock';
import type { Incident } from '../src/domain/incidents';
import type { HealthIssue, HealthProvider, Snapshot } from '../src/health/types';
import { Localizer } from '../src/i18n';
import { IncidentSweep } from '../src/incidents';
import { createIncidentCard } from '../src/incidents/parts';
import { openDatabase, type Database } from '../src/store';
import { OutboxWorker } from '../src/tracking/outbox-worker';
import { Tracker } from '../src/tracking/tracker';
import { TEAMS_CONVERSATION_LIMITS, TEAMS_TENANT_LIMITS } from '../test/helpers/connector-double';
import { setIncidentChannel, watchingEscalation } from '../test/incidents/rig';
import { realSender, storeConversation } from '../test/tracking/rig';
import type { ProactiveSender, SendResult } from '../src/tracking/types';
import { createSchema } from './support/common';
import { deliveriesByKey, ThreadedConnector } from './support/connector-thread';
import { lowerBoundMs } from './support/teams-bound';

const INCIDENT = 'EX300001';
const CUSTOMERS = 300;
const ESCALATIONS = 300;
/** The bench gives up (and says so) beyond this. */
const DEADLINE_MS = 3 * 60_000;
/** The outbox worker's margin: its default (none: its windows are held from the sends' answers), and C: 100 ms. */
const DEFAULT_MARGIN_MS = 0;
interface Scenario {
  readonly name: string;
  readonly owners: number;
  readonly marginMs: number;
  /** Two instances on PostgreSQL, the second killed mid-fan-out or as the sweep round starts. */
  readonly kill?: 'fan-out' | 'sweep';
}
/** Leases of both workers in D, so the dead instance's work is taken over within the run. */
const KILL_LEASE_MS = 10_000;
const SCENARIOS: readonly Scenario[] = [
  { name: 'A. 300 escalations of 300 owners, each in their own chat (the tenant limit binds)', owners: 300, marginMs: DEFAULT_MARGIN_MS },
  { name: 'B. 300 escalations of 30 owners, ten each (the conversation limits bind too)', owners: 30, marginMs: DEFAULT_MARGIN_MS },
  { name: 'C. as A, the outbox holding every window 100 ms wider (OUTBOX_LIMIT_MARGIN_MS=100)', owners: 300, marginMs: 100 },
  { name: 'D. as A on PostgreSQL with two instances, the second killed when a third of the pings are out', owners: 300, marginMs: DEFAULT_MARGIN_MS, kill: 'fan-out' },
  { name: 'E. as D, the second killed mid-sweep (as the round that sees the resolution starts)', owners: 300, marginMs: DEFAULT_MARGIN_MS, kill: 'sweep' },
];

/** A sender of an instance that can die: after `kill()` nothing it sends is answered, and what was in flight is never recorded. */
class MortalSender implements ProactiveSender {
  killed = false;
  inFlightAtKill = 0;
  answered = 0;
  private inFlight = 0;
  private readonly hung: Array<() => void> = [];
  constructor(private readonly real: ProactiveSender) {}
  kill(): void {
    this.killed = true;
    this.inFlightAtKill = this.inFlight;
  }
  /** Lets the hung calls end (after the run), so the dead instance's loops can be stopped. */
  release(): void {
    for (const end of this.hung.splice(0)) end();
  }
  send(...args: Parameters<ProactiveSender['send']>): Promise<SendResult> {
    return this.guard(() => this.real.send(...args));
  }
  update(...args: Parameters<ProactiveSender['update']>): Promise<SendResult> {
    return this.guard(() => this.real.update(...args));
  }
  lookup(...args: Parameters<ProactiveSender['lookup']>): ReturnType<ProactiveSender['lookup']> {
    return this.real.lookup(...args);
  }
  private async guard(work: () => Promise<SendResult>): Promise<SendResult> {
    if (this.killed) return this.hang();
    this.inFlight++;
    try {
      const result = await work();
      if (this.killed) return await this.hang();
      this.answered++;
      return result;
    } finally {
      this.inFlight--;
    }
  }
  private hang(): Promise<SendResult> {
    return new Promise((resolve) => this.hung.push(() => resolve({ ok: false, kind: 'retry' })));
  }
}

const tenant = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const quiet = pino({ level: 'silent' });

/** Microsoft's issue as every affected tenant's service health shows it, open or resolved. */
function issue(resolved: boolean, at: string): HealthIssue {
  return {
    id: INCIDENT,
    title: 'Users may be unable to send mail to external recipients',
    service: 'Exchange Online',
    impactDescription: 'Mail to external recipients is delayed.',
    classification: 'incident',
    origin: 'microsoft',
    status: resolved ? 'serviceRestored' : 'serviceDegradation',
    isResolved: resolved,
    startDateTime: '2025-03-10T08:00:00.000Z',
    lastModifiedDateTime: at,
    details: [],
    posts: [{ createdDateTime: at, postType: 'regular', contentType: 'html', content: resolved ? 'The issue is resolved.' : 'We are investigating.' }],
  };
}

/** The incident as the sweep recorded it before the resolution: 300 customers, open. */
function recorded(at: string): Incident {
  const i = issue(false, at);
  return {
    id: INCIDENT,
    service: i.service,
    classification: i.classification,
    status: i.status,
    title: i.title,
    impactDescription: i.impactDescription,
    posts: i.posts,
    startDateTime: i.startDateTime,
    lastModifiedDateTime: at,
    resolved: false,
    postIncidentReview: false,
    detectedAt: at,
    updatedAt: at,
    customers: Array.from({ length: CUSTOMERS }, (_, n) => ({ tenantId: tenant(n), name: `Customer ${String(n).padStart(4, '0')}`, firstSeenAt: at, lastSeenAt: at })),
  };
}

async function main(): Promise<void> {
  let failed = false;
  // `A`..`E` runs that scenario alone.
  const only = process.argv[2]?.toUpperCase();
  for (const scenario of SCENARIOS.filter((s) => !only || s.name.startsWith(`${only}.`))) {
    console.log(`\n${scenario.name}`);
    failed = !(await run(scenario)) || failed;
  }
  if (failed) process.exitCode = 1;
}

/**
 * Runs one scenario; false when an owner was pinged twice or not at all, a 429 came back, or the
 * time exceeds 1.05 × the lower bound Teams' limits allow (with a configured margin, C: the bound
 * with every window that much wider).
 */
async function run({ owners, marginMs, kill }: Scenario): Promise<boolean> {
  const folder = mkdtempSync(join(tmpdir(), 'ed-bench-resolution-'));
  const schema = kill ? await createSchema() : undefined;
  const db = await openDatabase(schema ? { url: schema.url, poolSize: 8 } : { url: join(folder, 'bench.db') });
  const second: Database | undefined = schema ? await openDatabase({ url: schema.url, poolSize: 8 }) : undefined;
  let secondClosed = false;
  const mortal = new MortalSender(realSender(quiet));
  const connector = await ThreadedConnector.start(TEAMS_CONVERSATION_LIMITS, TEAMS_TENANT_LIMITS);
  const clock = systemClock;
  try {
    const before = new Date(clock.now().getTime() - 10 * 60_000).toISOString();
    const channel = await setIncidentChannel(db, connector.url, clock.now());
    // The incident's card was posted ten minutes ago: its thread exists, its update window is over.
    const threadId = `${channel.conversationId};messageid=card-1`;
    const threadKey = await storeConversation(db, connector, threadId, 'partner');
    await db.incidents.save({
      incident: recorded(before),
      expectedVersion: 0,
      card: { channel: channel.key, postId: 'post-1', postedAt: before, lastUpdateAt: before, heldReplies: [], activityId: 'card-1', threadKey },
    });
    const ownerChats: string[] = [];
    for (let o = 0; o < owners; o++) ownerChats.push(await storeConversation(db, connector, `a:owner-${o}`, 'partner'));
    const expected = new Map<string, string>();
    for (let e = 0; e < ESCALATIONS; e++) {
      const id = `ED-${String(e).padStart(8, '0')}`;
      const owner = e % owners;
      await watchingEscalation(db, clock.now(), { id, tenantId: tenant(e % CUSTOMERS), customer: `Customer ${e}`, incidentId: INCIDENT, target: ownerChats[owner] ?? '', ownerId: `owner-${owner}` });
      expected.set(id, `a:owner-${owner}`);
    }

    // Microsoft's side: every affected tenant lists the issue, resolved once `resolved` is set.
    const state = { resolved: false, at: before };
    const snapshot = <T>(value: T): Promise<Snapshot<T>> => Promise.resolve({ value, fetchedAt: clock.now().toISOString(), stale: false });
    const health: Pick<HealthProvider, 'getOverview' | 'getIssue'> = {
      getOverview: (tenantId) => snapshot({ tenantId, services: [{ id: 'Exchange', service: 'Exchange Online', status: state.resolved ? 'serviceOperational' : 'serviceDegradation', issues: [issue(state.resolved, state.at)] }] }),
      getIssue: () => snapshot(issue(state.resolved, state.at)),
    };
    const customers = Array.from({ length: CUSTOMERS }, (_, n) => ({ tenantId: tenant(n), companyName: `Customer ${String(n).padStart(4, '0')}`, domain: `c${n}.example` }));
    const card = createIncidentCard({
      database: db,
      cards: new CardRenderer(join(PROJECT_ROOT, 'cards')),
      localizer: new Localizer(join(PROJECT_ROOT, 'locales')),
      directory: { list: () => Promise.resolve(customers) },
      clock,
      logger: quiet,
      cardTiming: { windowMs: 60_000, postCheckMs: 5_000 },
      tab: { localTabUrl: 'http://127.0.0.1:3978/tab/index.html' },
      reminderPeriodMs: 4 * 3_600_000,
    });
    const tracker = new Tracker({ escalations: db.escalations, tracking: db.tracking, support: { source: 'sandbox', getRequest: () => Promise.reject(new Error('no requests')), listCustomerRequests: () => Promise.resolve([]), addNote: () => Promise.resolve(undefined), setStatus: () => Promise.resolve(undefined) }, health, incidents: db.incidents, clock, logger: quiet, idleMs: 20 });
    const sweep = new IncidentSweep({ directory: { list: () => Promise.resolve(customers) }, health, incidents: db.incidents, sweeps: db.incidentSweeps, outbox: db.outbox, conversations: db.conversations, clock, logger: quiet, render: card.render, pollNow: (id) => tracker.pollNow(id) });
    // D: as the bot runs them, the instances split Teams' limits through the sender roster (half each while both beat).
    const share = second ? { leaseMs: KILL_LEASE_MS } : {};
    const worker = new OutboxWorker({ outbox: db.outbox, conversations: db.conversations, sender: realSender(quiet), clock, logger: quiet, batchSize: 400, concurrency: 64, idleMs: 20, limitMarginMs: marginMs, roster: db.outbox, ...share });
    // D's second instance: its own tracker and outbox worker over its own pool.
    const tracker2 = second
      ? new Tracker({ escalations: second.escalations, tracking: second.tracking, support: { source: 'sandbox', getRequest: () => Promise.reject(new Error('no requests')), listCustomerRequests: () => Promise.resolve([]), addNote: () => Promise.resolve(undefined), setStatus: () => Promise.resolve(undefined) }, health, incidents: second.incidents, clock, logger: quiet, idleMs: 20, leaseMs: KILL_LEASE_MS })
      : undefined;
    const worker2 = second
      ? new OutboxWorker({ outbox: second.outbox, conversations: second.conversations, sender: mortal, clock, logger: quiet, batchSize: 400, concurrency: 64, idleMs: 20, limitMarginMs: marginMs, roster: second.outbox, ...share })
      : undefined;
    // The schedule holds every customer; their turns come later in the interval. The escalations' watches were polled once (open).
    await sweep.runOnce();
    while ((await tracker.runOnce()).claimed > 0);
    tracker.start();
    worker.start();
    tracker2?.start();
    worker2?.start();

    // Microsoft resolves it; the next tenant swept sees it.
    state.resolved = true;
    state.at = clock.now().toISOString();
    await db.incidentSweeps.sweepSoon([tenant(0)], clock.now());
    const toOwners = async (): Promise<number> => (await connector.snapshot()).calls.filter((c) => c.method === 'POST' && c.conversationId.startsWith('a:owner-')).length;
    const started = Date.now();
    let killedAt = 0;
    // D: the second instance dies once a third of the pings are out (during the sweep round or after it); E: at once.
    const killer = (async () => {
      if (!second) return;
      const after = kill === 'fan-out' ? ESCALATIONS / 3 : 0;
      while ((await toOwners()) < after && Date.now() - started < DEADLINE_MS) await delay(2);
      killedAt = Date.now() - started;
      mortal.kill();
      secondClosed = true;
      await second.close();
    })();
    await sweep.runOnce();
    const detectedMs = Date.now() - started;
    let finished = 0;
    const marks: string[] = [];
    while (Date.now() - started < DEADLINE_MS) {
      const n = await toOwners();
      if (process.env.BENCH_TRACE && (marks.length === 0 ? n > 0 : n >= Number(marks[marks.length - 1]?.split(':')[0]) + 50)) marks.push(`${n}:${Date.now() - started}`);
      if (n >= ESCALATIONS && finished === 0) finished = Date.now();
      if (finished !== 0 && Date.now() - finished > 2_000) break; // and nothing more comes
      await delay(5);
    }
    const elapsed = (finished || Date.now()) - started;
    await killer;
    if (process.env.BENCH_TRACE) console.log(`  trace (pings delivered: ms): ${marks.join(' ')}`);
    await tracker.stop();
    await worker.stop();
    mortal.release();
    await Promise.all([tracker2?.stop(), worker2?.stop()]);

    // Lost: an escalation whose ping did not reach its owner's chat; duplicates: any key twice.
    const seen = await connector.snapshot();
    const byKey = deliveriesByKey(seen.calls);
    const duplicateKeys = [...byKey.values()].filter((calls) => calls.length > 1).length;
    let lost = 0;
    for (const [id, chat] of expected) {
      const rows = (await db.outbox.listForEscalation(id)).filter((n) => n.kind === 'resolved');
      const delivered = rows.flatMap((n) => byKey.get(n.id) ?? []);
      // A second delivery of the same key is a duplicate (counted below), not a loss.
      if (rows.length !== 1 || delivered.length === 0 || delivered.some((c) => c.conversationId !== chat)) lost++;
    }
    const perOwner = new Map<string, number>();
    const pings = seen.calls.filter((c) => c.method === 'POST' && c.conversationId.startsWith('a:owner-')).length;
    for (const c of seen.calls) if (c.method === 'POST' && c.conversationId.startsWith('a:owner-')) perOwner.set(c.conversationId, (perOwner.get(c.conversationId) ?? 0) + 1);
    const inThread = seen.calls.filter((c) => c.conversationId === threadId);
    const perConversation = [...Array.from({ length: owners }, () => ESCALATIONS / owners), inThread.length];
    const bound = lowerBoundMs(owners + 1, perConversation);
    const ratio = elapsed / Math.max(bound, 1);
    // The same schedule with every window as wide as the outbox held it at the end (Teams' windows + its margin).
    const heldMargin = worker.limitMarginMs;
    const held = lowerBoundMs(owners + 1, perConversation, heldMargin);
    const heldRatio = elapsed / Math.max(held, 1);
    const resolved = (await Promise.all([...expected.keys()].map((id) => db.escalations.get(id)))).filter((e) => e?.state === 'resolved').length;
    const killLines = second
      ? [
          `second instance killed:               at ${(killedAt / 1000).toFixed(2)} s with ${mortal.inFlightAtKill} send(s) in flight (arrived, never recorded); leases ${KILL_LEASE_MS / 1000} s`,
          `sends answered to the second instance: ${mortal.answered} before it died`,
        ]
      : [];
    const lines = [
      ...killLines,
      `sweep round that saw the resolution:  ${detectedMs} ms (saved it with the channel's messages, polled the ${ESCALATIONS} watches at once)`,
      `escalations resolved by the tracker:  ${resolved} / ${ESCALATIONS} (the incident's record, no Graph read)`,
      `owner pings delivered:                ${pings} / ${ESCALATIONS} to ${owners} chats in ${(elapsed / 1000).toFixed(2)} s from that round`,
      `incident channel:                     ${inThread.filter((c) => c.method === 'POST').length} reply (the resolution), ${inThread.filter((c) => c.method === 'PUT').length} card update`,
      `lower bound from Teams limits:        ${(bound / 1000).toFixed(2)} s for ${perConversation.reduce((a, b) => a + b, 0)} sends (per conversation 7/1 s, 8/2 s, 60/30 s, 1800/h; tenant 50/s)`,
      `ratio (time / lower bound):           ${ratio.toFixed(3)} (the margin alone makes it ≥ ${(held / Math.max(bound, 1)).toFixed(3)})`,
      `bound as the outbox holds it:         windows ${heldMargin} ms wider (${heldMargin === marginMs ? 'as configured' : `raised from ${marginMs} by a 429`}): bound ${(held / 1000).toFixed(2)} s, ratio ${heldRatio.toFixed(3)}`,
      `target:                               ≤ 1.05 × Teams' own bound${marginMs > 0 ? ' (C: ≤ 1.05 × the bound with its margin)' : ''}`,
      `429s received from the connector:     ${seen.throttled}`,
      `lost pings:                           ${lost}`,
      `duplicate pings:                      ${duplicateKeys} (an owner chat with more pings than escalations: ${[...perOwner.values()].filter((n) => n > ESCALATIONS / owners).length})`,
    ];
    console.log(lines.map((l) => `  ${l}`).join('\n'));
    // D: every ping delivered, and a duplicate only for a send the dead instance had in flight (OUTBOX_AMBIGUOUS_RESEND=on).
    const ok = second
      ? lost === 0 && duplicateKeys <= mortal.inFlightAtKill && seen.throttled === 0 && resolved === ESCALATIONS
      : lost === 0 && duplicateKeys === 0 && seen.throttled === 0 && resolved === ESCALATIONS && (marginMs > 0 ? heldRatio : ratio) <= 1.05;
    console.log(`  ${ok ? 'OK' : 'FAILED'}`);
    return ok;
  } finally {
    await connector.stop();
    await db.close();
    if (second && !secondClosed) await second.close();
    await schema?.drop();
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
