/**
 * Time as a dependency: logic that depends on "now" takes a `Clock`, so tests can hold
 * time still or move it forward without waiting.
 */

/** The source of the current time. */
export interface Clock {
  now(): Date;
}

/** The wall clock, for production wiring. */
export const systemClock: Clock = Object.freeze({ now: (): Date => new Date() });

/** A clock that only moves when told to: for tests and simulations. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2025-01-01T00:00:00Z') {
    this.current = new Date(start).getTime();
  }

  /** The clock's current time. */
  now(): Date {
    return new Date(this.current);
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.current += ms;
  }

  /** Sets the clock to a given instant. */
  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
}
