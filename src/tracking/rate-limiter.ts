/**
 * Sliding-window rate limits for proactive sends: Teams allows a bot, per conversation,
 * 7 sends / 1 s, 8 / 2 s, 60 / 30 s and 1800 / hour, and about 50 requests / s per tenant
 * (PRODUCT.md). Exact sliding windows (not token buckets) because Teams counts sends in
 * windows: a bucket refilling continuously would still trip the 8 / 2 s rule. State is per
 * instance; several instances split the budget (see `share`).
 */

/** One window: at most `limit` sends in any `windowMs`. */
export interface RateWindow {
  readonly limit: number;
  readonly windowMs: number;
}

/** Teams' per-conversation limits. */
export const TEAMS_CONVERSATION_WINDOWS: readonly RateWindow[] = Object.freeze([
  { limit: 7, windowMs: 1_000 },
  { limit: 8, windowMs: 2_000 },
  { limit: 60, windowMs: 30_000 },
  { limit: 1_800, windowMs: 3_600_000 },
]);

/** Teams' per-tenant limit for one app. */
export const TEAMS_TENANT_WINDOWS: readonly RateWindow[] = Object.freeze([{ limit: 50, windowMs: 1_000 }]);

/** Sends recorded for one key, oldest first, plus any block imposed by a 429's Retry-After. */
interface KeyState {
  readonly sends: number[];
  blockedUntil: number;
}

/** Sliding windows per key (a conversation, a tenant). */
export class SlidingWindowLimiter {
  private readonly keys = new Map<string, KeyState>();
  private readonly windows: readonly RateWindow[];
  private readonly longest: number;

  /**
   * `share`: this instance's part of the limit when several instances send to the same
   * conversations. `marginMs` widens every window: sends leave at their slot but arrive after
   * varying network delays, so two sends exactly one window apart could land inside it.
   */
  constructor(windows: readonly RateWindow[], share = 1, marginMs = 0) {
    this.windows = windows.map((w) => ({ limit: Math.max(1, Math.floor(w.limit * share)), windowMs: w.windowMs + marginMs }));
    this.longest = Math.max(...this.windows.map((w) => w.windowMs));
  }

  /** How long to wait before a send under `key` is allowed (0: now). */
  waitMs(key: string, now: number): number {
    return this.earliest(key, now) - now;
  }

  /**
   * The earliest time, not before `now` nor before the key's latest recorded send, at which one
   * more send fits every window. Sends are recorded in time order, so a slot handed out stays
   * valid: later slots only ever come after it.
   */
  earliest(key: string, now: number): number {
    const state = this.keys.get(key);
    if (!state) return now;
    this.prune(state, now);
    let at = Math.max(now, state.blockedUntil, state.sends.at(-1) ?? now);
    for (const w of this.windows) {
      // The send that must leave the window before another fits.
      if (state.sends.length >= w.limit) at = Math.max(at, state.sends[state.sends.length - w.limit] + w.windowMs);
    }
    return at;
  }

  /** How many more sends under `key` fit every window at `now` (0 while blocked). */
  available(key: string, now: number): number {
    const state = this.keys.get(key);
    if (!state) return Math.min(...this.windows.map((w) => w.limit));
    this.prune(state, now);
    if (state.blockedUntil > now) return 0;
    return Math.max(0, Math.min(...this.windows.map((w) => w.limit - state.sends.filter((t) => t > now - w.windowMs).length)));
  }

  /**
   * Records a send under `key` at `at` (now, or a slot from `earliest` in the future). Callers
   * reserve the slot before waiting for it, so concurrent senders cannot all take the same one.
   */
  record(key: string, at: number): void {
    const state = this.stateOf(key);
    this.prune(state, at);
    // Kept sorted even if a caller records out of order (a clock step back).
    let i = state.sends.length;
    while (i > 0 && state.sends[i - 1] > at) i--;
    state.sends.splice(i, 0, at);
  }

  /** Blocks `key` until `until` (a 429's Retry-After, or a backoff). */
  block(key: string, until: number): void {
    const state = this.stateOf(key);
    state.blockedUntil = Math.max(state.blockedUntil, until);
  }

  /** Drops keys with nothing left in any window, so memory follows the active conversations. */
  sweep(now: number): void {
    for (const [key, state] of this.keys) {
      this.prune(state, now);
      if (state.sends.length === 0 && state.blockedUntil <= now) this.keys.delete(key);
    }
  }

  private stateOf(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { sends: [], blockedUntil: 0 };
      this.keys.set(key, state);
    }
    return state;
  }

  private prune(state: KeyState, now: number): void {
    let drop = 0;
    while (drop < state.sends.length && state.sends[drop] <= now - this.longest) drop++;
    if (drop > 0) state.sends.splice(0, drop);
  }
}
