/**
 * What the service-health check found for an escalation: a matching Microsoft issue, none, or
 * nothing at all because it could not run. "Could not check" is never reported as "no match":
 * the request sent to Microsoft and the cards say exactly which one happened, and why.
 */

/** Why service health could not be read for the customer's tenant. */
export const HEALTH_CHECK_FAILURES = [
  'timeout',
  'throttled',
  'unavailable',
  'malformed',
  'budget',
  'access_token',
  'access_401',
  'access_403',
] as const;
export type HealthCheckFailure = (typeof HEALTH_CHECK_FAILURES)[number];

/** The outcome of the health check, with when it ran. */
export type HealthCheck =
  | { readonly outcome: 'matched'; readonly at: string }
  | { readonly outcome: 'no_match'; readonly at: string }
  | { readonly outcome: 'not_checked'; readonly at: string; readonly failure: HealthCheckFailure };

/** Whether a value is a failure reason this module knows (details are read back from storage). */
export function isHealthCheckFailure(value: unknown): value is HealthCheckFailure {
  return typeof value === 'string' && (HEALTH_CHECK_FAILURES as readonly string[]).includes(value);
}

/** The check's outcome from what the lookup gave: offered matches, an overview, or a failure. */
export function healthCheckOf(at: Date, result: { readonly matches: number } | { readonly failure: HealthCheckFailure }): HealthCheck {
  if ('failure' in result) return { outcome: 'not_checked', at: at.toISOString(), failure: result.failure };
  return { outcome: result.matches > 0 ? 'matched' : 'no_match', at: at.toISOString() };
}
