/**
 * Whether a partner engineer can act for a customer before they start: the GDAP relationship,
 * its access assignments, the engineer's groups and whether the health app may read the
 * customer's service health decide it. Plain data and functions: no I/O here. The facts come
 * from an AccessProvider (Microsoft Graph in the partner tenant, or the sandbox).
 *
 * Role template ids are Microsoft Entra's built-in roles (learn.microsoft.com, "Microsoft Entra
 * built-in roles"); GDAP shapes and statuses are Graph's delegatedAdminRelationship and
 * delegatedAdminAccessAssignment (PRODUCT.md, "Added 2026-12").
 */
import { Duration } from 'luxon';
import type { HealthCheckFailure } from './health-check';
import { troubleshootingChecks } from './triage';

/** A built-in Microsoft Entra role as GDAP names it: its template id and display name. */
export interface EntraRole {
  readonly id: string;
  readonly name: string;
}

/** The built-in roles this desk reasons about (template ids from Microsoft's role reference). */
export const ROLES = {
  globalAdministrator: { id: '62e90394-69f5-4237-9190-012177145e10', name: 'Global Administrator' },
  serviceSupportAdministrator: { id: 'f023fd81-a637-4b56-95fd-791ac0226033', name: 'Service Support Administrator' },
  exchangeAdministrator: { id: '29232cdf-9323-42fd-ade2-1d097af3e4de', name: 'Exchange Administrator' },
  teamsAdministrator: { id: '69091246-20e8-4a56-aa4d-066075b2a7a8', name: 'Teams Administrator' },
  teamsCommunicationsAdministrator: { id: 'baf37b3a-610e-45da-9e62-d9d1e5e8914b', name: 'Teams Communications Administrator' },
  teamsCommunicationsSupportEngineer: { id: 'f70938a0-fc10-4177-9e90-2178f8765737', name: 'Teams Communications Support Engineer' },
  sharePointAdministrator: { id: 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c', name: 'SharePoint Administrator' },
  intuneAdministrator: { id: '3a2c62db-5318-420d-8d74-23affee5d9d5', name: 'Intune Administrator' },
  conditionalAccessAdministrator: { id: 'b1be1c3e-b65d-4f19-8427-f6fa0d97feb9', name: 'Conditional Access Administrator' },
  securityAdministrator: { id: '194ae4cb-b126-40b2-bd5b-6091b380977d', name: 'Security Administrator' },
  securityReader: { id: '5d6b6bb7-de71-4623-b4af-96380a352509', name: 'Security Reader' },
  globalReader: { id: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451', name: 'Global Reader' },
  reportsReader: { id: '4a5d8f65-41da-4de4-8968-e035b65339cf', name: 'Reports Reader' },
  licenseAdministrator: { id: '4d6ac14f-3453-41d0-bef9-a3e0c569773a', name: 'License Administrator' },
  userAdministrator: { id: 'fe930be7-5e62-47db-91af-98c3a49a38b1', name: 'User Administrator' },
  directoryReaders: { id: '88d8e3e3-8f55-4a1e-953a-9b9898b8876b', name: 'Directory Readers' },
  privilegedRoleAdministrator: { id: 'e8611ab8-c189-46e8-94e1-60213ab1f814', name: 'Privileged Role Administrator' },
} as const satisfies Record<string, EntraRole>;

const ROLE_BY_ID: ReadonlyMap<string, EntraRole> = new Map(Object.values(ROLES).map((r) => [r.id, r]));

/** The display name of a role template id (the id itself for a role this table does not name). */
export function roleName(roleId: string): string {
  return ROLE_BY_ID.get(roleId.toLowerCase())?.name ?? roleId;
}

/**
 * Roles that may read a customer's service health and open and manage its Microsoft 365 support
 * requests, least privileged first: Service Support Administrator is Microsoft's least-privileged
 * choice; the service administrators carry both permissions too (serviceHealth and
 * supportTickets in their role definitions). Intune Administrator is not here: it manages support
 * tickets but cannot read service health.
 */
export const SUPPORT_ROLES: readonly EntraRole[] = [
  ROLES.serviceSupportAdministrator,
  ROLES.exchangeAdministrator,
  ROLES.sharePointAdministrator,
  ROLES.teamsAdministrator,
  ROLES.globalAdministrator,
];

/** Roles that may consent to Microsoft Graph application permissions in a customer tenant. */
export const GRAPH_CONSENT_ROLES: readonly EntraRole[] = [ROLES.privilegedRoleAdministrator, ROLES.globalAdministrator];

/**
 * The administrator roles of each service family: what its `settings` and `recent_changes`
 * checks need. Keyed by a word of the service name, like triage's own service checks.
 */
const SERVICE_ADMIN_ROLES: ReadonlyArray<readonly [RegExp, readonly EntraRole[]]> = [
  [/exchange|outlook|mail/i, [ROLES.exchangeAdministrator]],
  [/teams/i, [ROLES.teamsAdministrator, ROLES.teamsCommunicationsAdministrator]],
  [/sharepoint|onedrive/i, [ROLES.sharePointAdministrator]],
  [/entra|azure ad|identity/i, [ROLES.conditionalAccessAdministrator, ROLES.securityAdministrator]],
  [/intune|endpoint/i, [ROLES.intuneAdministrator]],
];

/** The admin roles of a service (empty for a service this table does not know). */
export function serviceAdminRoles(service: string): readonly EntraRole[] {
  return SERVICE_ADMIN_ROLES.filter(([pattern]) => pattern.test(service)).flatMap(([, roles]) => roles);
}

/**
 * The roles that let an engineer perform each troubleshooting check (besides Global
 * Administrator, which can do all). A check is "performed" by looking at what it names, so a
 * reader role that can see it counts. `client_software` is checked on the user's device and
 * needs no role in the customer's tenant. `service` marks where the service's admin roles count.
 */
const CHECK_ROLES: Readonly<Record<string, { readonly roles: readonly EntraRole[]; readonly service?: boolean }>> = {
  licences: { roles: [ROLES.licenseAdministrator, ROLES.userAdministrator, ROLES.globalReader] },
  recent_changes: { roles: [ROLES.reportsReader, ROLES.securityReader, ROLES.securityAdministrator, ROLES.globalReader], service: true },
  settings: { roles: [ROLES.globalReader], service: true },
  client_software: { roles: [] },
  mail_flow_rules: { roles: [ROLES.exchangeAdministrator, ROLES.globalReader] },
  message_trace: { roles: [ROLES.exchangeAdministrator, ROLES.globalReader] },
  teams_policies: { roles: [ROLES.teamsAdministrator, ROLES.teamsCommunicationsAdministrator, ROLES.globalReader] },
  network_ports: { roles: [ROLES.teamsAdministrator, ROLES.teamsCommunicationsAdministrator, ROLES.teamsCommunicationsSupportEngineer] },
  sharing_settings: { roles: [ROLES.sharePointAdministrator, ROLES.globalReader] },
  site_permissions: { roles: [ROLES.sharePointAdministrator] },
  conditional_access: { roles: [ROLES.conditionalAccessAdministrator, ROLES.securityAdministrator, ROLES.securityReader, ROLES.globalReader] },
  sign_in_logs: { roles: [ROLES.reportsReader, ROLES.securityReader, ROLES.securityAdministrator, ROLES.globalReader] },
  device_enrollment: { roles: [ROLES.intuneAdministrator, ROLES.globalReader] },
  compliance_policies: { roles: [ROLES.intuneAdministrator, ROLES.globalReader] },
};

/** Whether this table knows a check (every check triage produces must be known; a test says so). */
export function isKnownCheck(check: string): boolean {
  return Object.prototype.hasOwnProperty.call(CHECK_ROLES, check);
}

/** The roles that allow a check for a service; empty means no role is needed. */
export function rolesForCheck(service: string, check: string): readonly EntraRole[] {
  const entry = CHECK_ROLES[check];
  // An unknown check asks for nothing the desk could name: only Global Administrator is sure to do it.
  if (!entry) return [ROLES.globalAdministrator];
  if (entry.roles.length === 0 && !entry.service) return [];
  const roles = [...(entry.service ? serviceAdminRoles(service) : []), ...entry.roles, ROLES.globalAdministrator];
  return roles.filter((role, i) => roles.findIndex((r) => r.id === role.id) === i);
}

/** One check of the troubleshooting checklist and whether the engineer's roles allow it. */
export interface CheckPermission {
  readonly check: string;
  readonly allowed: boolean;
  /** The roles that would allow it (empty: none needed). */
  readonly roles: readonly EntraRole[];
}

/** The service's checklist, each check marked with whether the engineer's roles allow it. */
export function checklistPermissions(service: string, heldRoleIds: readonly string[]): readonly CheckPermission[] {
  const held = new Set(heldRoleIds.map((id) => id.toLowerCase()));
  return troubleshootingChecks(service).map((check) => {
    const roles = rolesForCheck(service, check);
    return { check, roles, allowed: roles.length === 0 || roles.some((r) => held.has(r.id)) };
  });
}

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
const HEALTH_ACCESS_FAILURES: readonly HealthCheckFailure[] = ['access_token', 'access_401', 'access_403'];

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

/** Whole days (rounded down) from `now` to a relationship's end. */
function daysLeft(endDateTime: string, now: Date): number {
  return Math.floor((Date.parse(endDateTime) - now.getTime()) / DAY_MS);
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
