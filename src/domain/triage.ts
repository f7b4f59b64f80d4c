/**
 * Microsoft's escalation rules as plain data and functions: the five hand-off categories,
 * severities and their response times, the admin-side checks per service, the decision
 * whether to escalate, and the copy-ready support request. No I/O here.
 */
import type { HealthCheck } from './health-check';
import { requestTime, type TimeZone } from './local-time';

/** The five categories Microsoft handles, plus "none of these" (configuration / how-to). */
export const CATEGORIES = [
  'undocumented_behaviour',
  'service_unavailable',
  'bug',
  'network_disruption',
  'regional_multitenant',
  'none',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Categories where the customer's admin cannot act, so troubleshooting is not a precondition. */
export const ADMIN_CANNOT_ACT: readonly Category[] = ['service_unavailable', 'network_disruption', 'regional_multitenant'];

/** Partner Center severities (PRODUCT.md) with Microsoft's initial response time. */
export const SEVERITIES = {
  critical: { label: 'A', responseHours: 2 },
  moderate: { label: 'B', responseHours: 4 },
  minimal: { label: 'C', responseHours: 8 },
} as const;
export type Severity = keyof typeof SEVERITIES;

/** Whether a value is a category. */
export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value);
}

/** Whether a value is a severity. */
export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SEVERITIES, value);
}

/** The admin-side checks every service gets (software, settings, configuration, licences, recent changes). */
const COMMON_CHECKS = ['licences', 'recent_changes', 'settings', 'client_software'] as const;

/** Extra checks that fit one service family, keyed by a word of the service name. */
const SERVICE_CHECKS: ReadonlyArray<readonly [RegExp, readonly string[]]> = [
  [/exchange|outlook|mail/i, ['mail_flow_rules', 'message_trace']],
  [/teams/i, ['teams_policies', 'network_ports']],
  [/sharepoint|onedrive/i, ['sharing_settings', 'site_permissions']],
  [/entra|azure ad|identity/i, ['conditional_access', 'sign_in_logs']],
  [/intune|endpoint/i, ['device_enrollment', 'compliance_policies']],
];

/** The families of services with checks of their own (what the not-warranted guidance points to). */
export type ServiceFamily = 'exchange' | 'teams' | 'sharepoint' | 'entra' | 'intune';
const FAMILIES: ReadonlyArray<readonly [RegExp, ServiceFamily]> = [
  [/exchange|outlook|mail/i, 'exchange'],
  [/teams/i, 'teams'],
  [/sharepoint|onedrive/i, 'sharepoint'],
  [/entra|azure ad|identity/i, 'entra'],
  [/intune|endpoint/i, 'intune'],
];

/** The family a service belongs to, if it has checks of its own. */
export function serviceFamily(service: string): ServiceFamily | undefined {
  return FAMILIES.find(([pattern]) => pattern.test(service))?.[1];
}

/** The checks a partner should work through when a problem is theirs to fix: the service's own first, then the common ones. */
export function selfHelpChecks(service: string): readonly string[] {
  const all = troubleshootingChecks(service);
  const common: readonly string[] = COMMON_CHECKS;
  return [...all.filter((c) => !common.includes(c)), ...all.filter((c) => common.includes(c))];
}

/** The troubleshooting checklist that fits a service: common checks plus its own. */
export function troubleshootingChecks(service: string): readonly string[] {
  const own = SERVICE_CHECKS.filter(([pattern]) => pattern.test(service)).flatMap(([, checks]) => checks);
  return [...COMMON_CHECKS, ...own];
}

/** What the engineer reported about troubleshooting. */
export interface TroubleshootingRecord {
  readonly checks: readonly string[];
  readonly done: readonly string[];
  /** The engineer said the service is down for everyone, so there was nothing to check. */
  readonly skipped: boolean;
  readonly notes?: string;
  /** Checks that do not apply to this problem, each with the engineer's reason. */
  readonly notApplicable?: readonly NotApplicableCheck[];
}

/** A check the engineer marked "not applicable", and why. */
export interface NotApplicableCheck {
  readonly check: string;
  readonly reason: string;
}

/** Whether a check is settled: done, or not applicable with a reason. */
function settled(t: TroubleshootingRecord, check: string): boolean {
  return t.done.includes(check) || (t.notApplicable ?? []).some((n) => n.check === check && n.reason.trim() !== '');
}

/** Whether the checklist was worked through (every check done or, with a reason, not applicable). */
export function troubleshootingDone(t: TroubleshootingRecord | undefined): boolean {
  return t !== undefined && !t.skipped && t.checks.every((c) => settled(t, c));
}

/** The checks still open (neither done nor not applicable with a reason). */
export function openChecks(t: TroubleshootingRecord): readonly string[] {
  return t.checks.filter((c) => !settled(t, c));
}

/** What the decision is made from. */
export interface DecisionInput {
  /** A known Microsoft issue matched and the engineer confirmed it. */
  readonly knownIssueConfirmed: boolean;
  /** A known issue was offered but the engineer said it differs, with this reason. */
  readonly notSameReason?: string;
  /** What the service-health check found; `not_checked` never counts as "no known issue". */
  readonly healthCheck?: HealthCheck['outcome'];
  readonly troubleshooting?: TroubleshootingRecord;
  readonly category?: Category;
}

/** Why the decision came out as it did, machine-readable (the card localizes them). */
export type DecisionReason =
  | 'known_issue'
  | 'differs_from_known_issue'
  | 'no_known_issue'
  | 'health_not_checked'
  | 'troubleshooting_done'
  | 'troubleshooting_not_needed'
  | 'troubleshooting_missing'
  | 'category_in_scope'
  | 'category_none'
  | 'category_missing';

/** The outcome: escalate to Microsoft or not, and every reason. */
export interface Decision {
  readonly escalate: boolean;
  readonly reasons: readonly DecisionReason[];
}

/**
 * Escalate only when it is not a known issue (or the engineer said why it differs), the
 * troubleshooting was done (unless the category is one the customer's admin cannot act on),
 * and the category is one of the five.
 */
export function decide(input: DecisionInput): Decision {
  const reasons: DecisionReason[] = [];
  let escalate = true;

  if (input.knownIssueConfirmed) {
    reasons.push('known_issue');
    escalate = false;
  } else {
    reasons.push(
      input.notSameReason?.trim() ? 'differs_from_known_issue' : input.healthCheck === 'not_checked' ? 'health_not_checked' : 'no_known_issue',
    );
  }

  const adminCannotAct = input.category !== undefined && ADMIN_CANNOT_ACT.includes(input.category);
  if (troubleshootingDone(input.troubleshooting)) reasons.push('troubleshooting_done');
  else if (adminCannotAct) reasons.push('troubleshooting_not_needed');
  else {
    reasons.push('troubleshooting_missing');
    escalate = false;
  }

  if (input.category === undefined) {
    reasons.push('category_missing');
    escalate = false;
  } else if (input.category === 'none') {
    reasons.push('category_none');
    escalate = false;
  } else reasons.push('category_in_scope');

  return { escalate, reasons };
}

/** The Partner Center web portal. */
export const PARTNER_CENTER_PORTAL = 'https://partner.microsoft.com';

/** Where in Partner Center a customer's service requests are filed (Customers → customer → Service management). */
export function partnerCenterRequestsLink(portal: string, customerTenantId: string): string {
  return `${portal.replace(/\/+$/, '')}/dashboard/v2/customers/${encodeURIComponent(customerTenantId)}/servicemanagement`;
}

/** Partner Center accepts request titles of at most this many characters. */
export const MAX_REQUEST_TITLE = 255;

/** A Partner Center service request number: digits only, up to 16. */
export function isServiceRequestNumber(value: string): boolean {
  return /^\d{1,16}$/.test(value.trim());
}

/** Everything the copy-ready request is built from. */
export interface RequestEvidence {
  readonly customerName: string;
  readonly customerTenantId: string;
  readonly service: string;
  readonly title: string;
  readonly description: string;
  /** When it started (ISO 8601, UTC). */
  readonly since?: string;
  /** The zone the engineer gave the start in (prepared, or by name): the request states their reading and offset too. */
  readonly sinceZone?: TimeZone | string;
  readonly usersAffected?: number;
  readonly regions?: readonly string[];
  readonly category: Category;
  readonly severity: Severity;
  readonly businessImpact: string;
  readonly contact: string;
  readonly troubleshooting?: TroubleshootingRecord;
  readonly notSameIssue?: { readonly issueId: string; readonly reason: string };
  readonly escalationId: string;
}

/** The request as it will be pasted into Partner Center. */
export interface ServiceRequestDraft {
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly product: string;
}

/** Labels the request text uses (the caller passes them in the engineer's language). */
export interface RequestLabels {
  readonly category: string;
  /** What the service-health check found, as one line ("Service health: …"); omitted when unknown. */
  readonly healthCheck?: string;
  readonly checksDone: readonly string[];
  readonly checksSkipped: string;
  readonly headings: Readonly<Record<
    'problem' | 'customer' | 'since' | 'users' | 'regions' | 'category' | 'impact' | 'troubleshooting' | 'notes' | 'knownIssue' | 'contact' | 'reference',
    string
  >>;
}

/** Cuts text to a length on a character boundary, marking the cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Builds the copy-ready support request from the triage evidence. */
export function buildServiceRequest(e: RequestEvidence, labels: RequestLabels): ServiceRequestDraft {
  const h = labels.headings;
  const lines: string[] = [
    `${h.problem}: ${e.description}`,
    `${h.customer}: ${e.customerName} (${e.customerTenantId})`,
  ];
  // UTC for Microsoft, with the engineer's own reading and offset beside it.
  if (e.since) lines.push(`${h.since}: ${requestTime(e.since, e.sinceZone)}`);
  if (e.usersAffected !== undefined) lines.push(`${h.users}: ${e.usersAffected}`);
  if (e.regions && e.regions.length > 0) lines.push(`${h.regions}: ${e.regions.join(', ')}`);
  lines.push(`${h.category}: ${labels.category}`);
  lines.push(`${h.impact}: ${e.businessImpact}`);
  lines.push(
    `${h.troubleshooting}: ${
      e.troubleshooting?.skipped ? labels.checksSkipped : labels.checksDone.length > 0 ? labels.checksDone.join('; ') : '-'
    }`,
  );
  if (e.troubleshooting?.notes) lines.push(`${h.notes}: ${e.troubleshooting.notes}`);
  if (labels.healthCheck) lines.push(labels.healthCheck);
  if (e.notSameIssue) lines.push(`${h.knownIssue}: ${e.notSameIssue.issueId}: ${e.notSameIssue.reason}`);
  if (e.contact) lines.push(`${h.contact}: ${e.contact}`);
  lines.push(`${h.reference}: ${e.escalationId}`);
  return {
    title: truncate(`${e.service}: ${e.title}`, MAX_REQUEST_TITLE),
    description: lines.join('\n'),
    severity: e.severity,
    product: e.service,
  };
}
