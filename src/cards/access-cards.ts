/**
 * GDAP readiness as the engineer reads it: the one line ("You can act for Contoso: Service
 * Support Administrator via 'Contoso helpdesk' until 2027-03-01", or exactly what is missing and
 * who can fix it), the troubleshooting checks their roles do not allow, and the full picture card
 * of `access <customer>` (every problem and warning, the roles held, the relationships, and the
 * health-consent button). Pure: a check in, localized text or a card out.
 */
import { autoExtends, type AccessProblem, type AccessWarning, type Fixer, type GdapRelationship } from '../domain/access';
import type { AccessCheck } from '../domain/access-check';
import { ROLES, checklistPermissions, roleName } from '../domain/access-roles';
import { TimeZone } from '../domain/local-time';
import type { Localizer, Translator } from '../i18n';
import { shownTime } from './format';
import { inert } from './inert';
import type { AdaptiveCardJson, CardRenderer } from './renderer';
import type { AccessView } from './views';

/** A date on the reader's calendar ("2027-03-01"); empty for no time. */
function shownDate(tr: Translator, iso: string | undefined): string {
  if (!iso) return '';
  return (tr.timeZone ?? TimeZone.utc).wallClock(iso)?.date ?? iso.slice(0, 10);
}

/** "A or B" in the reader's language. */
function either(tr: Translator, items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return tr.t('access.either', { first: items.slice(0, -1).join(', '), last: items[items.length - 1] ?? '' });
}

/** Who can fix a problem, in words. */
export function fixersText(tr: Translator, fixers: readonly Fixer[]): string {
  return fixers.length === 0 ? '' : tr.t('access.fixedBy', { who: either(tr, fixers.map((f) => tr.t(`access.fixers.${f}`))) });
}

/** The key of each built-in role in the locale files' `access.roleNames`, by template id. */
const ROLE_KEYS: ReadonlyMap<string, string> = new Map(Object.entries(ROLES).map(([key, role]) => [role.id.toLowerCase(), key]));

/** A role's name as Microsoft Entra shows it in the reader's language; its GDAP name for a role the desk does not know. */
export function shownRole(tr: Translator, role: { readonly id: string; readonly name: string } | string): string {
  const id = typeof role === 'string' ? role : role.id;
  const fallback = typeof role === 'string' ? roleName(role) : role.name;
  const key = ROLE_KEYS.get(id.toLowerCase());
  return key ? tr.t(`access.roleNames.${key}`) : fallback;
}

/** A GDAP relationship's status in the reader's language (Graph's own word for one the desk does not know). */
function shownStatus(tr: Translator, status: string): string {
  const key = `access.relationshipStatus.${status}`;
  const shown = tr.t(key);
  return shown === key ? status : shown;
}

/** One problem in words, with who can fix it. */
export function problemText(tr: Translator, p: AccessProblem): string {
  const what = (() => {
    switch (p.kind) {
      case 'no_relationship':
        return tr.t('access.problems.no_relationship');
      case 'relationship_pending':
        return tr.t('access.problems.relationship_pending', { relationship: inert(p.relationship), status: shownStatus(tr, p.status) });
      case 'relationship_ended':
        return tr.t('access.problems.relationship_ended', { relationship: inert(p.relationship), status: shownStatus(tr, p.status), ended: p.endedAt ? shownDate(tr, p.endedAt) : '—' });
      case 'no_support_role':
        return tr.t('access.problems.no_support_role', { relationships: inert(p.relationships.join("', '")) });
      case 'role_not_assigned':
        return tr.t('access.problems.role_not_assigned', { role: shownRole(tr, p.role), relationship: inert(p.relationship) });
      case 'not_in_group':
        return tr.t('access.problems.not_in_group', { role: shownRole(tr, p.role), groups: either(tr, p.groups.map((g) => `'${inert(g.name ?? g.id)}'`)) });
      case 'health_not_consented':
        return tr.t('access.problems.health_not_consented');
    }
  })();
  const fix = fixersText(tr, p.fixedBy);
  return fix ? `${what} (${fix})` : what;
}

/** One warning in words. */
export function warningText(tr: Translator, w: AccessWarning): string {
  if (w.kind === 'ending_soon') return tr.t('access.warnings.ending_soon', { relationship: inert(w.relationship), date: shownDate(tr, w.endDateTime), days: w.daysLeft });
  return w.failure ? tr.t('access.warnings.health_unknown', { reason: tr.t(`flow.healthCheck.failures.${w.failure}`) }) : tr.t('access.warnings.health_not_checked');
}

/** Why a check could not be made, in words. */
function notCheckedText(tr: Translator, customer: string, check: Extract<AccessCheck, { outcome: 'not_checked' }>): string {
  return tr.t(`access.notChecked.${check.failure}`, { customer, permission: check.permission ?? '', time: shownTime(tr, check.retryAt) });
}

/**
 * The one-line readiness: the engineer can act (their role, its group and relationship, until
 * when), or the first thing missing and who can fix it, with how many more there are.
 */
export function readinessLine(tr: Translator, customerName: string, check: AccessCheck): string {
  const customer = inert(customerName);
  if (check.outcome === 'not_checked') return notCheckedText(tr, customer, check);
  const g = check.grant;
  const via = g
    ? tr.t(g.until && !g.autoExtends ? 'access.via' : 'access.viaNoEnd', { role: shownRole(tr, g.role), group: inert(g.groupName ?? g.groupId), until: shownDate(tr, g.until) })
    : '';
  const [first, ...others] = check.problems;
  const more = others.length > 0 ? tr.t('access.more', { count: others.length, customer }) : '';
  const unknown = check.engineerUnknown ? ` ${tr.t('access.engineerUnknown')}` : '';
  const ending = check.warnings.find((w) => w.kind === 'ending_soon');
  const soon = ending ? ` ${warningText(tr, ending)}` : '';
  // Nothing missing but no grant: only when membership could not be checked (a local client).
  if (!first && !g) return `${tr.t('access.unknownWho', { customer })}${soon}`;
  if (!first) return `${tr.t('access.ready', { customer, via })}${soon}${unknown}`;
  const key = g ? 'access.readyBut' : 'access.cannotAct';
  return `${tr.t(key, { customer, via, problem: problemText(tr, first) })}${more}${soon}${unknown}`;
}

/**
 * The troubleshooting checks labelled for the engineer: a check their roles do not allow says
 * which roles would. Unmarked when readiness was not checked (or their groups are unknown).
 */
export function checkLabels(tr: Translator, service: string, checks: readonly string[], access: AccessCheck | undefined): readonly string[] {
  const allowed = access?.outcome === 'checked' && !access.engineerUnknown ? new Map(checklistPermissions(service, access.heldRoleIds).map((p) => [p.check, p])) : undefined;
  return checks.map((key) => {
    const label = tr.t(`flow.checks.${key}`);
    const permission = allowed?.get(key);
    if (!permission || permission.allowed) return label;
    return tr.t('access.checkNeedsRole', { check: label, roles: either(tr, permission.roles.map((r) => shownRole(tr, r))) });
  });
}

/** The reminder to the partner's admin channel that a GDAP relationship ends soon without extending itself. */
export function renewalText(tr: Translator, relationship: { readonly displayName: string; readonly endDateTime?: string }, customerName: string, now: Date): string {
  const end = relationship.endDateTime ?? now.toISOString();
  return tr.t('access.renewal', {
    relationship: inert(relationship.displayName),
    customer: inert(customerName),
    date: shownDate(tr, end),
    days: Math.max(0, Math.ceil((Date.parse(end) - now.getTime()) / 86_400_000)),
  });
}

/**
 * The renewal reminder as a message for the incident channel, in the default language: the channel
 * records no language of its own.
 */
export function renewalRenderer(localizer: Localizer): (relationship: GdapRelationship, customerName: string, now: Date) => { activity: Readonly<Record<string, unknown>> } {
  return (relationship, customerName, now) => ({ activity: { type: 'message', text: renewalText(localizer.forLocale(undefined), relationship, customerName, now) } });
}

/** The full picture of an engineer's access to a customer: `access <customer>`. */
export function renderAccess(cards: CardRenderer, tr: Translator, view: AccessView): AdaptiveCardJson {
  const customer = inert(view.customer.name);
  const check = view.check;
  const checked = check.outcome === 'checked' ? check : undefined;
  return cards.render('access', tr, {
    title: tr.t('cards.access.title', { customer }),
    tenantId: view.customer.tenantId,
    summary: readinessLine(tr, view.customer.name, check),
    ready: checked?.ready === true,
    asOf: tr.t('cards.access.asOf', { time: shownTime(tr, check.at) }),
    stale: checked?.stale === true,
    banner: view.banner?.text ?? '',
    bannerGood: view.banner?.good === true,
    problems: (checked?.problems ?? []).map((p) => ({ text: problemText(tr, p) })),
    warnings: (checked?.warnings ?? []).map((w) => ({ text: warningText(tr, w) })),
    roles: checked ? (checked.heldRoleIds.length > 0 ? checked.heldRoleIds.map((id) => shownRole(tr, id)).join(', ') : tr.t('cards.access.noRoles')) : '',
    relationships: view.relationships.map((r) => ({
      name: inert(r.displayName),
      facts: tr.t('cards.access.relationship', {
        status: shownStatus(tr, r.status),
        until: r.endDateTime ? shownDate(tr, r.endDateTime) : '—',
        extends: tr.t(autoExtends(r) ? 'cards.access.extends' : 'cards.access.doesNotExtend'),
        roles: r.roleIds.map((id) => shownRole(tr, id)).join(', ') || '—',
      }),
    })),
    canGrant: view.canGrant,
  });
}
