/**
 * How much wider than Teams' windows the outbox holds its own. Teams counts a send when it
 * arrives; the outbox holds its windows on the times its sends were answered (the latest they
 * can have arrived), so it needs no margin for the network's jitter: the base is 0 unless
 * configured (other senders sharing the limit, a path that answers before it counts). A 429
 * from Teams says the windows were still too narrow: the margin doubles (to at least 100 ms, at
 * most 1 s) and stays raised until that many sends in a row went through, then returns to the base.
 *
 * Pure: the caller says what each send's answer was; it has no clock.
 */

export interface SendMarginOptions {
  /** The margin while Teams accepts the sends (default 0). */
  readonly baseMs?: number;
  /** After a 429, at least this (default 100 ms). */
  readonly raisedMinMs?: number;
  /** Never above (default 1000 ms). */
  readonly ceilingMs?: number;
  /** Accepted sends in a row after which a raised margin returns to the base (default 200). */
  readonly holdSends?: number;
}

/** The outbox's arrival margin: a base, raised by Teams' 429s for a while. */
export class SendMargin {
  private readonly baseMs: number;
  private readonly raisedMinMs: number;
  private readonly ceilingMs: number;
  private readonly holdSends: number;
  private current: number;
  private acceptedSinceRaise = 0;

  constructor(options: SendMarginOptions = {}) {
    this.baseMs = Math.max(0, options.baseMs ?? 0);
    this.ceilingMs = Math.max(this.baseMs, options.ceilingMs ?? 1_000);
    this.raisedMinMs = Math.min(this.ceilingMs, Math.max(this.baseMs, options.raisedMinMs ?? 100));
    this.holdSends = Math.max(1, options.holdSends ?? 200);
    this.current = this.baseMs;
  }

  /** The margin to hold now, in ms. */
  get ms(): number {
    return this.current;
  }

  /** Teams accepted a send; returns the margin after it. */
  accepted(): number {
    if (this.current > this.baseMs && ++this.acceptedSinceRaise >= this.holdSends) {
      this.current = this.baseMs;
      this.acceptedSinceRaise = 0;
    }
    return this.current;
  }

  /** Teams refused a send as too many: the margin doubles (at least `raisedMinMs`). */
  throttled(): number {
    this.current = Math.min(this.ceilingMs, Math.max(this.current * 2, this.raisedMinMs));
    this.acceptedSinceRaise = 0;
    return this.current;
  }
}
