/**
 * Keeps GDAP reads cheap: answers are cached per customer, per engineer and group set, and for
 * the partner's whole list, for a freshness window (lru-cache, with its fetch coalescing: many
 * askers of the same key share one upstream call). When the upstream cannot be asked (budget
 * spent, Graph down), the last answer is served marked stale; a refusal (permission) is a real
 * answer and is never hidden behind an old one.
 */
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { GdapRelationship } from '../domain/access';
import type { Clock } from '../domain/clock';
import { AccessBudgetError, UpstreamError, type AccessProvider, type CustomerAccess, type Snapshot } from './types';

/** Settings of the caching decorator. */
export interface CachedAccessOptions {
  readonly inner: AccessProvider;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long an answer is served without asking again (default 10 minutes). */
  readonly freshnessMs?: number;
  /** Customers and engineer/group sets kept (default 1000 each). */
  readonly maxEntries?: number;
}

/** Default freshness: GDAP changes by hand, in minutes at the fastest. */
export const DEFAULT_ACCESS_FRESHNESS_MS = 10 * 60_000;

/** A caching, coalescing AccessProvider. */
export class CachedAccessProvider implements AccessProvider {
  private readonly customers: SnapshotCache<CustomerAccess>;
  private readonly memberships: SnapshotCache<readonly string[]>;
  private readonly everything: SnapshotCache<readonly GdapRelationship[]>;
  private readonly inner: AccessProvider;

  constructor(options: CachedAccessOptions) {
    this.inner = options.inner;
    const settings = {
      clock: options.clock,
      logger: options.logger,
      freshnessMs: options.freshnessMs ?? DEFAULT_ACCESS_FRESHNESS_MS,
      max: options.maxEntries ?? 1000,
    };
    const { inner } = options;
    this.customers = new SnapshotCache(settings, (tenant) => inner.getCustomerAccess(tenant));
    // The key carries the question: `user|group,group,…` (ids are GUIDs: no `|` or `,` in them).
    this.memberships = new SnapshotCache(settings, (key) => {
      const [user, groups] = key.split('|');
      return inner.memberGroups(user, groups === '' ? [] : groups.split(','));
    });
    this.everything = new SnapshotCache({ ...settings, max: 1 }, () => inner.listRelationships());
  }

  /** The customer's GDAP picture, from the cache while fresh. */
  getCustomerAccess(customerTenantId: string): Promise<Snapshot<CustomerAccess>> {
    return this.customers.get(customerTenantId.toLowerCase());
  }

  /** The engineer's groups among `groupIds`, from the cache while fresh. */
  memberGroups(userObjectId: string, groupIds: readonly string[]): Promise<Snapshot<readonly string[]>> {
    const groups = [...new Set(groupIds.map((g) => g.toLowerCase()))].sort();
    return this.memberships.get(`${userObjectId.toLowerCase()}|${groups.join(',')}`);
  }

  /** Every relationship of the partner, from the cache while fresh. */
  listRelationships(): Promise<Snapshot<readonly GdapRelationship[]>> {
    return this.everything.get('all');
  }

  /**
   * Membership asked of the source now, past the cache (and not kept in it): for a check that
   * must be current, such as who may grant consent; the budget of the source still applies.
   */
  readonly uncached: Pick<AccessProvider, 'memberGroups'> = {
    memberGroups: (userObjectId, groupIds) => this.inner.memberGroups(userObjectId, groupIds),
  };
}

interface CacheSettings {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly freshnessMs: number;
  readonly max: number;
}

/** One lru-cache of snapshots whose expired entries stay as the fallback for an upstream that cannot be asked. */
class SnapshotCache<V extends object> {
  private readonly cache: LRUCache<string, Snapshot<V>>;

  constructor(
    private readonly settings: CacheSettings,
    load: (key: string) => Promise<Snapshot<V>>,
  ) {
    this.cache = new LRUCache<string, Snapshot<V>>({
      max: settings.max,
      ttl: settings.freshnessMs,
      // The project's clock, so tests move time with sinon and production uses the wall clock.
      perf: { now: () => settings.clock.now().getTime() },
      // Read that clock every time (lru-cache otherwise reuses a reading for a millisecond of real time).
      ttlResolution: 0,
      // An expired entry is kept until replaced: it is the answer when upstream cannot be asked.
      noDeleteOnStaleGet: true,
      noDeleteOnFetchRejection: true,
      fetchMethod: (key) => load(key),
    });
  }

  async get(key: string): Promise<Snapshot<V>> {
    try {
      return await this.cache.forceFetch(key);
    } catch (error) {
      const last = this.cache.get(key, { allowStale: true });
      if (last && (error instanceof UpstreamError || error instanceof AccessBudgetError)) {
        this.settings.logger.info({ err: error.name }, 'GDAP upstream unusable; serving the last answer');
        return { ...last, stale: true };
      }
      // A refusal is today's answer: the old one must not stand in for it.
      if (!(error instanceof UpstreamError || error instanceof AccessBudgetError)) this.cache.delete(key);
      throw error;
    }
  }
}
