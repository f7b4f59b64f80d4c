/** Why a health lookup failed, in the domain's terms (the cards and the request text say it). */
import type { HealthCheckFailure } from '../domain/health-check';
import { UpstreamError } from '../http/errors';
import { BudgetExhaustedError, HealthAccessError } from './types';

/** The reason a lookup failed; an unknown error (or a turn's time bound) counts as a timeout or an outage. */
export function healthFailureOf(error: unknown): HealthCheckFailure {
  if (error instanceof HealthAccessError) return error.reason === 'token' ? 'access_token' : error.reason === 401 ? 'access_401' : 'access_403';
  if (error instanceof BudgetExhaustedError) return 'budget';
  if (error instanceof UpstreamError) return error.failure;
  return error instanceof Error && error.message === 'timeout' ? 'timeout' : 'unavailable';
}
