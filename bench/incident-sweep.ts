/**
 * The incident sweep at a partner's scale: 1,000 customer tenants behind a Graph double that
 * enforces Graph's limits (240 / 60 s and 800 / hour per tenant, 429 with Retry-After), one
 * incident appearing in 300 of them mid-run.
 *
 * A. One instance (SQLite temp file), three sweep intervals of simulated time (a ManualClock
 *    stepped by 1 s; each step runs one sweep round and one outbox round): time from the
 *    incident's appearance to its detection and to its 300th customer, against the interval;
 *    Graph calls per tenant per sweep against 1 + its pages; 429s; token requests per tenant;
 *    every tenant once per interval; incident card updates against the coalescing window.
 * B. The same with two instances sharing one PostgreSQL schema (two pools, each with its own
 *    health cache, budget and MSAL token cache, as two processes have); one is stopped in the
 *    middle of a sweep (in-process: its Graph reads never answer again and it runs no more rounds,
 *    which is what the other instance sees of a SIGKILLed process: leases that are never released).
 * C. The real bot process, started as `npm start` starts it, WORKERS=on, sweeping 1,000 tenants
 *    (wall clock, INCIDENT_SWEEP_MINUTES=1) with 50 open incidents: its resident memory.
 *
 *   node dist/bench/incident-sweep.js [A|B|C]   (after npm run build; PostgreSQL for B; all three without an argument)
 *
 * MSAL keeps tokens by the wall clock (one hour): the simulated runs are shorter than a token's
 * life, so "≤ 1 token per tenant per lifetime" reads as ≤ 1 per tenant per instance here.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import pino from 'pino';
import { ManualClock, systemClock } from '../src/domain/clock';
import { firstSweepAt } from '../src/domain/sweep-schedule';
import { createHealthProvider, type HealthProvider } from '../src/health';
import { IncidentSweep } from '../src/incidents';
import { openDatabase, type Database } from '../src/store';
import { OutboxWorker } from '../src/tracking/outbox-worker';
import type { ProactiveSender } from '../src/tracking/types';
import { setIncidentChannel } from '../test/incidents/rig';
import { createSchema, startCommand } from './support/common';
import { GraphLimitsDouble, graphIssue, type TenantHealth } from './support/graph-double';

const TENANTS = 1_000;
const AFFECTED = 300;
const INTERVAL = 5 * 60_000;
const RUN = 3 * INTERVAL;
const APPEAR_AT = 1.25 * INTERVAL;
const STOP_AT = 1.5 * INTERVAL;
const CARD_WINDOW = 60_000;
const LEASE = 120_000;
const INCIDENT = 'EX300001';
const START = Date.parse('2025-03-10T09:58:00Z');
const MEMORY_INCIDENTS = 50;
const LIMIT_MB = 200;
/** RSS samples of part C, one per sweep interval (BENCH_MEMORY_SAMPLES, default 3). */
const MEMORY_SAMPLES = Math.max(1, Number(process.env.BENCH_MEMORY_SAMPLES ?? 3));

const tenant = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const indexOf = (t: string): number => parseInt(t.slice(-12), 16);
/** 300 of the 1,000, spread over the list (and so over the interval). */
const affected = (i: number): boolean => i % 10 < 3;
/** One tenant in 20 has an overview of two pages. */
const pagesOf = (i: number): 1 | 2 => (i % 20 === 0 ? 2 : 1);
const quiet = pino({ level: 'silent' });

/** Every tenant shows an advisory the default filter leaves out; 300 show the incident from APPEAR_AT. */
function scenarioHealth(t: string, at: number): TenantHealth {
  const i = indexOf(t);
  const advisory = { serviceId: 'Exchange', service: 'Exchange Online', issue: graphIssue('EX225130', 'Exchange Online', START - 3_600_000, { classification: 'Advisory' }) };
  const incident = { serviceId: 'microsoftteams', service: 'Microsoft Teams', issue: graphIssue(INCIDENT, 'Microsoft Teams', START + APPEAR_AT) };
  return { pages: pagesOf(i), issues: affected(i) && at >= START + APPEAR_AT ? [advisory, incident] : [advisory] };
}

/** A sender that takes every message at once and records the card updates (the outbox worker's real path, no HTTP). */
class RecordingSender implements ProactiveSender {
  readonly updates: Array<{ activityId: string; at: number }> = [];
  private next = 1;
  constructor(private readonly clock: ManualClock) {}
  send(): ReturnType<ProactiveSender['send']> {
    return Promise.resolve({ ok: true, activityId: `activity-${this.next++}` });
  }
  update(_target: unknown, activityId: string): ReturnType<ProactiveSender['update']> {
    this.updates.push({ activityId, at: this.clock.now().getTime() });
    return Promise.resolve({ ok: true, activityId });
  }
  lookup(): ReturnType<ProactiveSender['lookup']> {
    return Promise.resolve({ found: 'unknown' });
  }
}

/** One bot instance: its own health provider (cache, budget, MSAL), sweep and outbox worker, over `db`. */
function instance(db: Database, clock: ManualClock, graph: GraphLimitsDouble, owner: string, sender: ProactiveSender) {
  const { provider } = createHealthProvider({
    source: 'graph',
    logger: quiet,
    clock,
    loginEndpoint: graph.url,
    graphEndpoint: graph.url,
    credentials: { clientId: '11111111-2222-4333-8444-555555555555', clientSecret: 'bench-graph-secret' },
    cache: { maxTenants: 2 * TENANTS },
  });
  // Stopping makes every later read hang, as a killed process's calls do; `release` ends them at the end of the run.
  const control = { stopped: false, release: (): void => undefined };
  const hang = new Promise<never>((_, reject) => {
    control.release = () => reject(new Error('stopped'));
  });
  hang.catch(() => undefined);
  const health: Pick<HealthProvider, 'getOverview' | 'getIssue'> = {
    getOverview: (t) => (control.stopped ? hang : provider.getOverview(t)),
    getIssue: (t, id, o) => (control.stopped ? hang : provider.getIssue(t, id, o)),
  };
  const customers = Array.from({ length: TENANTS }, (_, i) => ({ tenantId: tenant(i), companyName: `Customer ${String(i).padStart(4, '0')}`, domain: `c${i}.example` }));
  const sweep = new IncidentSweep({
    directory: { list: () => Promise.resolve(customers) },
    health,
    incidents: db.incidents,
    sweeps: db.incidentSweeps,
    outbox: db.outbox,
    conversations: db.conversations,
    clock,
    logger: quiet,
    owner,
    intervalMs: INTERVAL,
    leaseMs: LEASE,
    cardTiming: { windowMs: CARD_WINDOW, postCheckMs: 5_000 },
  });
  const worker = new OutboxWorker({ outbox: db.outbox, conversations: db.conversations, sender, clock, logger: quiet, owner: `outbox-${owner}` });
  return { sweep, worker, control, provider };
}

/** Runs the scenario with `instances` instances (the second stopped at STOP_AT when `stop`), and reports. */
async function simulate(label: string, dbs: Database[], stop: boolean): Promise<boolean> {
  const clock = new ManualClock(new Date(START));
  const graph = await new GraphLimitsDouble(clock, scenarioHealth).start();
  const sender = new RecordingSender(clock);
  const nodes = dbs.map((db, n) => instance(db, clock, graph, `instance-${n + 1}`, sender));
  await setIncidentChannel(dbs[0], 'http://127.0.0.1:9/', clock.now());
  const wall = Date.now();
  let hung: Promise<unknown> | undefined;
  const leasedAtStop: string[] = [];
  for (let t = 0; t < RUN; t += 1_000) {
    if (stop && t === STOP_AT) {
      const dead = nodes[1];
      dead.control.stopped = true;
      hung = dead.sweep.runOnce().catch(() => undefined);
      await sleep(50);
      for (const row of (await dbs[0].incidentSweeps.list({ limit: 500 })).items) if (row.leaseOwner === 'instance-2') leasedAtStop.push(row.tenantId);
    }
    const live = nodes.filter((n) => !n.control.stopped);
    await Promise.all(live.map((n) => n.sweep.runOnce()));
    await Promise.all(live.map((n) => n.worker.runOnce()));
    clock.advance(1_000);
  }
  const wallS = (Date.now() - wall) / 1000;

  // Graph calls per tenant per sweep: the requests of one tenant at one instant are one sweep.
  const sweeps = new Map<string, { overview: number; page: number; issue: number }>();
  for (const c of graph.calls) {
    if (c.kind === 'throttled') continue;
    const key = `${c.tenant}@${c.at}`;
    const s = sweeps.get(key) ?? { overview: 0, page: 0, issue: 0 };
    s[c.kind]++;
    sweeps.set(key, s);
  }
  let maxCalls = 0;
  let maxBeyond = 0;
  for (const [key, s] of sweeps) {
    const pages = pagesOf(indexOf(key.split('@')[0] ?? ''));
    maxCalls = Math.max(maxCalls, s.overview + s.page + s.issue);
    maxBeyond = Math.max(maxBeyond, s.overview + s.page + s.issue - pages);
  }
  // Sweeps per tenant per turn (its phase's windows of the interval), over the turns the run covers.
  const perTurn = new Map<string, number>();
  for (const c of graph.calls.filter((x) => x.kind === 'overview')) {
    const turn = Math.floor((c.at - firstSweepAt(c.tenant, START, INTERVAL)) / INTERVAL);
    perTurn.set(`${c.tenant}#${turn}`, (perTurn.get(`${c.tenant}#${turn}`) ?? 0) + 1);
  }
  const turns = [0, 1].flatMap((turn) => Array.from({ length: TENANTS }, (_, i) => perTurn.get(`${tenant(i)}#${turn}`) ?? 0));
  const tokens = [...graph.tokens.values()];
  const stored = await dbs[0].incidents.get(INCIDENT);
  const customers = stored?.incident.customers ?? [];
  const appeared = START + APPEAR_AT;
  const detected = stored ? Date.parse(stored.incident.detectedAt) - appeared : Number.NaN;
  const allSeen = Math.max(...customers.map((c) => Date.parse(c.firstSeenAt))) - appeared;
  const cardActivity = stored?.card?.activityId;
  const updates = sender.updates.filter((u) => u.activityId === cardActivity).map((u) => u.at);
  const gaps = updates.slice(1).map((at, i) => at - (updates[i] ?? 0));
  const cards = (await dbs[0].outbox.listForEscalation(`incident:${INCIDENT}`)).filter((n) => n.kind === 'incident_card').length;
  // `health <customer>` for every tenant the first instance swept in the last 2 minutes (the cache's freshness).
  const recent = [...new Set(graph.calls.filter((c) => c.kind === 'overview' && c.at > clock.now().getTime() - 110_000).map((c) => c.tenant))];
  const before = graph.calls.length;
  for (const t of recent) await nodes[0].provider.getOverview(t);
  const lookupCalls = graph.calls.length - before;

  console.log(`\n${label}: ${TENANTS.toLocaleString('en-US')} tenants, incident in ${AFFECTED} from ${APPEAR_AT / 60_000} min, ${RUN / 60_000} simulated minutes in ${wallS.toFixed(1)} s wall`);
  console.log(`  detection after appearance:         ${(detected / 1000).toFixed(0)} s (first tenant) = ${(detected / INTERVAL).toFixed(3)} × interval`);
  console.log(`  all ${customers.length} customers recorded after:   ${(allSeen / 1000).toFixed(0)} s = ${(allSeen / INTERVAL).toFixed(3)} × interval`);
  console.log(`  Graph calls per tenant per sweep:   max ${maxCalls}; beyond 1 + its pages: max ${maxBeyond}`);
  console.log(`  sweeps per tenant per interval:     min ${Math.min(...turns)}, max ${Math.max(...turns)} (first two intervals, every tenant)`);
  console.log(`  429 answers from Graph:             ${graph.throttledCount()}`);
  console.log(`  token requests per tenant:          max ${Math.max(...tokens)} for ${dbs.length} instance(s) (${tokens.length} tenants asked)`);
  console.log(`  sweep cost:                         ${((wallS * 1000) / sweeps.size).toFixed(2)} ms wall per tenant sweep (Graph double, store, outbox round included)`);
  console.log(`  health lookups right after a sweep: ${recent.length} lookups, ${lookupCalls} Graph calls`);
  console.log(`  incident cards posted:              ${cards}; card updates ${updates.length}, min gap ${gaps.length ? (Math.min(...gaps) / 1000).toFixed(0) : '–'} s (window ${CARD_WINDOW / 1000} s)`);
  if (stop) {
    const late = leasedAtStop.map((t) => {
      const swept = graph.calls.find((c) => c.kind === 'overview' && c.tenant === t && c.at >= START + STOP_AT);
      return swept ? swept.at - (START + STOP_AT) : Number.NaN;
    });
    console.log(`  stopped mid-sweep at ${STOP_AT / 60_000} min holding ${leasedAtStop.length} tenant(s): taken over after ${late.map((ms) => `${(ms / 1000).toFixed(0)} s`).join(', ')} (lease ${LEASE / 1000} s)`);
  }
  for (const n of nodes) n.control.release();
  await hung;
  await graph.stop();
  const ok =
    customers.length === AFFECTED &&
    detected <= INTERVAL &&
    maxBeyond <= 0 &&
    Math.max(...turns) === 1 &&
    Math.min(...turns) === 1 &&
    graph.throttledCount() === 0 &&
    Math.max(...tokens) <= dbs.length &&
    cards === 1 &&
    lookupCalls === 0 &&
    gaps.every((g) => g >= CARD_WINDOW);
  console.log(`  ${ok ? 'OK' : 'FAILED'}`);
  return ok;
}

/** Resident memory of another process, from /proc (Linux). */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 'NaN') * 1024;
}

/** C: the bot process sweeping 1,000 tenants with 50 open incidents. */
async function memory(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'ed-bench-sweep-'));
  const size = (k: number): number => 10 + Math.round((k * 290) / (MEMORY_INCIDENTS - 1));
  const services = ['Exchange Online', 'Microsoft Teams', 'SharePoint Online', 'Microsoft Intune'];
  const ids = ['Exchange', 'microsoftteams', 'SharePoint', 'Intune'];
  const issues = Array.from({ length: MEMORY_INCIDENTS }, (_, k) => ({ serviceId: ids[k % 4] ?? 'Exchange', service: services[k % 4] ?? '', issue: graphIssue(`MO${300100 + k}`, services[k % 4] ?? '', Date.now() - 3_600_000) }));
  const graph = await new GraphLimitsDouble(systemClock, (t) => {
    const i = indexOf(t);
    return { pages: pagesOf(i), issues: issues.filter((_, k) => (i * 7919 + k * 104_729) % TENANTS < size(k)) };
  }).start();
  const seed = join(dir, 'customers.json');
  writeFileSync(seed, JSON.stringify({ customers: Array.from({ length: TENANTS }, (_, i) => ({ tenantId: tenant(i), companyName: `Customer ${i}`, domain: `c${i}.example`, healthOverviews: [] })) }));
  const { flags, entry } = startCommand();
  const port = 39_000 + Math.floor(Math.random() * 900);
  const child = spawn(process.execPath, [...flags, entry], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dir, 'desk.db')}`,
      HEALTH_SOURCE: 'graph',
      GRAPH_ENDPOINT: graph.url,
      LOGIN_ENDPOINT: graph.url,
      GRAPH_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
      GRAPH_CLIENT_SECRET: `bench-${randomUUID()}`,
      DIRECTORY_SOURCE: 'sandbox',
      SANDBOX_HEALTH_FILE: seed,
      INCIDENT_SWEEP_MINUTES: '1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const pid = child.pid ?? 0;
    await sleep(3_000);
    const started = rssOf(pid);
    const swept = () => new Set(graph.calls.filter((c) => c.kind === 'overview').map((c) => c.tenant)).size;
    const deadline = Date.now() + 150_000;
    while (swept() < TENANTS && Date.now() < deadline) await sleep(1_000);
    await sleep(5_000);
    // Then one sample per further interval (the sweep runs every minute here).
    const samples = [rssOf(pid)];
    for (let n = 1; n < MEMORY_SAMPLES; n++) {
      await sleep(60_000);
      samples.push(rssOf(pid));
    }
    const db = new BetterSqlite3(join(dir, 'desk.db'), { readonly: true });
    const { incidents, customers } = db.prepare('SELECT (SELECT count(*) FROM incidents) AS incidents, (SELECT count(*) FROM incident_customers) AS customers').get() as { incidents: number; customers: number };
    db.close();
    const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MB`;
    console.log(`\nC. The bot process (${[...flags, 'dist/src/index.js'].join(' ')}, WORKERS=on, INCIDENT_SWEEP_MINUTES=1), wall clock`);
    console.log(`  tenants swept ${swept()}, incidents ${incidents} open, affected customers ${customers} (${(customers / TENANTS).toFixed(1)} incidents per tenant), 429s ${graph.throttledCount()}`);
    console.log(`  rss: started ${mb(started)}; after each sweep of all tenants ${samples.map(mb).join(', ')} (target < ${LIMIT_MB} MB; no forced GC)`);
    const ok = Math.max(...samples) < LIMIT_MB * 1024 * 1024 && incidents === MEMORY_INCIDENTS && swept() === TENANTS;
    console.log(`  ${ok ? 'OK' : 'FAILED'}`);
    return ok;
  } finally {
    child.kill('SIGTERM');
    await exited;
    await graph.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results: boolean[] = [];
  // `A`, `B` or `C` runs that part alone.
  const only = process.argv[2]?.toUpperCase();
  if (only === 'C') {
    if (!(await memory())) process.exitCode = 1;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ed-bench-sweep-'));
  const sqlite = await openDatabase({ url: `sqlite:${join(dir, 'desk.db')}` });
  try {
    results.push(await simulate('A. One instance, SQLite', [sqlite], false));
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (only === 'A') {
    if (results.some((ok) => !ok)) process.exitCode = 1;
    return;
  }
  const schema = await createSchema();
  const [one, two] = [await openDatabase({ url: schema.url, poolSize: 4 }), await openDatabase({ url: schema.url, poolSize: 4 })];
  try {
    results.push(await simulate('B. Two instances on one PostgreSQL schema, the second stopped mid-sweep', [one, two], true));
  } finally {
    await one.close();
    await two.close();
    await schema.drop();
  }
  if (only !== 'B') results.push(await memory());
  if (results.some((ok) => !ok)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
