/**
 * Whether a partner engineer can act for a customer before they start: the GDAP relationship,
 * its access assignments, the engineer's groups and whether the health app may read the
 * customer's service health decide it. Plain data and functions: no I/O here. The facts come
 * from an AccessProvider (Microsoft Graph in the partner tenant, or the sandbox).
 *
 * The roles themselves are in `access-roles.ts`; GDAP shapes and statuses are Graph's
 * delegatedAdminRelationship and delegatedAdminAccessAssignment (PRODUCT.md, "Added 2026-12").
 */
import { Duration } from 'luxon';
import { SUPPORT_ROLES, type EntraRole } from './access-roles';
import type { HealthCheckFailure } from './health-check';

/** Graph's delegatedAdminRelationshipStatus values; anything unknown becomes `unknownFutureValue`. */
export const RELATIONSHIP_STATUSES = [
  'created',
  'approvalPending',
  'approved',
  'activating',
  'active',
  'expiring',
  'expired',
  'terminationRequested',
  'terminating',
  'terminated',
  'unknownFutureValue',
] as const;
export type RelationshipStatus = (typeof RELATIONSHIP_STATUSES)[number];

/** Graph's delegatedAdminAccessAssignmentStatus values. */
export const ASSIGNMENT_STATUSES = ['pending', 'active', 'deleting', 'deleted', 'error', 'unknownFutureValue'] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];

/** A GDAP relationship between the partner and one customer. */
export interface GdapRelationship {
  readonly id: string;
  readonly displayName: string;
  readonly customerTenantId: string;
  readonly status: RelationshipStatus;
  /** When it ends (ISO); absent before it is active. */
  readonly endDateTime?: string;
  /** ISO 8601 duration; `PT0S`/`P0D` (the default) means it does not extend itself. */
  readonly autoExtendDuration?: string;
  /** Role template ids the customer approved. */
  readonly roleIds: readonly string[];
}

/** A security group of the partner given some of a relationship's roles. */
export interface GdapAccessAssignment {
  readonly id: string;
  readonly relationshipId: string;
  readonly status: AssignmentStatus;
  /** The partner-tenant security group (accessContainer.accessContainerId). */
  readonly groupId: string;
  /** The group's display name when known. */
  readonly groupName?: string;
  readonly roleIds: readonly string[];
}

/** What the health app's last read of the customer's service health says. */
export type HealthAccessFact =
  | { readonly state: 'readable' }
  | { readonly state: 'not_checked' }
  | { readonly state: 'failed'; readonly failure: HealthCheckFailure };

/** Everything readiness is decided from. */
export interface AccessFacts {
  readonly relationships: readonly GdapRelationship[];
  readonly assignments: readonly GdapAccessAssignment[];
  /** Partner-tenant group ids the engineer is a (transitive) member of, among the assignments' groups. */
  readonly engineerGroupIds: readonly string[];
  readonly health: HealthAccessFact;
}

/** Who can fix a problem. */
export type Fixer = 'partner_admin' | 'customer_admin' | 'group_owner';

/** Something that keeps the engineer from acting, and who can fix it. */
export type AccessProblem =
  | { readonly kind: 'no_relationship'; readonly fixedBy: readonly Fixer[] }
  | { readonly kind: 'relationship_pending'; readonly status: RelationshipStatus; readonly relationship: string; readonly fixedBy: readonly Fixer[] }
  | { readonly kind: 'relationship_ended'; readonly status: RelationshipStatus; readonly relationship: string; readonly endedAt?: string; readonly fixedBy: readonly Fixer[] }
  | { readonly kind: 'no_support_role'; readonly relationships: readonly string[]; readonly fixedBy: readonly Fixer[] }
  | { readonly kind: 'role_not_assigned'; readonly role: EntraRole; readonly relationship: string; readonly fixedBy: readonly Fixer[] }
  | { readonly kind: 'not_in_group'; readonly groups: readonly { readonly id: string; readonly name?: string }[]; readonly role: EntraRole; readonly fixedBy: readonly Fixer[] }
  | { readonly kind: 'health_not_consented'; readonly failure: HealthCheckFailure; readonly fixedBy: readonly Fixer[] };

/** Something that does not block today but will. */
export type AccessWarning =
  | { readonly kind: 'ending_soon'; readonly relationship: string; readonly endDateTime: string; readonly daysLeft: number }
  | { readonly kind: 'health_unknown'; readonly failure?: HealthCheckFailure };

/** The path by which the engineer can act. */
export interface AccessGrant {
  readonly role: EntraRole;
  readonly groupId: string;
  readonly groupName?: string;
  readonly relationshipId: string;
  readonly relationshipName: string;
  readonly until?: string;
  readonly autoExtends: boolean;
}

/** The decision. */
export interface AccessReadiness {
  /** Nothing blocks: the engineer can act and the health app can read (or was not asked). */
  readonly ready: boolean;
  /** The engineer holds a support role in the customer's tenant. */
  readonly canAct: boolean;
  readonly grant?: AccessGrant;
  /** Every role the engineer holds there (for the checklist). */
  readonly heldRoleIds: readonly string[];
  /** Most fundamental first. */
  readonly problems: readonly AccessProblem[];
  readonly warnings: readonly AccessWarning[];
}

/** How far ahead an ending relationship is reported. */
export const ENDING_SOON_DAYS = 30;

const DAY_MS = 86_400_000;
const PENDING: readonly RelationshipStatus[] = ['created', 'approvalPending', 'approved', 'activating'];
/** Health failures that mean the health app may not read the tenant (what a consent fixes), not that it could not ask. */
export const HEALTH_ACCESS_FAILURES: readonly HealthCheckFailure[] = ['access_token', 'access_401', 'access_403'];

/** Whether the health app is refused the customer's service health: what granting its consent fixes. */
export function healthNeedsConsent(health: HealthAccessFact): boolean {
  return health.state === 'failed' && HEALTH_ACCESS_FAILURES.includes(health.failure);
}

/** Whether a relationship extends itself when it reaches its end. */
export function autoExtends(relationship: Pick<GdapRelationship, 'autoExtendDuration'>): boolean {
  const text = relationship.autoExtendDuration?.trim();
  if (!text) return false;
  const duration = Duration.fromISO(text);
  return duration.isValid && duration.toMillis() > 0;
}

/** Whether a relationship gives access at `now`: active, and its end (if known) not passed. */
export function isRelationshipActive(relationship: GdapRelationship, now: Date): boolean {
  if (relationship.status !== 'active') return false;
  if (!relationship.endDateTime) return true;
  // Graph moves status a little after the end; the time is what counts (unless it extends itself).
  return Date.parse(relationship.endDateTime) > now.getTime() || autoExtends(relationship);
}

/** Whole days from `now` to a relationship's end, a part day counted as a day (9 days and 23 hours is "10 days left"). */
export function daysLeft(endDateTime: string, now: Date): number {
  return Math.ceil((Date.parse(endDateTime) - now.getTime()) / DAY_MS);
}

/**
 * Active relationships that end within `withinDays` (default 30) and will not extend
 * themselves, soonest first: what the partner must renew (reminders, the tab).
 */
export function relationshipsEndingSoon(
  relationships: readonly GdapRelationship[],
  now: Date,
  withinDays: number = ENDING_SOON_DAYS,
): readonly GdapRelationship[] {
  const horizon = now.getTime() + withinDays * DAY_MS;
  return relationships
    .filter((r) => r.status === 'active' && r.endDateTime !== undefined && !autoExtends(r))
    .filter((r) => {
      const end = Date.parse(r.endDateTime as string);
      return end > now.getTime() && end <= horizon;
    })
    .sort((a, b) => Date.parse(a.endDateTime as string) - Date.parse(b.endDateTime as string));
}

/** Decides whether the engineer can act for the customer, and exactly what is missing if not. */
export function accessReadiness(facts: AccessFacts, now: Date): AccessReadiness {
  const problems: AccessProblem[] = [];
  const warnings: AccessWarning[] = [];
  const inGroup = new Set(facts.engineerGroupIds.map((g) => g.toLowerCase()));
  const active = facts.relationships.filter((r) => isRelationshipActive(r, now));

  // Roles held: an active assignment, under an active relationship, to a group the engineer is in.
  const held: { role: string; assignment: GdapAccessAssignment; relationship: GdapRelationship }[] = [];
  for (const relationship of active) {
    const approved = new Set(relationship.roleIds.map((id) => id.toLowerCase()));
    for (const assignment of facts.assignments) {
      if (assignment.relationshipId !== relationship.id || assignment.status !== 'active') continue;
      if (!inGroup.has(assignment.groupId.toLowerCase())) continue;
      // An assignment can only give roles its relationship holds.
      for (const role of assignment.roleIds.map((id) => id.toLowerCase())) if (approved.has(role)) held.push({ role, assignment, relationship });
    }
  }
  const heldRoleIds = [...new Set(held.map((h) => h.role))];
  const grant = bestGrant(held);

  if (!grant) problems.push(gdapProblem(facts, active, inGroup));

  if (grant) {
    const ending = relationshipsEndingSoon(facts.relationships.filter((r) => r.id === grant.relationshipId), now);
    for (const r of ending) warnings.push({ kind: 'ending_soon', relationship: r.displayName, endDateTime: r.endDateTime as string, daysLeft: daysLeft(r.endDateTime as string, now) });
  }

  if (facts.health.state === 'failed') {
    if (HEALTH_ACCESS_FAILURES.includes(facts.health.failure)) {
      problems.push({ kind: 'health_not_consented', failure: facts.health.failure, fixedBy: ['partner_admin', 'customer_admin'] });
    } else {
      warnings.push({ kind: 'health_unknown', failure: facts.health.failure });
    }
  } else if (facts.health.state === 'not_checked') {
    warnings.push({ kind: 'health_unknown' });
  }

  return { ready: problems.length === 0, canAct: grant !== undefined, grant, heldRoleIds, problems, warnings };
}

/** The least-privileged support role held, on the relationship that lasts longest. */
function bestGrant(held: readonly { role: string; assignment: GdapAccessAssignment; relationship: GdapRelationship }[]): AccessGrant | undefined {
  const rank = (roleId: string): number => SUPPORT_ROLES.findIndex((r) => r.id === roleId);
  const candidates = held
    .filter((h) => rank(h.role) >= 0)
    .sort((a, b) => rank(a.role) - rank(b.role) || endOf(b.relationship) - endOf(a.relationship));
  const best = candidates[0];
  if (!best) return undefined;
  return {
    role: SUPPORT_ROLES[rank(best.role)],
    groupId: best.assignment.groupId,
    ...(best.assignment.groupName ? { groupName: best.assignment.groupName } : {}),
    relationshipId: best.relationship.id,
    relationshipName: best.relationship.displayName,
    ...(best.relationship.endDateTime ? { until: best.relationship.endDateTime } : {}),
    autoExtends: autoExtends(best.relationship),
  };
}

function endOf(r: GdapRelationship): number {
  if (autoExtends(r)) return Number.POSITIVE_INFINITY;
  return r.endDateTime ? Date.parse(r.endDateTime) : 0;
}

/** The most fundamental reason no support role reaches the engineer. */
function gdapProblem(facts: AccessFacts, active: readonly GdapRelationship[], inGroup: ReadonlySet<string>): AccessProblem {
  if (facts.relationships.length === 0) return { kind: 'no_relationship', fixedBy: ['partner_admin', 'customer_admin'] };
  if (active.length === 0) {
    const pending = facts.relationships.find((r) => PENDING.includes(r.status));
    if (pending) {
      // Waiting on the customer (approval) or on Microsoft (provisioning).
      return { kind: 'relationship_pending', status: pending.status, relationship: pending.displayName, fixedBy: ['customer_admin'] };
    }
    const latest = [...facts.relationships].sort((a, b) => endOf(b) - endOf(a))[0];
    return {
      kind: 'relationship_ended',
      status: latest.status,
      relationship: latest.displayName,
      ...(latest.endDateTime ? { endedAt: latest.endDateTime } : {}),
      fixedBy: ['partner_admin', 'customer_admin'],
    };
  }
  const withRole = active.filter((r) => supportRoleOf(r.roleIds) !== undefined);
  // Roles of an approved relationship cannot change: a new relationship (customer approval) is needed.
  if (withRole.length === 0) return { kind: 'no_support_role', relationships: active.map((r) => r.displayName), fixedBy: ['partner_admin', 'customer_admin'] };

  const supportAssignments = facts.assignments.filter((a) => {
    const relationship = withRole.find((r) => r.id === a.relationshipId);
    return a.status === 'active' && relationship !== undefined && supportRoleOf(a.roleIds, relationship.roleIds) !== undefined;
  });
  if (supportAssignments.length === 0) {
    const relationship = withRole[0];
    return { kind: 'role_not_assigned', role: supportRoleOf(relationship.roleIds) as EntraRole, relationship: relationship.displayName, fixedBy: ['partner_admin'] };
  }
  const groups = supportAssignments
    .filter((a) => !inGroup.has(a.groupId.toLowerCase()))
    .map((a) => ({ id: a.groupId, ...(a.groupName ? { name: a.groupName } : {}) }))
    .filter((g, i, all) => all.findIndex((x) => x.id === g.id) === i);
  return { kind: 'not_in_group', groups, role: supportRoleOf(supportAssignments[0].roleIds) as EntraRole, fixedBy: ['group_owner', 'partner_admin'] };
}

/** The least-privileged support role among `roleIds` (and, when given, also among `within`). */
function supportRoleOf(roleIds: readonly string[], within?: readonly string[]): EntraRole | undefined {
  const ids = new Set(roleIds.map((id) => id.toLowerCase()));
  const allowed = within ? new Set(within.map((id) => id.toLowerCase())) : undefined;
  return SUPPORT_ROLES.find((r) => ids.has(r.id) && (!allowed || allowed.has(r.id)));
}
