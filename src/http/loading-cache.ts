/**
 * The project's one cache, over `lru-cache`: answers kept for a freshness window, at most `max`
 * keys (least recently used dropped first), one load at a time per key (concurrent askers share
 * it: lru-cache's `fetch`), and, when a reload fails in a way the caller names, the last answer
 * served marked stale with the time it was loaded, instead of the failure.
 */
import { LRUCache } from 'lru-cache';
import { systemClock, type Clock } from '../domain/clock';

/** A value and when it was loaded (ms since the epoch, by the cache's clock). */
export interface Loaded<V> {
  readonly value: V;
  readonly loadedAt: number;
}

/** An answer of the cache: `stale` when a reload failed and an older answer stands in. */
export interface CachedAnswer<V> extends Loaded<V> {
  readonly stale: boolean;
}

/** Settings of a cache. */
export interface LoadingCacheOptions {
  /** Most keys held. */
  readonly max: number;
  /** How long a loaded value is served without loading again (Infinity: until dropped). */
  readonly freshnessMs: number;
  readonly clock?: Clock;
}

/** How to answer one `get` when the cache has no fresh value. */
export interface Load<V> {
  /** Asks the source; concurrent gets of the same key share one call. */
  readonly load: () => Promise<V>;
  /** This caller wants an answer no older than this (never older than the cache's freshness). */
  readonly maxAgeMs?: number;
  /** The same answer held elsewhere (an item of a cached list): served when fresh, and as a stale stand-in when newer. */
  readonly alternative?: Loaded<V>;
  /** Failures after which an older answer is served, marked stale, instead of the error (default: none). */
  readonly serveStaleOn?: (error: unknown) => boolean;
}

/** Answers by key: fresh from memory, else loaded once for every concurrent asker, else stale. */
export class LoadingCache<K extends NonNullable<unknown>, V extends NonNullable<unknown>> {
  private readonly entries: LRUCache<K, Loaded<V>, () => Promise<V>>;
  private readonly clock: Clock;
  private readonly freshnessMs: number;

  constructor(options: LoadingCacheOptions) {
    this.clock = options.clock ?? systemClock;
    this.freshnessMs = options.freshnessMs;
    this.entries = new LRUCache<K, Loaded<V>, () => Promise<V>>({
      max: options.max,
      fetchMethod: async (_key, _previous, { context }) => ({ value: await context(), loadedAt: this.now() }),
      // A failed reload keeps the previous answer (the stale stand-in); a failed first load keeps nothing.
      noDeleteOnFetchRejection: true,
      // A load whose key is dropped meanwhile still answers the callers waiting for it.
      ignoreFetchAbort: true,
    });
  }

  /** The value held for `key` if it is fresh (no older than `maxAgeMs` either), marking it recently used. */
  fresh(key: K, maxAgeMs?: number): Loaded<V> | undefined {
    const held = this.entries.get(key);
    return held && this.isFresh(held, maxAgeMs) ? held : undefined;
  }

  /** Whatever is held for `key`, of any age, without marking it used. */
  peek(key: K): Loaded<V> | undefined {
    return this.entries.peek(key);
  }

  /** A fresh answer, else the shared load's, else (on a failure `serveStaleOn` accepts) the newest older one, marked stale. */
  async get(key: K, how: Load<V>): Promise<CachedAnswer<V>> {
    const held = this.fresh(key, how.maxAgeMs);
    if (held) return { ...held, stale: false };
    const { alternative } = how;
    if (alternative && this.isFresh(alternative, how.maxAgeMs)) return { ...alternative, stale: false };
    const previous = this.peek(key);
    try {
      const loaded = await this.entries.fetch(key, { context: how.load, forceRefresh: true });
      // Only a load that resolved to nothing gives undefined, and `load` is typed to give a value.
      if (loaded === undefined) throw new TypeError('The cache load gave no value');
      return { ...loaded, stale: false };
    } catch (error) {
      const standIn = newest(previous, alternative);
      if (standIn && how.serveStaleOn?.(error)) return { ...standIn, stale: true };
      throw error;
    }
  }

  /** How many keys are held. */
  get size(): number {
    return this.entries.size;
  }

  private isFresh(loaded: Loaded<V>, maxAgeMs = this.freshnessMs): boolean {
    return this.now() - loaded.loadedAt < Math.min(maxAgeMs, this.freshnessMs);
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

function newest<V>(a: Loaded<V> | undefined, b: Loaded<V> | undefined): Loaded<V> | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.loadedAt >= b.loadedAt ? a : b;
}
