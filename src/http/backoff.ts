/**
 * The one backoff of the project, shared by the upstream client, the edge's reply retry and
 * the outbox worker: a capped exponential step with "equal jitter" (half the step plus a
 * random share of the other half), or the server's Retry-After as a floor.
 */

/** The first step and the cap of the exponential backoff, in milliseconds. */
export interface BackoffSteps {
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * The wait before the next attempt after `failedAttempts` failures (1 after the first).
 * Retry-After is a floor, with a little jitter above it so a crowd of throttled callers does
 * not return in lockstep; it is never shortened.
 */
export function backoffDelay(failedAttempts: number, steps: BackoffSteps, random: () => number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return retryAfterMs + random() * steps.baseMs * 0.25;
  const step = Math.min(steps.maxMs, steps.baseMs * 2 ** Math.max(0, failedAttempts - 1));
  return step / 2 + random() * (step / 2);
}
