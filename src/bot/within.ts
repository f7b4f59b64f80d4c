/**
 * An upstream answer within a turn's time budget, or a `BudgetTimeoutError`. The upstream call is
 * not abandoned (its rejection is still observed), only no longer waited for: a health lookup
 * goes on filling the cache, and a background task may pick the same promise up later.
 */
import { waitAtMost } from '../limits/deadline';

/** The time budget ran out before the answer came. */
export class BudgetTimeoutError extends Error {
  override readonly name = 'BudgetTimeoutError';
  constructor() {
    super('timeout');
  }
}

/** The work's answer, or a `BudgetTimeoutError` after `ms`. */
export function within<T>(work: Promise<T>, ms: number): Promise<T> {
  return waitAtMost(work, ms, () => new BudgetTimeoutError());
}
