/**
 * Fan-out with a bound: many independent reads (an export's audit trails) run a few at a time,
 * never all at once, so one request cannot take every database connection or queue thousands
 * of statements.
 */

/**
 * `work` applied to every item, at most `limit` at a time, the results in the items' order.
 * After the first failure no new item starts; the failure is thrown once those running end.
 */
export async function mapWithLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  if (!(limit >= 1)) throw new RangeError('A fan-out limit must be at least 1');
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.min(limit, items.length) }, worker);
  const settled = await Promise.allSettled(workers);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return results;
}
