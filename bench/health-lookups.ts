/**
 * Drives triage-like service-health lookups through the cached provider against a local
 * Graph double (127.0.0.1 only) and prints what reached "Graph": upstream calls per tenant
 * per minute against Graph's 240/60 s limit, and cache-hit latency against a miss.
 *
 *   node dist/bench/health-lookups.js
 *
 * Simulated time (a manual clock) spreads the lookups over an hour; latency is wall time.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { ManualClock } from '../src/domain/clock';
import { GRAPH_HEALTH_LIMITS, TenantRequestBudget } from '../src/health/budget';
import { CachedHealthProvider } from '../src/health/cached';
import { GraphHealthProvider } from '../src/health/graph';
import { UpstreamClient } from '../src/http/upstream';

const TENANTS = 50;
const LOOKUPS = 1_000;
const SIM_MINUTES = 60;
/** Simulated Graph latency, so a miss costs what a network round trip would. */
const GRAPH_LATENCY_MS = 15;

/** A small deterministic PRNG (mulberry32) so runs are comparable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tenantId(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

const OVERVIEW = JSON.stringify({
  value: ['Exchange Online', 'Microsoft Teams', 'SharePoint Online', 'OneDrive for Business', 'Microsoft Entra', 'Microsoft Intune'].map(
    (service, i) => ({
      id: `svc${i}`,
      service,
      status: i === 0 ? 'ServiceDegradation' : 'ServiceOperational',
      issues:
        i === 0
          ? [
              {
                id: 'EX226792',
                title: 'Users may be unable to send email',
                service,
                feature: 'E-Mail',
                featureGroup: 'Mail flow',
                impactDescription: 'Users may be unable to send email.',
                classification: 'Incident',
                origin: 'Microsoft',
                status: 'ServiceDegradation',
                isResolved: false,
                startDateTime: '2025-03-10T07:45:00Z',
                lastModifiedDateTime: '2025-03-10T09:12:00Z',
                details: [],
                posts: [],
              },
            ]
          : [],
    }),
  ),
});

interface Upstream {
  readonly server: Server;
  readonly url: string;
  /** Simulated time (ms) and tenant of every request Graph received. */
  readonly calls: { at: number; tenant: string }[];
}

function startGraphDouble(clock: ManualClock): Promise<Upstream> {
  const calls: { at: number; tenant: string }[] = [];
  const server = createServer((req, res) => {
    const tenant = String(req.headers.authorization ?? '').replace('Bearer ', '');
    calls.push({ at: clock.now().getTime(), tenant });
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(OVERVIEW);
    }, GRAPH_LATENCY_MS);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls });
    });
  });
}

function build(clock: ManualClock, graphUrl: string, freshnessMs?: number): CachedHealthProvider {
  const logger = pino({ level: 'silent' });
  const budget = new TenantRequestBudget({ clock });
  const graph = new GraphHealthProvider({
    graphEndpoint: graphUrl,
    // The token carries the tenant so the double can count per tenant; MSAL is not under test here.
    tokens: { getToken: (tenant) => Promise.resolve(tenant) },
    http: new UpstreamClient({ upstream: 'Microsoft Graph', logger, clock }),
    clock,
    logger,
    budget,
  });
  return new CachedHealthProvider({ inner: graph, budget, clock, logger, freshnessMs });
}

/** The most calls any tenant had in a sliding 60-s window. */
function maxPerMinute(calls: readonly { at: number; tenant: string }[]): number {
  const byTenant = new Map<string, number[]>();
  for (const c of calls) byTenant.set(c.tenant, [...(byTenant.get(c.tenant) ?? []), c.at]);
  let max = 0;
  for (const times of byTenant.values()) {
    times.sort((a, b) => a - b);
    let lo = 0;
    for (let hi = 0; hi < times.length; hi++) {
      while (times[hi] - times[lo] >= 60_000) lo++;
      max = Math.max(max, hi - lo + 1);
    }
  }
  return max;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function realistic(): Promise<void> {
  const clock = new ManualClock('2025-03-10T08:00:00Z');
  const graph = await startGraphDouble(clock);
  const provider = build(clock, graph.url);
  const random = prng(42);
  // Zipf-like spread: a few customers call often, most rarely.
  const weights = Array.from({ length: TENANTS }, (_, i) => 1 / (i + 1) ** 1.1);
  const total = weights.reduce((a, b) => a + b, 0);
  const pick = (): string => {
    let r = random() * total;
    for (let i = 0; i < TENANTS; i++) if ((r -= weights[i]) <= 0) return tenantId(i);
    return tenantId(TENANTS - 1);
  };

  const hits: number[] = [];
  const misses: number[] = [];
  let joined = 0;
  const meanGapMs = (SIM_MINUTES * 60_000) / LOOKUPS;
  let done = 0;
  while (done < LOOKUPS) {
    // Arrivals in the same instant run concurrently, like engineers triaging one outage together.
    const group = Math.min(LOOKUPS - done, random() < 0.1 ? 2 + Math.floor(random() * 8) : 1);
    const tenants = Array.from({ length: group }, (_, i) => (i === 0 ? pick() : undefined));
    const first = tenants[0] as string;
    const before = graph.calls.length;
    const timings = await Promise.all(
      tenants.map(async (t) => {
        const started = process.hrtime.bigint();
        const snapshot = await provider.getOverview(t ?? first);
        // The triage step reads the matched issue too: served from the overview just fetched.
        await provider.getIssue(t ?? first, 'EX226792');
        return { ms: Number(process.hrtime.bigint() - started) / 1e6, fetchedNow: snapshot.fetchedAt === clock.now().toISOString() };
      }),
    );
    const upstreamCalled = graph.calls.length > before;
    timings.forEach((t, i) => {
      if (!upstreamCalled || !t.fetchedNow) hits.push(t.ms);
      else if (i === 0) misses.push(t.ms);
      else joined++;
    });
    done += group;
    clock.advance(-Math.log(1 - random()) * meanGapMs * group);
  }
  graph.server.close();

  const perTenant = new Map<string, number>();
  graph.calls.forEach((c) => perTenant.set(c.tenant, (perTenant.get(c.tenant) ?? 0) + 1));
  const meanPerTenantMinute = graph.calls.length / (perTenant.size * SIM_MINUTES);
  hits.sort((a, b) => a - b);
  misses.sort((a, b) => a - b);
  const hitMedian = percentile(hits, 50);
  const missMedian = percentile(misses, 50);

  console.log(`Realistic: ${LOOKUPS} lookups over ${TENANTS} tenants in ${SIM_MINUTES} simulated minutes (2-minute freshness)`);
  console.log(`  upstream calls total:                ${graph.calls.length} (${perTenant.size} tenants reached Graph)`);
  console.log(`  calls / tenant / minute, max (60 s): ${maxPerMinute(graph.calls)}   limit ${GRAPH_HEALTH_LIMITS.perMinute}/60 s`);
  console.log(`  calls / tenant / minute, mean:       ${meanPerTenantMinute.toFixed(3)}`);
  console.log(`  cache hits ${hits.length}, misses ${misses.length}, joined an in-flight miss ${joined}`);
  console.log(`  hit latency  median ${hitMedian.toFixed(3)} ms, p99 ${percentile(hits, 99).toFixed(3)} ms`);
  console.log(`  miss latency median ${missMedian.toFixed(3)} ms, p99 ${percentile(misses, 99).toFixed(3)} ms`);
  console.log(`  miss / hit (median): ${(missMedian / hitMedian).toFixed(0)}x; hit p99 / miss median: ${(percentile(hits, 99) / missMedian).toFixed(3)}`);
}

async function adversarial(): Promise<void> {
  // Worst case: no caching at all (freshness 0) and one tenant hammered: only the budget holds.
  const clock = new ManualClock('2025-03-10T08:00:00Z');
  const graph = await startGraphDouble(clock);
  const provider = build(clock, graph.url, 0);
  let stale = 0;
  for (let i = 0; i < 3_000; i++) {
    if ((await provider.getOverview(tenantId(0))).stale) stale++;
    clock.advance(200); // 300 lookups per simulated minute for 10 minutes
  }
  graph.server.close();
  console.log('Adversarial: 3,000 lookups for one tenant in 10 simulated minutes, no cache freshness');
  console.log(`  upstream calls: ${graph.calls.length} (hourly budget 700 < limit ${GRAPH_HEALTH_LIMITS.perHour})`);
  console.log(`  calls in busiest 60 s: ${maxPerMinute(graph.calls)} (budget 200 < limit ${GRAPH_HEALTH_LIMITS.perMinute})`);
  console.log(`  answered from stale cache with their age: ${stale}`);
}

async function main(): Promise<void> {
  await realistic();
  await adversarial();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
