/**
 * What the incident sweep and the incident channel need from durable storage: the incidents and
 * their affected customers, the incident channel setting, and the per-tenant sweep schedule with
 * leases (so that with several instances on PostgreSQL each tenant is swept once per interval).
 * SQLite and PostgreSQL implement it (`sqlite-incidents.ts`, `postgres-incidents.ts`); one
 * contract suite (test/store/incidents-contract.ts) holds both to the same behaviour.
 */
import type { IncidentCardState } from '../domain/incident-messages';
import type { Incident, IncidentActor } from '../domain/incidents';
import type { NewNotification } from './queues';

/** An incident as stored: the record, where its card is, and the version that guards writes. */
export interface StoredIncident {
  readonly incident: Incident;
  readonly card?: IncidentCardState;
  /** Incremented by every save; a save names the version it read. */
  readonly version: number;
}

/** One write of an incident. */
export interface IncidentSave {
  /** The whole record (customers included). */
  readonly incident: Incident;
  /** The version read (0 for a new incident). */
  readonly expectedVersion: number;
  /** Tenant ids whose customer entry changed; undefined rewrites every customer. */
  readonly changedCustomers?: readonly string[];
  /** The card state to store with it (undefined: the incident has no card). */
  readonly card: IncidentCardState | undefined;
  /** Notifications enqueued in the same transaction (a repeated dedupe key is skipped). */
  readonly outbox?: readonly NewNotification[];
  /** When the save happens: the notifications' enqueue time (default: now). */
  readonly at?: Date;
}

/** Which incidents to list. */
export interface IncidentFilterQuery {
  /** true: resolved only; false: open only; undefined: both. */
  readonly resolved?: boolean;
  /** Only incidents affecting this customer tenant (any case). */
  readonly tenantId?: string;
  /** At most this many (default 50, at most 500). */
  readonly limit?: number;
  /** Opaque cursor returned by the previous page. */
  readonly cursor?: string;
}

/** An incident without its customers, and how many customers it has and how many were told. */
export interface IncidentCounts {
  readonly incident: Omit<Incident, 'customers'>;
  /** Every customer the incident hit (those it has left included). */
  readonly affected: number;
  readonly told: number;
}

/** The incident channel: where incident cards are posted (`incidents here`). */
export interface IncidentChannel {
  /** Conversation reference key of the channel (`ConversationStore`). */
  readonly conversationKey: string;
  readonly setBy: IncidentActor;
  readonly setAt: string;
}

/** Someone saved the incident after it was read (or created it first): reload and merge again. */
export class IncidentConflictError extends Error {
  override readonly name = 'IncidentConflictError';
  constructor(
    readonly id: string,
    readonly expectedVersion: number,
  ) {
    super(`Incident ${id.slice(0, 64)} changed since version ${expectedVersion} was read.`);
  }
}

/** Incidents, their customers, their cards and the incident channel. */
export interface IncidentStore {
  /** One incident, or undefined. */
  get(id: string): Promise<StoredIncident | undefined>;
  /** The incidents among `ids` that exist. */
  getMany(ids: readonly string[]): Promise<StoredIncident[]>;
  /**
   * What one tenant's sweep needs: the incidents among `ids` and the unresolved ones this tenant
   * is an active (not gone) customer of, each with ONLY this tenant's customer entry (if any) in
   * `customers`: a sweep touches one customer, and loading three hundred per tenant per sweep
   * would be the sweep's main cost. Save such a record with `changedCustomers`.
   */
  forTenant(tenantId: string, ids: readonly string[]): Promise<StoredIncident[]>;
  /** Incidents, most recently changed first. */
  list(query?: IncidentFilterQuery): Promise<{ readonly items: readonly StoredIncident[]; readonly nextCursor?: string }>;
  /**
   * The incidents that ever affected a customer tenant (resolved ones too), paged in `list`'s
   * order, each with ONLY that tenant's customer entry: a customer's history without the
   * other customers (what the audit export of one customer holds).
   */
  listForCustomer(tenantId: string, page?: Pick<IncidentFilterQuery, 'limit' | 'cursor'>): Promise<{ readonly items: readonly StoredIncident[]; readonly nextCursor?: string }>;
  /**
   * Incidents as `list` pages them, without their customers but with their counts, counted in
   * the database: a list of incidents with a thousand customers each stays one small read.
   */
  counts(query?: IncidentFilterQuery): Promise<{ readonly items: readonly IncidentCounts[]; readonly nextCursor?: string }>;
  /**
   * Saves an incident if the stored version is still `expectedVersion` (or, for 0, if none
   * exists), with its changed customers, its card state and its notifications in one transaction;
   * returns it with the version incremented. Throws `IncidentConflictError` otherwise.
   */
  save(change: IncidentSave): Promise<StoredIncident>;
  /** Incidents whose card has work due by `now` (`IncidentCardState.dueAt`), oldest first. */
  cardWorkDue(now: Date, limit: number): Promise<StoredIncident[]>;
  /** Escalations currently watching this incident (tracked in state `known_issue` with it as their known issue). */
  watchingEscalations(incidentId: string): Promise<readonly string[]>;
  /** The incident channel, if one is set. */
  getChannel(): Promise<IncidentChannel | undefined>;
  /** Sets (or moves) the incident channel. */
  setChannel(channel: IncidentChannel): Promise<void>;
  /** Clears the incident channel; false when none was set. */
  clearChannel(): Promise<boolean>;
}

/** How the last sweep of a tenant went. */
export type SweepOutcome = 'ok' | 'failed';

/** A tenant's row in the sweep schedule. */
export interface TenantSweepState {
  /** Lower case. */
  readonly tenantId: string;
  /** The customer's name, from the directory. */
  readonly name: string;
  readonly nextSweepAt: string;
  readonly leaseOwner?: string;
  readonly leaseExpiresAt?: string;
  readonly lastOutcome?: SweepOutcome;
  /** Why the last sweep could not read the tenant (e.g. `access_403`, `budget`, `throttled`). */
  readonly lastReason?: string;
  readonly lastSweptAt?: string;
  readonly lastOkAt?: string;
  /** Failed sweeps in a row. */
  readonly failures: number;
}

/** A tenant to keep in the schedule. */
export interface SweptCustomer {
  readonly tenantId: string;
  readonly name: string;
  /** When a tenant new to the schedule is first swept. */
  readonly firstSweepAt: Date;
}

/** How a sweep of a tenant ended and when the next is due. */
export interface SweepCompletion {
  readonly outcome: SweepOutcome;
  readonly reason?: string;
  readonly at: Date;
  readonly nextSweepAt: Date;
}

/** The per-tenant sweep schedule, with leases. */
export interface TenantSweepStore {
  /** Adds tenants new to the schedule and renames known ones; returns how many were new. */
  register(customers: readonly SweptCustomer[], now: Date): Promise<number>;
  /** Removes tenants not in `tenantIds` (customers gone from the directory); returns how many. */
  prune(tenantIds: readonly string[]): Promise<number>;
  /**
   * Leases up to `limit` tenants due by `now` to `owner` for `leaseMs`, earliest due first; a
   * tenant leased by a live owner is skipped, never waited for.
   */
  claimDue(owner: string, now: Date, limit: number, leaseMs: number): Promise<TenantSweepState[]>;
  /** Records a sweep and its next time, releasing the lease; false when `owner` no longer holds it. */
  complete(tenantId: string, owner: string, completion: SweepCompletion): Promise<boolean>;
  /** Makes tenants due by `at` (no later than already due); returns how many were moved. */
  sweepSoon(tenantIds: readonly string[], at: Date): Promise<number>;
  /** One tenant's row. */
  get(tenantId: string): Promise<TenantSweepState | undefined>;
  /** Rows in tenant id order, `limit` at a time; `failing` lists only tenants whose last sweep failed. */
  list(options?: { readonly limit?: number; readonly cursor?: string; readonly failing?: boolean }): Promise<{
    readonly items: readonly TenantSweepState[];
    readonly nextCursor?: string;
  }>;
}
