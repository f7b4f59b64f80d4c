/**
 * The project's one rate limiter: exact sliding windows per key. Microsoft counts requests in
 * windows (Teams: 7 sends / 1 s and 8 / 2 s per conversation; Graph: 240 / 60 s and 800 / hour
 * per tenant), so a token bucket refilling continuously would still trip them. The limiter only
 * counts; callers ask it at a time they give (`now`), so it needs no clock of its own. State is
 * per instance; several instances split a limit between them (`share`).
 */

/** One window: at most `limit` events in any `windowMs`. */
export interface RateWindow {
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * The even spacing of `windows`' tightest rate: one event per `windowMs / limit` of the window
 * that allows the fewest events per ms (Teams' 50 / s per tenant: one per 20 ms). Spacing sends
 * this way gives the same throughput as bursts up to each window's limit, without the queue a
 * burst makes on the way, whose delays would otherwise crowd a later window.
 */
export function evenSpacing(windows: readonly RateWindow[], share = 1): RateWindow {
  const gaps = windows.map((w) => w.windowMs / Math.max(1, Math.floor(w.limit * share)));
  return { limit: 1, windowMs: Math.floor(Math.min(...gaps)) };
}

/** Events recorded for one key, oldest first, and any block imposed by a 429's Retry-After. */
interface KeyState {
  readonly times: number[];
  blockedUntil: number;
}

/** Sliding windows per key (a conversation, a tenant, an upstream). */
export class SlidingWindowLimiter {
  private readonly keys = new Map<string, KeyState>();
  /** The windows as given (the whole upstream limit). */
  private readonly given: readonly RateWindow[];
  private share: number;
  private marginMs: number;
  /** The windows as held: this instance's share of each limit, each window widened by the margin. */
  private windows: readonly RateWindow[] = [];
  private longest = 0;

  /**
   * `share`: this instance's part of the limit when several instances count against the same
   * upstream limit. `marginMs` widens every window: sends leave at their slot but arrive after
   * varying network delays, so two sends exactly one window apart could land inside it.
   */
  constructor(windows: readonly RateWindow[], share = 1, marginMs = 0) {
    if (windows.length === 0) throw new RangeError('A limiter needs at least one window');
    this.given = windows;
    this.share = share;
    this.marginMs = Math.max(0, marginMs);
    this.hold();
  }

  /**
   * Widens every window by `marginMs` from now on (a margin learnt from the sends, see
   * `send-margin.ts`). Slots already handed out stay as they were.
   */
  setMarginMs(marginMs: number): void {
    this.marginMs = Math.max(0, marginMs);
    this.hold();
  }

  /**
   * Takes `share` of each limit from now on (another instance started or stopped sending).
   * What was recorded stays: a smaller share waits until enough of it has left the windows.
   */
  setShare(share: number): void {
    this.share = share;
    this.hold();
  }

  private hold(): void {
    this.windows = this.given.map((w) => ({ limit: Math.max(1, Math.floor(w.limit * this.share)), windowMs: w.windowMs + this.marginMs }));
    this.longest = Math.max(...this.windows.map((w) => w.windowMs));
  }

  /** How many keys are tracked (each has something inside a window, or a block). */
  get size(): number {
    return this.keys.size;
  }

  /** Whether `key` has anything recorded that `sweep` has not dropped yet. */
  tracks(key: string): boolean {
    return this.keys.has(key);
  }

  /** How long to wait before one more event under `key` is allowed (0: now). */
  waitMs(key: string, now: number): number {
    return this.earliest(key, now) - now;
  }

  /**
   * The earliest time, not before `now` nor before the key's latest recorded event, at which
   * one more fits every window. Events are recorded in time order, so a slot handed out stays
   * valid: later slots only ever come after it.
   */
  earliest(key: string, now: number): number {
    const state = this.current(key, now);
    if (!state) return now;
    const { times } = state;
    let at = Math.max(now, state.blockedUntil, times.at(-1) ?? now);
    for (const w of this.windows) {
      // The event that must leave the window before another fits.
      if (times.length >= w.limit) at = Math.max(at, times[times.length - w.limit] + w.windowMs);
    }
    return at;
  }

  /** How many more events under `key` fit every window at `now` (0 while blocked). */
  available(key: string, now: number): number {
    const state = this.current(key, now);
    if (!state) return Math.min(...this.windows.map((w) => w.limit));
    if (state.blockedUntil > now) return 0;
    return Math.max(0, Math.min(...this.windows.map((w) => w.limit - countAfter(state.times, now - w.windowMs))));
  }

  /** Events recorded under `key` inside each window at `now`, in the order the windows were given. */
  usage(key: string, now: number): number[] {
    const times = this.current(key, now)?.times ?? [];
    return this.windows.map((w) => countAfter(times, now - w.windowMs));
  }

  /**
   * Records an event under `key` at `at` (now, or a slot from `earliest` in the future). Callers
   * reserve the slot before waiting for it, so concurrent senders cannot all take the same one.
   */
  record(key: string, at: number): void {
    const state = this.stateOf(key);
    prune(state.times, at - this.longest);
    // Kept sorted even if a caller records out of order (a clock step back).
    let i = state.times.length;
    while (i > 0 && state.times[i - 1] > at) i--;
    state.times.splice(i, 0, at);
  }

  /**
   * Moves one event of `key` from `from` to `to`: a send recorded when it left is recorded again
   * when it was answered, the latest it can have arrived. An event already out of every window
   * is recorded at `to` all the same.
   */
  move(key: string, from: number, to: number): void {
    const state = this.keys.get(key);
    const i = state ? state.times.indexOf(from) : -1;
    if (state && i >= 0) state.times.splice(i, 1);
    this.record(key, to);
  }

  /** Blocks `key` until `until` (a 429's Retry-After, or a backoff). */
  block(key: string, until: number): void {
    const state = this.stateOf(key);
    state.blockedUntil = Math.max(state.blockedUntil, until);
  }

  /** Drops keys with nothing left in any window, so memory follows the active keys. */
  sweep(now: number): void {
    for (const [key, state] of this.keys) {
      prune(state.times, now - this.longest);
      if (state.times.length === 0 && state.blockedUntil <= now) this.keys.delete(key);
    }
  }

  /** The key's state with what has left every window dropped, or undefined if untracked. */
  private current(key: string, now: number): KeyState | undefined {
    const state = this.keys.get(key);
    if (state) prune(state.times, now - this.longest);
    return state;
  }

  private stateOf(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { times: [], blockedUntil: 0 };
      this.keys.set(key, state);
    }
    return state;
  }
}

/** Index of the first time strictly after `since` (times sorted ascending). */
function firstIndexAfter(times: readonly number[], since: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= since) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countAfter(times: readonly number[], since: number): number {
  return times.length - firstIndexAfter(times, since);
}

/** Drops the times at or before `since`, in place. */
function prune(times: number[], since: number): void {
  const drop = firstIndexAfter(times, since);
  if (drop > 0) times.splice(0, drop);
}
