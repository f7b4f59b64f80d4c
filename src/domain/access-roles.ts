/**
 * The Microsoft Entra built-in roles the desk reasons about, as GDAP names them (template ids
 * from Microsoft's "Microsoft Entra built-in roles" reference), and which of them allow filing
 * for a customer and each troubleshooting check. Plain data and functions: no I/O here.
 */
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
