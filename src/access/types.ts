/**
 * GDAP access as the partner tenant sees it: a customer's delegated admin relationships and
 * their access assignments, and which partner security groups an engineer belongs to. The
 * `AccessProvider` reads them (Microsoft Graph in the partner tenant, or the sandbox); the
 * domain (`domain/access.ts`) decides what they mean.
 */
import type { GdapAccessAssignment, GdapRelationship } from '../domain/access';
import type { Snapshot } from '../health/types';
import { UpstreamError } from '../http/errors';

export { UpstreamError };
export type { Snapshot };

/** One customer's GDAP picture. */
export interface CustomerAccess {
  readonly customerTenantId: string;
  readonly relationships: readonly GdapRelationship[];
  /** The access assignments of the customer's active relationships. */
  readonly assignments: readonly GdapAccessAssignment[];
}

/** Reads GDAP facts in the partner tenant. */
export interface AccessProvider {
  /** The customer's relationships (any status) and the access assignments of the active ones. */
  getCustomerAccess(customerTenantId: string): Promise<Snapshot<CustomerAccess>>;
  /**
   * Which of `groupIds` the partner user (Entra object id, as the Teams activity's
   * `from.aadObjectId` carries it) is a member of, transitively. A user unknown to the partner
   * tenant is a member of none.
   */
  memberGroups(userObjectId: string, groupIds: readonly string[]): Promise<Snapshot<readonly string[]>>;
  /** Every relationship of the partner, any customer (what the renewal reminders read). */
  listRelationships(): Promise<Snapshot<readonly GdapRelationship[]>>;
}

/** Which Graph permission a call needs (the message names it for the admin). */
export type AccessPermission = 'DelegatedAdminRelationship.Read.All' | 'User.Read.All and GroupMember.Read.All';

/** The partner's app may not read GDAP or group membership: the message names the missing permission. */
export class AccessPermissionError extends Error {
  override readonly name = 'AccessPermissionError';

  constructor(
    /** 401, 403, or 'token' when Entra refused to issue a token in the partner tenant. */
    readonly reason: 401 | 403 | 'token',
    readonly permission: AccessPermission,
    /** The upstream's error code, for logs. */
    readonly code?: string,
  ) {
    super(
      (reason === 'token'
        ? 'Microsoft Entra would not sign Escalation Desk in to your partner tenant. '
        : 'Microsoft Graph did not let Escalation Desk read GDAP access in your partner tenant. ') +
        `Missing: the application permission ${permission} with admin consent in the partner tenant (on the Graph app, GRAPH_CLIENT_ID).`,
    );
  }
}

/** The request budget for the partner tenant is spent and nothing cached can answer. */
export class AccessBudgetError extends Error {
  override readonly name = 'AccessBudgetError';

  constructor(
    /** When a request may be made again. */
    readonly retryAt: Date,
  ) {
    super(`GDAP access was checked very often; try again after ${retryAt.toISOString()}.`);
  }
}

/** A value that is not an Entra object id (a GUID) was given where one must go into a URL. */
export class InvalidIdError extends RangeError {
  override readonly name = 'InvalidIdError';
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Throws InvalidIdError unless `value` is a GUID; returns it lower-cased. */
export function checkGuid(value: string, what: string): string {
  if (!GUID.test(value)) throw new InvalidIdError(`${what} must be a GUID.`);
  return value.toLowerCase();
}
