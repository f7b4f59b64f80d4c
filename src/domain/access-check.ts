/**
 * A readiness check as the desk keeps and shows it: what `accessReadiness` decided for one
 * engineer and customer at one time, or why it could not be decided (the GDAP facts could not be
 * read). The describe step stores it in the escalation's details, so every later card of the flow
 * shows the same line and marks the same checklist without asking Graph again; `health` and
 * `access` build one live. Plain data and functions: no I/O here.
 */
import { RELATIONSHIP_STATUSES, type AccessGrant, type AccessProblem, type AccessReadiness, type AccessWarning, type Fixer, type RelationshipStatus } from './access';
import type { EntraRole } from './access-roles';
import { isHealthCheckFailure } from './health-check';

/** Why GDAP readiness could not be decided. */
export const ACCESS_CHECK_FAILURES = ['permission', 'budget', 'unavailable', 'timeout'] as const;
export type AccessCheckFailure = (typeof ACCESS_CHECK_FAILURES)[number];

/** A readiness check: decided (the readiness, when its facts were read), or not and why. */
export type AccessCheck =
  | (AccessReadiness & {
      readonly outcome: 'checked';
      /** When the GDAP facts were read (the oldest of them). */
      readonly at: string;
      /** The engineer's Entra object id was not usable (a local client): group membership was not checked. */
      readonly engineerUnknown?: boolean;
      /** Some fact came from the cache past its freshness (Graph could not be asked). */
      readonly stale?: boolean;
    })
  | {
      readonly outcome: 'not_checked';
      readonly at: string;
      readonly failure: AccessCheckFailure;
      /** `permission`: the Graph permission the partner tenant's app lacks. */
      readonly permission?: string;
      /** `budget`: when Graph may be asked again. */
      readonly retryAt?: string;
    };

/** A decided readiness as a check. */
export function checkedAccess(readiness: AccessReadiness, at: string, extra: { readonly engineerUnknown?: boolean; readonly stale?: boolean } = {}): AccessCheck {
  const { grant, ...rest } = readiness;
  return {
    outcome: 'checked',
    at,
    ...rest,
    ...(grant ? { grant } : {}),
    ...(extra.engineerUnknown ? { engineerUnknown: true } : {}),
    ...(extra.stale ? { stale: true } : {}),
  };
}

// Reading a stored check back: field by field, anything that does not read as its type is absent.

type Json = Readonly<Record<string, unknown>>;
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strs = (v: unknown): readonly string[] => (Array.isArray(v) ? v.filter((s: unknown): s is string => typeof s === 'string') : []);
const FIXERS: readonly string[] = ['partner_admin', 'customer_admin', 'group_owner'];
const PROBLEM_KINDS: readonly string[] = [
  'no_relationship',
  'relationship_pending',
  'relationship_ended',
  'no_support_role',
  'role_not_assigned',
  'not_in_group',
  'health_not_consented',
];

function role(v: unknown): EntraRole | undefined {
  const o = obj(v);
  const [id, name] = [str(o?.id), str(o?.name)];
  return id === undefined || name === undefined ? undefined : { id, name };
}

function grant(v: unknown): AccessGrant | undefined {
  const o = obj(v);
  const r = role(o?.role);
  const [groupId, relationshipId, relationshipName] = [str(o?.groupId), str(o?.relationshipId), str(o?.relationshipName)];
  if (!o || !r || groupId === undefined || relationshipId === undefined || relationshipName === undefined) return undefined;
  const [groupName, until] = [str(o.groupName), str(o.until)];
  return { role: r, groupId, relationshipId, relationshipName, autoExtends: o.autoExtends === true, ...(groupName ? { groupName } : {}), ...(until ? { until } : {}) };
}

/** A stored problem, when its kind is known and its fields read; the variant's own fields are checked for type. */
function problem(v: unknown): AccessProblem | undefined {
  const o = obj(v);
  if (!o || typeof o.kind !== 'string' || !PROBLEM_KINDS.includes(o.kind)) return undefined;
  const fixedBy = strs(o.fixedBy).filter((f): f is Fixer => FIXERS.includes(f));
  const relationship = str(o.relationship) ?? '';
  switch (o.kind) {
    case 'no_relationship':
      return { kind: 'no_relationship', fixedBy };
    case 'relationship_pending':
    case 'relationship_ended': {
      const status: RelationshipStatus = RELATIONSHIP_STATUSES.find((s) => s === o.status) ?? 'unknownFutureValue';
      if (o.kind === 'relationship_pending') return { kind: 'relationship_pending', status, relationship, fixedBy };
      const endedAt = str(o.endedAt);
      return { kind: 'relationship_ended', status, relationship, fixedBy, ...(endedAt ? { endedAt } : {}) };
    }
    case 'no_support_role':
      return { kind: 'no_support_role', relationships: strs(o.relationships), fixedBy };
    case 'role_not_assigned': {
      const r = role(o.role);
      return r ? { kind: 'role_not_assigned', role: r, relationship, fixedBy } : undefined;
    }
    case 'not_in_group': {
      const r = role(o.role);
      const groups = (Array.isArray(o.groups) ? o.groups : []).flatMap((g: unknown) => {
        const go = obj(g);
        const id = str(go?.id);
        const name = str(go?.name);
        return id === undefined ? [] : [{ id, ...(name ? { name } : {}) }];
      });
      return r ? { kind: 'not_in_group', role: r, groups, fixedBy } : undefined;
    }
    default:
      return isHealthCheckFailure(o.failure) ? { kind: 'health_not_consented', failure: o.failure, fixedBy } : undefined;
  }
}

function warning(v: unknown): AccessWarning | undefined {
  const o = obj(v);
  if (o?.kind === 'ending_soon') {
    const [relationship, endDateTime] = [str(o.relationship), str(o.endDateTime)];
    const daysLeft = typeof o.daysLeft === 'number' ? o.daysLeft : undefined;
    return relationship === undefined || endDateTime === undefined || daysLeft === undefined ? undefined : { kind: 'ending_soon', relationship, endDateTime, daysLeft };
  }
  if (o?.kind === 'health_unknown') return isHealthCheckFailure(o.failure) ? { kind: 'health_unknown', failure: o.failure } : { kind: 'health_unknown' };
  return undefined;
}

/** A check read back from stored JSON; undefined when it does not read as one. */
export function accessCheckOf(v: unknown): AccessCheck | undefined {
  const o = obj(v);
  const at = str(o?.at);
  if (!o || at === undefined) return undefined;
  if (o.outcome === 'not_checked') {
    const failure = (ACCESS_CHECK_FAILURES as readonly string[]).includes(String(o.failure)) ? (o.failure as AccessCheckFailure) : undefined;
    if (!failure) return undefined;
    const [permission, retryAt] = [str(o.permission), str(o.retryAt)];
    return { outcome: 'not_checked', at, failure, ...(permission ? { permission } : {}), ...(retryAt ? { retryAt } : {}) };
  }
  if (o.outcome !== 'checked' || typeof o.ready !== 'boolean' || typeof o.canAct !== 'boolean') return undefined;
  const g = grant(o.grant);
  const problems = (Array.isArray(o.problems) ? o.problems : []).flatMap((p: unknown) => {
    const read = problem(p);
    return read ? [read] : [];
  });
  const warnings = (Array.isArray(o.warnings) ? o.warnings : []).flatMap((w: unknown) => {
    const read = warning(w);
    return read ? [read] : [];
  });
  return {
    outcome: 'checked',
    at,
    ready: o.ready,
    canAct: o.canAct,
    ...(g ? { grant: g } : {}),
    heldRoleIds: strs(o.heldRoleIds),
    problems,
    warnings,
    ...(o.engineerUnknown === true ? { engineerUnknown: true } : {}),
    ...(o.stale === true ? { stale: true } : {}),
  };
}
