/**
 * One engineer's readiness for one customer, as the desk shows it: the GDAP facts read through
 * the (cached) AccessProvider, decided with the health access the caller already knows, or why
 * they could not be read. Never rejects: a slow or refusing Graph is an answer to show, not an
 * error to handle in every caller.
 */
import { accessReadiness, type AccessFacts, type GdapRelationship, type HealthAccessFact } from '../domain/access';
import { checkedAccess, type AccessCheck } from '../domain/access-check';
import type { HealthCheckFailure } from '../domain/health-check';
import { readAccessFacts } from './index';
import { AccessBudgetError, AccessPermissionError, InvalidIdError, type AccessProvider } from './types';

/** The GDAP facts of a customer for an engineer, read; or why not. */
export type GdapRead =
  | {
      readonly kind: 'read';
      readonly facts: Omit<AccessFacts, 'health'>;
      readonly fetchedAt: string;
      readonly stale: boolean;
      /** The engineer's id was not an Entra object id Graph accepts: membership was not checked. */
      readonly engineerUnknown: boolean;
    }
  | { readonly kind: 'failed'; readonly check: AccessCheck };

/**
 * Reads a customer's GDAP picture and the engineer's groups in it. `engineerObjectId` is the
 * Teams activity's `from.aadObjectId`: a local client's (the Agents Playground's is not a GUID)
 * is passed as it is, for the sandbox knows no better; Graph refuses it, and readiness then says
 * membership was not checked rather than "not in the group".
 */
export async function readGdap(provider: AccessProvider, customerTenantId: string, engineerObjectId: string | undefined, now: () => Date): Promise<GdapRead> {
  const health: HealthAccessFact = { state: 'not_checked' };
  const read = async (engineer: string): Promise<GdapRead> => {
    const r = await readAccessFacts(provider, customerTenantId, engineer, health);
    const { health: _h, ...facts } = r.facts;
    return { kind: 'read', facts, fetchedAt: r.fetchedAt, stale: r.stale, engineerUnknown: false };
  };
  try {
    if (engineerObjectId === undefined) return await readWithoutEngineer(provider, customerTenantId);
    try {
      return await read(engineerObjectId);
    } catch (error) {
      if (error instanceof InvalidIdError) return await readWithoutEngineer(provider, customerTenantId);
      throw error;
    }
  } catch (error) {
    return { kind: 'failed', check: failedCheck(error, now()) };
  }
}

/** The customer's facts with no group membership: the engineer could not be named to Graph. */
async function readWithoutEngineer(provider: AccessProvider, customerTenantId: string): Promise<GdapRead> {
  const access = await provider.getCustomerAccess(customerTenantId);
  return {
    kind: 'read',
    facts: { relationships: access.value.relationships, assignments: access.value.assignments, engineerGroupIds: [] },
    fetchedAt: access.fetchedAt,
    stale: access.stale,
    engineerUnknown: true,
  };
}

/** Why the facts could not be read, as a check to show. */
export function failedCheck(error: unknown, at: Date): AccessCheck {
  const base = { outcome: 'not_checked' as const, at: at.toISOString() };
  if (error instanceof AccessPermissionError) return { ...base, failure: 'permission', permission: error.permission };
  if (error instanceof AccessBudgetError) return { ...base, failure: 'budget', retryAt: error.retryAt.toISOString() };
  if (error instanceof Error && error.message === 'timeout') return { ...base, failure: 'timeout' };
  return { ...base, failure: 'unavailable' };
}

/** Whether the health app can read the customer's service health, from a lookup's outcome. */
export function healthAccessFact(outcome: { readonly readable: true } | { readonly failure: HealthCheckFailure } | undefined): HealthAccessFact {
  if (outcome === undefined) return { state: 'not_checked' };
  return 'failure' in outcome ? { state: 'failed', failure: outcome.failure } : { state: 'readable' };
}

/** The readiness check from what was read and what the health lookup said, at `now`. */
export function accessCheckFrom(read: GdapRead, health: HealthAccessFact, now: Date): AccessCheck {
  if (read.kind === 'failed') return read.check;
  const readiness = accessReadiness({ ...read.facts, health }, now);
  if (!read.engineerUnknown) return checkedAccess(readiness, read.fetchedAt, { stale: read.stale });
  // Membership was not checked: "not in the group" would be a guess, so that problem is left out.
  const problems = readiness.problems.filter((p) => p.kind !== 'not_in_group');
  return checkedAccess({ ...readiness, problems, ready: false }, read.fetchedAt, { stale: read.stale, engineerUnknown: true });
}

/** The relationships a read found, for the full picture (none when it failed). */
export function relationshipsOf(read: GdapRead): readonly GdapRelationship[] {
  return read.kind === 'read' ? read.facts.relationships : [];
}
