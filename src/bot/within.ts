/**
 * An upstream answer within a turn's time budget, or a `BudgetTimeoutError`. The upstream call is
 * not abandoned (its rejection is still observed), only no longer waited for: a health lookup
 * goes on filling the cache, and a background task may pick the same promise up later.
 */
/** The time budget ran out before the answer came. */
export class BudgetTimeoutError extends Error {
  override readonly name = 'BudgetTimeoutError';
  constructor() {
    super('timeout');
  }
}

/** The work's answer, or a `BudgetTimeoutError` after `ms`. */
export async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined);
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new BudgetTimeoutError()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
