/**
 * Ping latency with the default settings: the time from a change at Microsoft to the card
 * arriving at the connector, for a Sev A request, a request in attention_needed, a quiet Sev C
 * request and a watched incident, after six hours of quiet. Then the Partner Center read rate
 * of 1,000 open requests at the polling policy's intervals, against the tracker's budget.
 *
 * The real tracker (default settings from src/config/) reads the Partner Center double over
 * HTTP and a Graph-like source through the real health cache (2 minutes' freshness); the real
 * outbox worker sends through the real botbuilder sender to the connector double. Time is
 * simulated (a ManualClock stepped by 1 s): each loop runs as its own loop would, again at once
 * after a round that found work, else after its idle pause (tracker 5 s, outbox 1 s). All
 * figures are simulated seconds; the HTTP calls and database work take no simulated time.
 *
 *   node dist/bench/ping-latency.js
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../src/config';
import { ManualClock } from '../src/domain/clock';
import { createEscalation, transition, type Actor } from '../src/domain/escalation';
import { TenantRequestBudget } from '../src/health/budget';
import { CachedHealthProvider, DEFAULT_FRESHNESS_MS } from '../src/health/cached';
import type { HealthIssue, HealthProvider, Snapshot } from '../src/health/types';
import { UpstreamClient } from '../src/http/upstream';
import { openDatabase, type Database } from '../src/store';
import { PartnerCenterSupportProvider } from '../src/support/partner-center';
import { OutboxWorker } from '../src/tracking/outbox-worker';
import { MICROSOFT_ACTOR, Tracker } from '../src/tracking/tracker';
import { ConnectorDouble, IDEMPOTENCY_KEY_FIELD } from '../test/helpers/connector-double';
import { PartnerCenterDouble } from '../test/helpers/partner-center-double';
import { linkedEscalation, realSender, storeConversation } from '../test/tracking/rig';
import { percentile, sorted } from './support/common';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Trials per kind of escalation, each with its own change time. */
const TRIALS = 12;
/** Quiet before the changes: past the policy's 4-hour window of recent activity. */
const QUIET_MS = 6 * HOUR;
/** The changes happen at random within this span after the quiet. */
const SPREAD_MS = 30 * MINUTE;
const TRACKER_IDLE_MS = 5 * SECOND;
const OUTBOX_IDLE_MS = 1 * SECOND;
const ENGINEER: Actor = { kind: 'user', id: 'bench-engineer' };

type Kind = 'Sev A (escalated)' | 'attention_needed (Sev B)' | 'quiet Sev C' | 'watched incident';

/** One escalation of the latency part and the change Microsoft makes to it. */
interface Trial {
  readonly kind: Kind;
  readonly escalationId: string;
  readonly changeAt: number;
  readonly change: () => void;
  noticedAt?: number;
}

/** mulberry32: seeded, so a run can be repeated. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A Graph-like source: one incident per tenant, resolved when the bench says so. */
function fakeGraph(resolved: ReadonlySet<string>, clock: ManualClock, calls: { count: number }): HealthProvider {
  const issue = (tenantId: string): HealthIssue => ({
    id: `EX${tenantId.slice(-6)}`,
    title: 'Mail delays',
    service: 'Exchange Online',
    impactDescription: '',
    classification: 'incident',
    origin: 'microsoft',
    status: resolved.has(tenantId) ? 'serviceRestored' : 'serviceDegradation',
    isResolved: resolved.has(tenantId),
    startDateTime: '2026-01-05T06:00:00Z',
    lastModifiedDateTime: clock.now().toISOString(),
    details: [],
    posts: [],
  });
  const snapshot = <T>(value: T): Promise<Snapshot<T>> => {
    calls.count++;
    return Promise.resolve({ value, fetchedAt: clock.now().toISOString(), stale: false });
  };
  return {
    getOverview: (tenantId) => snapshot({ tenantId, services: [{ id: 'Exchange', service: 'Exchange Online', status: 'serviceDegradation', issues: [issue(tenantId)] }] }),
    getIssue: (tenantId) => snapshot(issue(tenantId)),
    getPostIncidentReport: () => Promise.resolve(undefined),
  };
}

/** The tracker as the app builds it with the default configuration. */
function defaultTracker(config: Config, db: Database, support: PartnerCenterSupportProvider, health: HealthProvider, clock: ManualClock, logger: Logger): Tracker {
  return new Tracker({
    escalations: db.escalations,
    tracking: db.tracking,
    support,
    health,
    clock,
    logger,
    minIntervalMs: config.tracking.minIntervalMs,
    maxIntervalMs: config.tracking.maxIntervalMs,
    // Graph's cache freshness with HEALTH_CACHE_SECONDS empty.
    incidentIntervalMs: config.health.cacheMs ?? DEFAULT_FRESHNESS_MS,
    requestPollsPerMinute: config.tracking.requestPollsPerMinute,
  });
}

function partnerCenter(pc: PartnerCenterDouble, clock: ManualClock, logger: Logger): PartnerCenterSupportProvider {
  return new PartnerCenterSupportProvider({
    partnerCenterEndpoint: pc.url,
    tokens: { getToken: () => Promise.resolve('pc-user-token-1') },
    http: new UpstreamClient({ upstream: 'Partner Center', logger, clock }),
    logger,
  });
}

/** Runs a loop's rounds as its own loop would: again at once while a round found work. */
async function rounds(run: () => Promise<{ claimed: number }>): Promise<void> {
  for (let guard = 0; guard < 1_000; guard++) {
    if ((await run()).claimed === 0) return;
  }
}

async function latencyPart(config: Config, logger: Logger): Promise<void> {
  const start = Date.parse('2026-01-05T08:00:00Z');
  const clock = new ManualClock(new Date(start));
  const folder = mkdtempSync(join(tmpdir(), 'ed-bench-'));
  const db = await openDatabase({ url: join(folder, 'bench.db') });
  const pc = await PartnerCenterDouble.start({ now: () => clock.now() });
  const connector = await new ConnectorDouble().start();
  const resolvedTenants = new Set<string>();
  const graphCalls = { count: 0 };
  try {
    const health = new CachedHealthProvider({
      inner: fakeGraph(resolvedTenants, clock, graphCalls),
      clock,
      logger,
      budget: new TenantRequestBudget({ clock }),
      freshnessMs: config.health.cacheMs ?? DEFAULT_FRESHNESS_MS,
    });
    const tracker = defaultTracker(config, db, partnerCenter(pc, clock, logger), health, clock, logger);
    const worker = new OutboxWorker({ outbox: db.outbox, conversations: db.conversations, sender: realSender(logger), clock, logger });

    const random = seeded(20261205);
    const trials: Trial[] = [];
    const changeAt = (): number => start + QUIET_MS + Math.floor(random() * SPREAD_MS);
    for (let i = 0; i < TRIALS; i++) {
      const at = clock.now();
      const target = async (name: string): Promise<string> => storeConversation(db, connector, `a:${name}-${i}`);

      const sevA = String(2601050010000000 + i);
      pc.put({ id: sevA, status: 'open', severity: 'critical', createdDate: at.toISOString(), lastModifiedDate: at.toISOString() });
      const a = await linkedEscalation(db, sevA, [await target('sev-a')], at, { severity: 'critical' });
      trials.push({ kind: 'Sev A (escalated)', escalationId: a.id, changeAt: changeAt(), change: () => pc.setStatus(sevA, 'attention_needed', 'Please send the message trace.') });

      const asking = String(2601050020000000 + i);
      pc.put({ id: asking, status: 'attention_needed', severity: 'moderate', createdDate: at.toISOString(), lastModifiedDate: at.toISOString() });
      const linked = await linkedEscalation(db, asking, [await target('attention')], at, { severity: 'moderate' });
      const moved = transition(linked, 'attention_needed', { actor: MICROSOFT_ACTOR, at });
      const b = await db.escalations.update(moved.escalation, linked.version, [moved.event]);
      trials.push({ kind: 'attention_needed (Sev B)', escalationId: b.id, changeAt: changeAt(), change: () => pc.setStatus(asking, 'closed', 'Fixed on our side.') });

      const quiet = String(2601050030000000 + i);
      pc.put({ id: quiet, status: 'open', severity: 'minimal', createdDate: at.toISOString(), lastModifiedDate: at.toISOString() });
      const c = await linkedEscalation(db, quiet, [await target('sev-c')], at, { severity: 'minimal' });
      trials.push({ kind: 'quiet Sev C', escalationId: c.id, changeAt: changeAt(), change: () => pc.setStatus(quiet, 'closed', 'Fixed on our side.') });

      const tenant = `00000000-0000-4000-8000-${String(100_000_000_000 + i).slice(-12)}`;
      const { escalation, event } = createEscalation(
        { id: `ED-INC${String(i).padStart(5, '0')}`, partnerTenantId: 'partner', ownerId: ENGINEER.id, customer: { tenantId: tenant, name: 'Contoso' }, service: 'Exchange Online', title: 'Mail delayed', description: 'd' },
        ENGINEER,
        at,
      );
      const created = await db.escalations.create(escalation, [event]);
      const watch = transition(created, 'known_issue', {
        actor: ENGINEER,
        at,
        details: { knownIssue: { id: `EX${tenant.slice(-6)}`, title: 'Mail delays' }, notifyTargets: [await target('incident')] },
      });
      const d = await db.escalations.update(watch.escalation, created.version, [watch.event]);
      trials.push({ kind: 'watched incident', escalationId: d.id, changeAt: changeAt(), change: () => resolvedTenants.add(tenant) });
    }
    const changes = [...trials].sort((x, y) => x.changeAt - y.changeAt);
    const end = start + QUIET_MS + SPREAD_MS + 35 * MINUTE;
    let trackerAt = start;
    let outboxAt = start;
    let seenCalls = 0;
    let pcCallsBeforeChanges = 0;
    for (let now = start; now <= end; now += SECOND) {
      clock.set(new Date(now));
      while (changes.length > 0 && (changes[0]?.changeAt ?? Number.POSITIVE_INFINITY) <= now) changes.shift()?.change();
      if (now === start + QUIET_MS) pcCallsBeforeChanges = pc.apiRequests().length;
      if (now >= trackerAt) {
        await rounds(() => tracker.runOnce());
        trackerAt = now + TRACKER_IDLE_MS;
      }
      if (now >= outboxAt) {
        await rounds(() => worker.runOnce());
        outboxAt = now + OUTBOX_IDLE_MS;
      }
      for (const call of connector.calls.slice(seenCalls)) {
        const key = (call.activity.channelData as Record<string, unknown> | undefined)?.[IDEMPOTENCY_KEY_FIELD];
        const notification = typeof key === 'string' ? await db.outbox.get(key) : undefined;
        const trial = notification ? trials.find((t) => t.escalationId === notification.escalationId) : undefined;
        if (trial && trial.noticedAt === undefined && now >= trial.changeAt) {
          trial.noticedAt = now;
        }
      }
      seenCalls = connector.calls.length;
      if (trials.every((t) => t.noticedAt !== undefined)) break;
    }

    console.log(`Ping latency, default settings, after ${QUIET_MS / HOUR} h of quiet; ${TRIALS} trials each, change at a random second within ${SPREAD_MS / MINUTE} min (simulated seconds)`);
    console.log('  kind                        interval  median   p90     max    noticed');
    for (const kind of ['Sev A (escalated)', 'attention_needed (Sev B)', 'quiet Sev C', 'watched incident'] as const) {
      const ofKind = trials.filter((t) => t.kind === kind);
      const latencies = sorted(ofKind.filter((t) => t.noticedAt !== undefined).map((t) => ((t.noticedAt ?? 0) - t.changeAt) / SECOND));
      const interval = kind === 'quiet Sev C' ? `${config.tracking.maxIntervalMs / SECOND} s` : kind === 'watched incident' ? `${(config.health.cacheMs ?? DEFAULT_FRESHNESS_MS) / SECOND} s` : `${config.tracking.minIntervalMs / SECOND} s`;
      console.log(
        `  ${kind.padEnd(27)} ${interval.padStart(8)}  ${fmt(percentile(latencies, 50))}  ${fmt(percentile(latencies, 90))}  ${fmt(latencies.at(-1) ?? Number.NaN)}  ${latencies.length}/${ofKind.length}`,
      );
    }
    const quietMinutes = QUIET_MS / MINUTE;
    console.log(
      `  Partner Center reads during the quiet ${QUIET_MS / HOUR} h: ${pcCallsBeforeChanges} for ${TRIALS * 3} requests (${(pcCallsBeforeChanges / quietMinutes).toFixed(1)} per minute); Graph calls in the whole run: ${graphCalls.count} for ${TRIALS} incidents`,
    );
  } finally {
    await connector.stop();
    await pc.close();
    await db.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The open requests of the budget part, by what is at stake. */
const MIX = [
  { name: 'Sev A', count: 40, severity: 'critical', status: 'open', touchedAgoMs: 10 * HOUR },
  { name: 'attention_needed', count: 60, severity: 'moderate', status: 'attention_needed', touchedAgoMs: 10 * HOUR },
  { name: 'touched in the last hour', count: 150, severity: 'moderate', status: 'open', touchedAgoMs: 1 * HOUR },
  { name: 'quiet Sev B', count: 350, severity: 'moderate', status: 'open', touchedAgoMs: 10 * HOUR },
  { name: 'quiet Sev C', count: 400, severity: 'minimal', status: 'open', touchedAgoMs: 10 * HOUR },
] as const;
const BUDGET_RUN_MS = 70 * MINUTE;
/** Measured once the quiet ones have backed off to their caps (30 + 60 + … + 960 s ≈ 32 min). */
const STEADY_FROM_MS = 40 * MINUTE;

async function budgetPart(config: Config, logger: Logger): Promise<void> {
  const start = Date.parse('2026-01-05T08:00:00Z');
  const clock = new ManualClock(new Date(start));
  const folder = mkdtempSync(join(tmpdir(), 'ed-bench-'));
  const db = await openDatabase({ url: join(folder, 'bench.db') });
  const pc = await PartnerCenterDouble.start({ now: () => clock.now() });
  try {
    let n = 0;
    for (const group of MIX) {
      for (let i = 0; i < group.count; i++) {
        const id = String(2601050100000000 + n++);
        const touched = new Date(start - group.touchedAgoMs);
        pc.put({ id, status: group.status, severity: group.severity, createdDate: touched.toISOString(), lastModifiedDate: touched.toISOString() });
        const linked = await linkedEscalation(db, id, [], touched, { severity: group.severity });
        if (group.status === 'attention_needed') {
          const moved = transition(linked, 'attention_needed', { actor: MICROSOFT_ACTOR, at: touched });
          await db.escalations.update(moved.escalation, linked.version, [moved.event]);
        }
      }
    }
    const tracker = defaultTracker(config, db, partnerCenter(pc, clock, logger), fakeGraph(new Set(), clock, { count: 0 }), clock, logger);
    const perMinute: number[] = [];
    let trackerAt = start;
    let minuteStartCalls = 0;
    for (let now = start; now < start + BUDGET_RUN_MS; now += SECOND) {
      clock.set(new Date(now));
      if ((now - start) % MINUTE === 0) {
        const calls = pc.apiRequests().length;
        if (now > start) perMinute.push(calls - minuteStartCalls);
        minuteStartCalls = calls;
      }
      if (now >= trackerAt) {
        await rounds(() => tracker.runOnce());
        trackerAt = now + TRACKER_IDLE_MS;
      }
    }
    perMinute.push(pc.apiRequests().length - minuteStartCalls);
    const steady = perMinute.slice(STEADY_FROM_MS / MINUTE);
    const mean = steady.reduce((sum, v) => sum + v, 0) / steady.length;
    const activeMin = config.tracking.minIntervalMs / MINUTE;
    const expected =
      MIX.filter((g) => g.name !== 'quiet Sev B' && g.name !== 'quiet Sev C').reduce((sum, g) => sum + g.count / activeMin, 0) +
      350 / 10 +
      400 / (config.tracking.maxIntervalMs / MINUTE);
    console.log(`\nPartner Center reads for ${MIX.reduce((sum, g) => sum + g.count, 0)} open requests (${MIX.map((g) => `${g.count} ${g.name}`).join(', ')}), simulated minutes ${STEADY_FROM_MS / MINUTE}-${BUDGET_RUN_MS / MINUTE}:`);
    console.log(`  measured: mean ${mean.toFixed(1)} / min, max ${Math.max(...steady)} / min; first minute ${perMinute[0]} (everything due at once, held to the budget)`);
    console.log(`  policy arithmetic: ${expected.toFixed(1)} / min; tracker budget TRACKING_POLLS_PER_MINUTE = ${config.tracking.requestPollsPerMinute} / min per instance`);
  } finally {
    await pc.close();
    await db.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

function fmt(seconds: number): string {
  return `${Number.isFinite(seconds) ? seconds.toFixed(0) : '-'} s`.padStart(6);
}

async function main(): Promise<void> {
  const config = loadConfig({ env: {}, dotenvPath: null });
  const logger = pino({ level: 'silent' });
  await latencyPart(config, logger);
  await budgetPart(config, logger);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
