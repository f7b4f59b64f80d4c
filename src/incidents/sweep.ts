/**
 * The incident sweep: a background worker that reads every customer tenant's service health once
 * per interval (default 5 min), correlates the issues across tenants into one incident each
 * (`domain/incidents.ts`), stores them, and enqueues the incident channel's messages
 * (`domain/incident-messages.ts`) in the outbox in the same transaction.
 *
 * - Cost: one overview read per tenant per sweep (Graph `healthOverviews?$expand=issues`, plus
 *   pages) through the SAME HealthProvider the `health` command uses, so the cache and the
 *   per-tenant budget are shared (a lookup right after a sweep costs nothing) and tokens are
 *   reused per tenant. An open incident that left a tenant's list costs one single-issue read
 *   there, to learn whether it was resolved or left that tenant.
 * - Spread: each tenant has a phase of its own within the interval (`domain/sweep-schedule.ts`).
 * - Several instances: tenants are leased from the schedule table (FOR UPDATE SKIP LOCKED on
 *   PostgreSQL), so each is swept by one instance once per interval; a dead instance's leases run
 *   out and another takes its tenants over. Incidents are saved with a version check and merged
 *   again on conflict; outbox dedupe keys make every message happen once.
 * - A tenant that cannot be read is recorded with the reason (consent, access, throttled, …) and
 *   tried again at its next turn, never silently skipped.
 * - Resolution: the escalations watching the incident are polled at once through the tracker
 *   (`pollNow`), which moves each to `resolved` and pings its owner: once, by its own machinery.
 *
 * Over 300 lines because the loop, one tenant's sweep and the versioned save with its retry are
 * one sequence read top to bottom; the incident channel's side is in `channel.ts`.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import type { CardTiming, IncidentCardState } from '../domain/incident-messages';
import {
  DEFAULT_INCIDENT_FILTER,
  issuesToLookUp,
  mergeTenantSweep,
  type Incident,
  type IncidentFilter,
  type IncidentMerge,
  type ObservedIssue,
  type TenantSweep,
} from '../domain/incidents';
import { DEFAULT_SWEEP_INTERVAL_MS, firstSweepAt, nextSweepAt, retrySweepAt } from '../domain/sweep-schedule';
import type { CustomerDirectory } from '../directory/types';
import { healthFailureOf } from '../health/failure';
import { BudgetExhaustedError, UnknownIssueError, UpstreamError, allIssues, type HealthProvider } from '../health/types';
import { IncidentConflictError, type IncidentChannel, type IncidentStore, type StoredIncident, type TenantSweepState, type TenantSweepStore } from '../store/incidents';
import type { ConversationStore, OutboxStore } from '../store/queues';
import { LoopRunner } from '../tracking/loop-runner';
import { saveWithMessages, withPostOutcome } from './channel';
import { placeholderIncidentRenderer, type IncidentRenderer } from './render';

/** Dependencies and settings of the sweep. */
export interface IncidentSweepOptions {
  readonly directory: Pick<CustomerDirectory, 'list'>;
  /** The provider the chat's `health` command uses (one cache, one budget). */
  readonly health: Pick<HealthProvider, 'getOverview' | 'getIssue'>;
  readonly incidents: IncidentStore;
  readonly sweeps: TenantSweepStore;
  /** Where the card's post is looked up, to learn its activity id. */
  readonly outbox: Pick<OutboxStore, 'get'>;
  /** The channel's reference, and its card's thread written beside it. */
  readonly conversations: Pick<ConversationStore, 'get' | 'upsert'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Renders the channel's messages (default: a plain-text stand-in, see render.ts). */
  readonly render?: IncidentRenderer;
  /** Polls an escalation at once (the tracker's `pollNow`): escalations watching a resolved incident. */
  readonly pollNow?: (escalationId: string) => Promise<unknown>;
  /** Every tenant once per this (default 5 min). */
  readonly intervalMs?: number;
  readonly filter?: IncidentFilter;
  readonly cardTiming?: CardTiming;
  /** Lease owner name, unique per process (default: a random id). */
  readonly owner?: string;
  /** Lease per claimed tenant (default 2 min); longer than one sweep of a tenant with its retries. */
  readonly leaseMs?: number;
  /** Tenants claimed per round (default 25). */
  readonly batchSize?: number;
  /** Tenants swept at once (default 4). */
  readonly concurrency?: number;
  /** Pause between rounds when nothing is due (default 1 s). */
  readonly idleMs?: number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** What one round did. */
export interface SweepRound {
  readonly claimed: number;
  readonly ok: number;
  readonly failed: number;
  /** Incidents saved (merged or card work). */
  readonly saved: number;
}

/** Saves of one incident tried before giving up for this round (another instance keeps winning). */
const MAX_SAVE_ATTEMPTS = 4;
/** Cards whose work is flushed per round. */
const CARD_BATCH = 20;

/** The sweep loop. */
export class IncidentSweep {
  readonly owner: string;
  readonly intervalMs: number;
  private readonly runner = new LoopRunner();
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly render: IncidentRenderer;
  private readonly filter: IncidentFilter;
  /** The directory list last registered, and when to read the directory again. */
  private registered = { fingerprint: '', nextAt: 0 };

  constructor(private readonly options: IncidentSweepOptions) {
    this.owner = options.owner ?? `sweep-${randomUUID()}`;
    this.intervalMs = Math.max(1_000, options.intervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined));
    this.render = options.render ?? placeholderIncidentRenderer;
    this.filter = options.filter ?? DEFAULT_INCIDENT_FILTER;
  }

  /** Starts the loop; resolves at once. Call `stop()` to end it. */
  start(): void {
    this.runner.start((signal) => this.loop(signal));
  }

  /** Stops claiming, waits for the round in progress, and resolves. */
  stop(): Promise<void> {
    return this.runner.stop();
  }

  /**
   * Sweeps these tenants `afterMs` from now rather than at their turn (the sandbox changed their
   * health: `afterMs` is the cache's freshness, so the sweep reads the change, not the cache).
   */
  sweepSoon(tenantIds: readonly string[], afterMs = 0): Promise<number> {
    return this.options.sweeps.sweepSoon(tenantIds, new Date(this.options.clock.now().getTime() + afterMs));
  }

  /** One round: keep the schedule in step with the directory, sweep the tenants due, flush due cards. */
  async runOnce(): Promise<SweepRound> {
    const { sweeps, clock } = this.options;
    await this.syncCustomers();
    const claimed = await sweeps.claimDue(this.owner, clock.now(), this.options.batchSize ?? 25, this.options.leaseMs ?? 120_000);
    const channel = await this.options.incidents.getChannel();
    const counts = { ok: 0, failed: 0, saved: 0 };
    const queue = [...claimed];
    const workers = Array.from({ length: Math.min(queue.length, this.options.concurrency ?? 4) }, async () => {
      for (let tenant = queue.shift(); tenant; tenant = queue.shift()) {
        try {
          await this.sweepTenant(tenant, channel, counts);
        } catch (error) {
          // A database hiccup: the lease runs out and the tenant is swept again then.
          this.options.logger.error({ err: error instanceof Error ? error.name : 'unknown', owner: this.owner }, 'tenant sweep failed');
        }
      }
    });
    await Promise.all(workers);
    counts.saved += await this.flushCards(channel);
    return { claimed: claimed.length, ...counts };
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let round: SweepRound | undefined;
      try {
        round = await this.runOnce();
      } catch (error) {
        this.options.logger.error({ err: error instanceof Error ? error.name : 'unknown', owner: this.owner }, 'incident sweep round failed');
      }
      if (!round || round.claimed === 0) await this.sleep(this.options.idleMs ?? 1_000, signal);
    }
  }

  /** Registers new customers (at their phase) and drops gone ones, when the directory's list changed. */
  private async syncCustomers(): Promise<void> {
    const { directory, sweeps, clock, logger } = this.options;
    const now = clock.now();
    if (now.getTime() < this.registered.nextAt) return;
    try {
      const customers = await directory.list();
      const fingerprint = customers.map((c) => `${c.tenantId.toLowerCase()}\t${c.companyName}`).join('\n');
      if (fingerprint !== this.registered.fingerprint) {
        const added = await sweeps.register(
          customers.map((c) => ({ tenantId: c.tenantId, name: c.companyName, firstSweepAt: new Date(firstSweepAt(c.tenantId, now.getTime(), this.intervalMs)) })),
          now,
        );
        const removed = await sweeps.prune(customers.map((c) => c.tenantId));
        if (added > 0 || removed > 0) logger.info({ added, removed, customers: customers.length }, 'incident sweep schedule updated');
      }
      this.registered = { fingerprint, nextAt: now.getTime() + this.intervalMs };
    } catch (error) {
      // The schedule keeps the tenants it has: a directory outage must not stop the sweep.
      logger.warn({ err: error instanceof Error ? error.name : 'unknown' }, 'customer list unavailable; sweeping the known tenants');
      this.registered = { ...this.registered, nextAt: now.getTime() + Math.min(this.intervalMs, 60_000) };
    }
  }

  /** Sweeps one leased tenant and records the outcome with its next turn. */
  private async sweepTenant(tenant: TenantSweepState, channel: IncidentChannel | undefined, counts: { ok: number; failed: number; saved: number }): Promise<void> {
    const { health, clock, logger } = this.options;
    let issues: ObservedIssue[];
    try {
      const snapshot = await health.getOverview(tenant.tenantId);
      // A stale answer is the cache's fallback when Graph could not be asked: nothing new in it.
      if (snapshot.stale) throw new StaleOverview();
      issues = allIssues(snapshot.value);
    } catch (error) {
      counts.failed++;
      const reason = error instanceof StaleOverview ? 'stale' : healthFailureOf(error);
      const now = clock.now();
      logger.debug({ tenantId: tenant.tenantId, reason }, 'tenant service health unreadable');
      await this.complete(tenant, { outcome: 'failed', reason, at: now, nextSweepAt: new Date(retrySweepAt(tenant.tenantId, now.getTime(), this.intervalMs, retryAtOf(error))) });
      return;
    }

    const at = clock.now();
    const known = await this.recordsFor(tenant.tenantId, issues);
    const lookups = await this.lookUp(tenant.tenantId, issuesToLookUp(known.map((k) => k.incident), tenant.tenantId, issues));
    const sweep: TenantSweep = { tenantId: tenant.tenantId, name: tenant.name, at: at.toISOString(), issues, lookups };
    const byId = new Map(known.map((k) => [k.incident.id, k]));
    for (const merge of mergeTenantSweep(known.map((k) => k.incident), sweep, this.filter)) {
      if (merge.incident && (await this.commit(merge.incident.id, byId.get(merge.incident.id), merge, sweep, channel))) counts.saved++;
    }
    counts.ok++;
    const now = clock.now();
    await this.complete(tenant, { outcome: 'ok', at: now, nextSweepAt: new Date(nextSweepAt(tenant.tenantId, now.getTime(), this.intervalMs)) });
  }

  private async complete(tenant: TenantSweepState, completion: { outcome: 'ok' | 'failed'; reason?: string; at: Date; nextSweepAt: Date }): Promise<void> {
    if (!(await this.options.sweeps.complete(tenant.tenantId, this.owner, completion))) {
      this.options.logger.warn({ owner: this.owner }, 'incident sweep lease lost before the sweep was recorded');
    }
  }

  /**
   * The incidents a tenant's sweep concerns (those of its issues, and the open ones it was a
   * customer of), each with only this tenant's customer entry: all a merge reads.
   */
  private recordsFor(tenantId: string, issues: readonly ObservedIssue[]): Promise<StoredIncident[]> {
    return this.options.incidents.forTenant(tenantId, issues.map((i) => i.id));
  }

  /** One single-issue read per incident that left the tenant's list: resolved, or gone from this tenant. */
  private async lookUp(tenantId: string, ids: readonly string[]): Promise<Map<string, ObservedIssue | null>> {
    const found = new Map<string, ObservedIssue | null>();
    for (const id of ids) {
      try {
        found.set(id, (await this.options.health.getIssue(tenantId, id)).value);
      } catch (error) {
        if (error instanceof UnknownIssueError) found.set(id, null);
        else this.options.logger.debug({ tenantId, err: error instanceof Error ? error.name : 'unknown' }, 'issue read failed; decided next sweep');
      }
    }
    return found;
  }

  /**
   * Saves one merge with the channel's messages; on a conflict (another instance saved the same
   * incident meanwhile) reloads it and merges this tenant's sighting again. True when saved.
   */
  private async commit(
    id: string,
    stored: StoredIncident | undefined,
    merge: IncidentMerge,
    sweep: TenantSweep,
    channel: IncidentChannel | undefined,
  ): Promise<boolean> {
    let current = stored;
    let pending: IncidentMerge | undefined = merge;
    for (let attempt = 1; pending?.incident; attempt++) {
      try {
        const saved = await this.save(pending.incident, current, pending, channel, current?.card, true);
        if (pending.events.length > 0) {
          this.options.logger.info({ incidentId: id, events: pending.events.map((e) => e.kind), customers: saved.incident.customers.length }, 'incident changed');
        }
        if (pending.events.some((e) => e.kind === 'resolved')) await this.pingWatchers(id);
        return true;
      } catch (error) {
        if (!(error instanceof IncidentConflictError) || attempt >= MAX_SAVE_ATTEMPTS) throw error;
        // The tenant's other open incidents come along: this one is picked by its id.
        current = (await this.options.incidents.forTenant(sweep.tenantId, [id])).find((s) => s.incident.id === id);
        const own = { ...sweep, issues: sweep.issues.filter((i) => i.id === id) };
        pending = mergeTenantSweep(current ? [current.incident] : [], own, this.filter).find((m) => m.incident?.id === id);
      }
    }
    return false;
  }

  /** Plans the channel's messages for a changed incident and saves both in one transaction (see `saveWithMessages`). */
  private save(
    incident: Incident,
    stored: StoredIncident | undefined,
    merge: Pick<IncidentMerge, 'events' | 'changedCustomers'>,
    channel: IncidentChannel | undefined,
    card: IncidentCardState | undefined,
    partial: boolean,
  ): Promise<StoredIncident> {
    const { incidents, clock, cardTiming } = this.options;
    return saveWithMessages({ incidents, clock, render: this.render, cardTiming }, { incident, stored, merge, channel, card, partial });
  }

  /**
   * Card work that came due: learning the activity id of a sent post (and its thread), a
   * coalesced update, held replies. A conflict means another instance did it: skipped.
   */
  private async flushCards(channel: IncidentChannel | undefined): Promise<number> {
    const { incidents, clock, logger } = this.options;
    let saved = 0;
    for (const stored of await incidents.cardWorkDue(clock.now(), CARD_BATCH)) {
      try {
        const card = stored.card && (await withPostOutcome(stored.card, this.options.outbox, this.options.conversations, clock.now()));
        await this.save(stored.incident, stored, { events: [], changedCustomers: [] }, channel, card, false);
        saved++;
      } catch (error) {
        if (!(error instanceof IncidentConflictError)) logger.warn({ incidentId: stored.incident.id, err: error instanceof Error ? error.name : 'unknown' }, 'incident card work failed');
      }
    }
    return saved;
  }

  /** Polls the escalations watching a resolved incident now, so their owners hear at once (once: the tracker's own transition). */
  private async pingWatchers(incidentId: string): Promise<void> {
    const { pollNow, incidents, logger } = this.options;
    if (!pollNow) return;
    for (const escalationId of await incidents.watchingEscalations(incidentId)) {
      try {
        await pollNow(escalationId);
      } catch (error) {
        // The tracker polls it at its own pace anyway: a lost nudge only delays the ping.
        logger.warn({ escalationId, err: error instanceof Error ? error.name : 'unknown' }, 'could not poll an escalation of a resolved incident');
      }
    }
  }
}

/** The cache served a stale overview: Graph could not be asked (budget spent, or unavailable). */
class StaleOverview extends Error {
  override readonly name = 'StaleOverview';
}

/** When a throttled tenant may be asked again. */
function retryAtOf(error: unknown): number | undefined {
  if (error instanceof BudgetExhaustedError) return error.retryAt.getTime();
  if (error instanceof UpstreamError && error.retryAt) return error.retryAt.getTime();
  return undefined;
}
