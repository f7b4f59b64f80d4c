/**
 * What the rest of the bot needs from durable storage. Two real implementations
 * (SQLite and PostgreSQL) satisfy these interfaces and one contract suite tests both.
 */
import type { AuditEvent, Escalation, EscalationState } from '../domain/escalation';
import type { ConversationStore, OutboxStore, SenderRoster, TrackingStore, NotificationInput } from './queues';
import type { IncidentStore, TenantSweepStore } from './incidents';

export * from './queues';
export * from './incidents';

/** Filter for listing escalations; every field given narrows the list (tenant ids in any case). */
export interface EscalationFilter {
  readonly ownerId?: string;
  readonly customerTenantId?: string;
  readonly partnerTenantId?: string;
  /** The conversation the flow ran in; a channel's thread matches its whole channel. */
  readonly conversationId?: string;
  readonly states?: readonly EscalationState[];
  /** At most this many rows (default 50, capped at 500). */
  readonly limit?: number;
  /** Opaque cursor returned by the previous page. */
  readonly cursor?: string;
}

/** Which page of a list: at most `limit` rows (default 50, capped at 500) after `cursor`. */
export type PageRequest = Pick<EscalationFilter, 'limit' | 'cursor'>;

/** One page of a list, newest first, with the cursor of the next page if there is one. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

/**
 * Escalations and their audit trail. Tenant ids (`partnerTenantId`, `customer.tenantId`) are
 * stored lower-case whatever case they are given in, and filters match them in any case.
 */
export interface EscalationStore {
  /**
   * Stores a new escalation (version 1) with its creation event; a duplicate id is refused.
   * `outbox` notifications are enqueued in the same transaction (a repeated dedupe key is skipped).
   */
  create(escalation: Escalation, events: readonly AuditEvent[], outbox?: readonly NotificationInput[]): Promise<Escalation>;
  /** One escalation, or undefined. */
  get(id: string): Promise<Escalation | undefined>;
  /**
   * Saves a changed escalation if the stored version is still `expectedVersion`, appending
   * its audit events in the same transaction; returns it with the version incremented.
   * Throws `ConcurrencyError` when someone else saved first, `NotFoundError` when it is gone.
   * `outbox` notifications are enqueued in the same transaction (a repeated dedupe key is skipped),
   * and the escalation's tracking row follows its state (see `trackingTargetOf` in the domain).
   */
  update(
    next: Escalation,
    expectedVersion: number,
    events: readonly AuditEvent[],
    outbox?: readonly NotificationInput[],
  ): Promise<Escalation>;
  /** Escalations matching a filter, most recently updated first. */
  list(filter: EscalationFilter): Promise<Page<Escalation>>;
  /**
   * The escalations of a partner tenant linked to a Microsoft service request (its number, as
   * linked in `details.serviceRequestId`), paged like `list`.
   */
  listByServiceRequest(partnerTenantId: string, serviceRequestId: string, page?: PageRequest): Promise<Page<Escalation>>;
  /**
   * The escalations of a partner tenant (every tenant when undefined: the tab's development
   * identity) that confirmed a Microsoft incident or advisory as their known issue
   * (`details.knownIssue.id`), in any state since, paged like `list`.
   */
  listByKnownIssue(partnerTenantId: string | undefined, knownIssueId: string, page?: PageRequest): Promise<Page<Escalation>>;
  /** The audit trail of one escalation, oldest first. */
  audit(id: string): Promise<readonly AuditEvent[]>;
  /**
   * How many escalations confirmed each of `knownIssueIds` as their known issue (keys as given),
   * optionally only in `states`, of a partner tenant (every tenant when it is undefined): one
   * grouped query, whatever the number of escalations. Ids without any are absent.
   */
  countByKnownIssue(query: KnownIssueCountQuery): Promise<ReadonlyMap<string, number>>;
  /**
   * Escalations created in [`from`, `to`), oldest first then by id, a page at a time (default 50,
   * at most 500): what the response-time report reads.
   */
  listCreatedBetween(query: CreatedBetweenQuery): Promise<Page<Escalation>>;
}

/** Which escalations `countByKnownIssue` counts. */
export interface KnownIssueCountQuery {
  /** Undefined: every partner tenant (the tab's development identity). */
  readonly partnerTenantId?: string;
  /** At most 500 ids. */
  readonly knownIssueIds: readonly string[];
  readonly states?: readonly EscalationState[];
}

/** Which escalations `listCreatedBetween` pages through. */
export interface CreatedBetweenQuery extends PageRequest {
  /** Undefined: every partner tenant (the tab's development identity). */
  readonly partnerTenantId?: string;
  /** ISO-8601, inclusive. */
  readonly from: string;
  /** ISO-8601, exclusive. */
  readonly to: string;
}

/** A stored document and the eTag it was stored with. */
export interface StoredDocument {
  readonly value: Readonly<Record<string, unknown>>;
  readonly eTag: string;
}

/** One write: `eTag` undefined or `*` overwrites; any other value must match what is stored. */
export interface DocumentWrite {
  readonly key: string;
  readonly value: Readonly<Record<string, unknown>>;
  readonly eTag?: string;
}

/**
 * Key/value documents with eTag concurrency: the durable home of conversation and user
 * state (the bot adapts it to botbuilder's `Storage`).
 */
export interface DocumentStore {
  /** The documents that exist among `keys`. */
  read(keys: readonly string[]): Promise<ReadonlyMap<string, StoredDocument>>;
  /** Writes all documents in one transaction; throws `ETagConflictError` if any eTag is stale. */
  write(writes: readonly DocumentWrite[]): Promise<void>;
  /** Deletes documents; missing keys are ignored. */
  delete(keys: readonly string[]): Promise<void>;
}

/** An open database: the stores, a readiness probe and a way to close it. */
export interface Database {
  readonly kind: 'sqlite' | 'postgres';
  readonly escalations: EscalationStore;
  readonly documents: DocumentStore;
  /** The notification outbox, and the roster of the instances sending from it. */
  readonly outbox: OutboxStore & SenderRoster;
  readonly tracking: TrackingStore;
  readonly conversations: ConversationStore;
  /** Microsoft incidents across customer tenants, and the incident channel. */
  readonly incidents: IncidentStore;
  /** The per-tenant schedule of the incident sweep. */
  readonly incidentSweeps: TenantSweepStore;
  /** Resolves when the database commits a write (a heartbeat upsert): what readiness means. */
  ping(): Promise<void>;
  /** Closes connections; further calls fail. */
  close(): Promise<void>;
}

/** Someone saved the record after it was read. Reload and try again. */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
  constructor(readonly id: string, readonly expectedVersion: number) {
    super(`Escalation ${id} changed since version ${expectedVersion} was read.`);
  }
}

/** The record does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(readonly id: string) {
    super(`Escalation ${id} does not exist.`);
  }
}

/** An escalation with this id already exists. */
export class DuplicateError extends Error {
  override readonly name = 'DuplicateError';
  constructor(readonly id: string) {
    super(`Escalation ${id} already exists.`);
  }
}

/** A document's eTag no longer matches what is stored. */
export class ETagConflictError extends Error {
  override readonly name = 'ETagConflictError';
  constructor(readonly key: string) {
    super(`Document ${key} was changed by someone else (eTag mismatch).`);
  }
}
