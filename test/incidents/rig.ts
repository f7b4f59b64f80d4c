/** Shared pieces of the incident sweep tests: the sandbox behind the real cache, a sweep, a channel. */
import { ManualClock } from '../../src/domain/clock';
import { createEscalation, transition, type Actor, type Escalation } from '../../src/domain/escalation';
import { SandboxCustomerDirectory } from '../../src/directory/sandbox';
import { TenantRequestBudget } from '../../src/health/budget';
import { CachedHealthProvider } from '../../src/health/cached';
import { SandboxHealthProvider } from '../../src/health/sandbox';
import { loadSandboxData, type SandboxData } from '../../src/health/sandbox-data';
import type { HealthProvider } from '../../src/health/types';
import { IncidentSweep, type IncidentSweepOptions } from '../../src/incidents';
import { conversationKey, type Database } from '../../src/store';
import { runLogger } from '../http/helpers/http-double';

/** The sandbox's tenants the tests name. */
export const CONTOSO = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';
export const NORTHWIND = 'c5d8a2e3-1f4b-4a7c-8e9d-6b2f3a0c9d03';
export const VANARSDEL = 'd8f1a4b9-0e2a-4f58-8b3d-7a9e5c0f2b12';
export const BLUE_YONDER = 'b1e4c7a2-3d5f-4e81-9a6c-0f2d8b3e5a05';
/** The seed's incident shared by seven customers. */
export const SHARED = 'EX226792';
export const INTERVAL = 5 * 60_000;

/** Counts what reached the sandbox (what would have reached Graph) per tenant. */
export class CountingHealth implements HealthProvider {
  readonly overviews: Array<{ tenantId: string; at: number }> = [];
  readonly issues: Array<{ tenantId: string; issueId: string }> = [];
  /** While set, overview reads wait on it (an instance stopped mid-sweep). */
  hang: Promise<never> | undefined;
  /** Overview reads waiting on `hang`. */
  waiting = 0;

  constructor(
    readonly inner: SandboxHealthProvider,
    private readonly clock: ManualClock,
  ) {}

  async getOverview(tenantId: string): ReturnType<HealthProvider['getOverview']> {
    if (this.hang) {
      this.waiting++;
      await this.hang;
    }
    this.overviews.push({ tenantId, at: this.clock.now().getTime() });
    return this.inner.getOverview(tenantId);
  }

  getIssue(tenantId: string, issueId: string): ReturnType<HealthProvider['getIssue']> {
    this.issues.push({ tenantId, issueId });
    return this.inner.getIssue(tenantId, issueId);
  }

  getPostIncidentReport(tenantId: string, issueId: string): ReturnType<HealthProvider['getPostIncidentReport']> {
    return this.inner.getPostIncidentReport(tenantId, issueId);
  }

  /** Overview reads per tenant. */
  perTenant(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const o of this.overviews) counts.set(o.tenantId, (counts.get(o.tenantId) ?? 0) + 1);
    return counts;
  }
}

/** One bot instance's view: its own cache and budget (as a process has) over the shared sandbox. */
export interface SweepRig {
  readonly clock: ManualClock;
  readonly data: SandboxData;
  readonly sandbox: SandboxHealthProvider;
  readonly counting: CountingHealth;
  readonly budget: TenantRequestBudget;
  /** What the `health` command would use. */
  readonly health: CachedHealthProvider;
  readonly sweep: IncidentSweep;
}

/** Builds a sweep over `db` reading the sandbox (or `shared`, another instance's sandbox and counter). */
export function sweepRig(
  db: Database,
  clock: ManualClock,
  options: Partial<IncidentSweepOptions> = {},
  shared?: { sandbox: SandboxHealthProvider; counting?: CountingHealth },
): SweepRig {
  const data = loadSandboxData();
  const sandbox = shared?.sandbox ?? new SandboxHealthProvider(data, clock);
  const counting = shared?.counting ?? new CountingHealth(sandbox, clock);
  const logger = runLogger();
  const budget = new TenantRequestBudget({ clock });
  const health = new CachedHealthProvider({ inner: counting, budget, clock, logger, freshnessMs: 120_000 });
  const sweep = new IncidentSweep({
    directory: new SandboxCustomerDirectory(data),
    health,
    incidents: db.incidents,
    sweeps: db.incidentSweeps,
    outbox: db.outbox,
    conversations: db.conversations,
    clock,
    logger,
    intervalMs: INTERVAL,
    ...options,
  });
  return { clock, data, sandbox, counting, budget, health, sweep };
}

/** Stores the incident channel's reference (a Teams channel pointing at `serviceUrl`) and sets it. */
export async function setIncidentChannel(db: Database, serviceUrl: string, at: Date): Promise<{ key: string; conversationId: string }> {
  const conversationId = '19:incidents@thread.tacv2';
  const key = conversationKey('partner', conversationId);
  await db.conversations.upsert({
    key,
    serviceUrl,
    conversationId,
    tenantId: 'partner',
    conversationType: 'channel',
    botId: '28:escalation-desk',
    botName: 'Escalation Desk',
    updatedAt: at.toISOString(),
  });
  await db.incidents.setChannel({ conversationKey: key, setBy: { id: 'lead' }, setAt: at.toISOString() });
  return { key, conversationId };
}

/** Steps simulated time a second at a time for `ms`, running `round` at each step. */
export async function runFor(clock: ManualClock, ms: number, round: () => Promise<unknown>): Promise<void> {
  for (let t = 0; t < ms; t += 1_000) {
    await round();
    clock.advance(1_000);
  }
}

/**
 * An escalation of `partnerTenantId` whose engineer confirmed `incidentId` as the known issue for a
 * customer tenant (state `known_issue`: the tracker watches it), notifying `target`.
 */
export async function watchingEscalation(
  db: Database,
  at: Date,
  o: { readonly id: string; readonly tenantId: string; readonly customer: string; readonly incidentId: string; readonly target: string; readonly ownerId?: string; readonly partnerTenantId?: string },
): Promise<Escalation> {
  const engineer: Actor = { kind: 'user', id: o.ownerId ?? 'e1', name: 'Ada' };
  const { escalation, event } = createEscalation(
    {
      id: o.id,
      partnerTenantId: o.partnerTenantId ?? 'partner',
      ownerId: engineer.id,
      ownerName: 'Ada',
      customer: { tenantId: o.tenantId, name: o.customer },
      service: 'Exchange Online',
      title: 'Mail delayed',
      description: 'Outbound mail is queued.',
    },
    engineer,
    at,
  );
  const created = await db.escalations.create(escalation, [event]);
  const watch = transition(created, 'known_issue', { actor: engineer, at, details: { knownIssue: { id: o.incidentId, title: 'Mail delayed' }, notifyTargets: [o.target] } });
  return db.escalations.update(watch.escalation, created.version, [watch.event]);
}
