/**
 * Deadlines on work the bot waits for. Work that takes a signal is aborted by one
 * (`AbortSignal.timeout`); work that cannot be aborted (a lookup whose promise a cache shares, a
 * token request, a database write) is only no longer waited for: it goes on, and its rejection
 * is observed so that it is never reported as unhandled.
 */

/** The work's outcome, or the error `expired()` makes once `signal` aborts first. The work itself goes on. */
export async function untilAborted<T>(work: Promise<T>, signal: AbortSignal, expired: () => Error): Promise<T> {
  work.catch(() => undefined);
  if (signal.aborted) throw expired();
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        onAbort = () => reject(expired());
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/** The work's outcome, or the error `expired()` makes after `ms`. The work itself goes on. */
export function waitAtMost<T>(work: Promise<T>, ms: number, expired: () => Error): Promise<T> {
  return untilAborted(work, AbortSignal.timeout(ms), expired);
}
