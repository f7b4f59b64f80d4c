/** Sample data for every card template: the card test expands each one with it. */
import { renderHealth, renderOffer, renderWelcome, type AdaptiveCardJson, type CardRenderer } from '../../src/cards';
import {
  renderCancelConfirm,
  renderDescribe,
  renderHandoff,
  renderMatch,
  renderNotWarranted,
  renderTriage,
  renderTroubleshoot,
} from '../../src/cards/escalation-cards';
import { renderEscalation, renderList } from '../../src/cards/summary-cards';
import { createEscalation, transition, type Actor, type Escalation } from '../../src/domain/escalation';
import { decisionOf } from '../../src/domain/flow';
import { attentionView, escalationView, triageView } from '../../src/bot/flow/card-views';
import { troubleshootingChecks } from '../../src/domain/triage';
import { renderAttention, renderReminder, renderResolved, renderStatus } from '../../src/cards/notification-cards';
import type { Translator } from '../../src/i18n';
import { renderIncident, renderIncidentList, renderIncidentReminder } from '../../src/cards/incident-cards';
import type { IncidentCardView } from '../../src/cards/views';
import { customerPage, tallyOf } from '../../src/domain/incident-card';
import type { Incident } from '../../src/domain/incidents';
import { renderAccess } from '../../src/cards/access-cards';
import type { AccessCheck } from '../../src/domain/access-check';
import { ROLES } from '../../src/domain/access-roles';

/** A readiness check with a grant, two problems and both warnings: every line the access card has. */
export const SAMPLE_ACCESS_CHECK: AccessCheck = {
  outcome: 'checked',
  at: '2026-11-25T09:00:00.000Z',
  ready: false,
  canAct: true,
  grant: {
    role: ROLES.serviceSupportAdministrator,
    groupId: '5b6c7d8e-9f01-4a2b-8c3d-4e5f6a7b8c01',
    groupName: 'Contoso helpdesk',
    relationshipId: 'r1',
    relationshipName: 'Contoso support',
    until: '2026-12-05T09:00:00.000Z',
    autoExtends: false,
  },
  heldRoleIds: [ROLES.serviceSupportAdministrator.id, ROLES.exchangeAdministrator.id],
  problems: [
    { kind: 'health_not_consented', failure: 'access_403', fixedBy: ['partner_admin', 'customer_admin'] },
    { kind: 'not_in_group', groups: [{ id: 'g2', name: 'Contoso admins' }], role: ROLES.teamsAdministrator, fixedBy: ['group_owner', 'partner_admin'] },
  ],
  warnings: [
    { kind: 'ending_soon', relationship: 'Contoso support', endDateTime: '2026-12-05T09:00:00.000Z', daysLeft: 10 },
    { kind: 'health_unknown', failure: 'timeout' },
  ],
  stale: true,
};

const actor: Actor = { kind: 'user', id: 'u1', name: 'Ada' };
const at = new Date('2026-11-25T09:00:00Z');

/** An escalation at a given point of the flow, with plausible details. */
export function sampleEscalation(): Escalation {
  const { escalation } = createEscalation(
    {
      id: 'ED-7K2M9Q4P',
      partnerTenantId: 'partner',
      ownerId: 'u1',
      ownerName: 'Ada',
      customer: { tenantId: '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01', name: 'Contoso' },
      service: 'Exchange Online',
      title: 'Outbound mail delayed',
      description: 'All users see outbound mail queued for hours.',
      since: '2026-11-25T07:00:00.000Z',
      usersAffected: 120,
      regions: ['West Europe'],
      details: {
        flowId: '0b6f0c1e-0000-4000-8000-000000000001',
        troubleshooting: { checks: troubleshootingChecks('Exchange Online'), done: ['licences'], skipped: false },
        category: 'bug',
        severity: 'moderate',
        request: { title: 'Exchange Online: Outbound mail delayed', description: 'Problem: …', severity: 'moderate', product: 'Exchange Online' },
      },
    },
    actor,
    at,
  );
  return escalation;
}

/** Renders every template through its typed render function. */
export function sampleCards(cards: CardRenderer, tr: Translator, e: Escalation = sampleEscalation()): Record<string, AdaptiveCardJson> {
  const triage = transition(e, 'triage', { actor, at }).escalation;
  const audit = [transition(e, 'triage', { actor, at, reason: 'different' }).event];
  const resolved: Escalation = {
    ...e,
    state: 'resolved',
    details: {
      ...e.details,
      serviceRequestId: '2611250010001234',
      microsoftNotes: e.details.microsoftNotes ?? [{ createdByName: 'Microsoft Support', createdDate: '2026-11-25T10:00:00Z', text: 'A fix was deployed.' }],
    },
  };
  // The views as the flow builds them: details read once, the decision's reasons gathered.
  const [base, inTriage, done] = [escalationView(e), escalationView(triage), escalationView(resolved)];
  const reasons = decisionOf(inTriage.details).reasons;
  return {
    welcome: renderWelcome(cards, tr, { localMode: true }),
    'escalate-offer': renderOffer(cards, tr, { text: 'Users at Contoso cannot join Teams calls since this morning; the call drops after [30 seconds](https://x.example).' }),
    health: renderHealth(cards, tr, {
      tenantId: '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01',
      title: 'Service health: Contoso',
      asOf: 'As of 2026-11-25 09:00 UTC',
      stale: true,
      issuesHeading: 'Open issues (1)',
      services: [
        { name: 'Exchange Online', status: 'Degraded' },
        { name: 'Microsoft Teams', status: 'Healthy' },
      ],
      issues: [
        {
          id: 'EX226792',
          title: 'Users may be unable to send mail',
          kind: 'Incident',
          status: 'Investigating',
          service: 'Exchange Online',
          impact: 'Outbound mail is delayed.',
          since: 'Since 2026-11-25 08:00 UTC',
        },
      ],
    }),
    'escalate-describe': renderDescribe(cards, tr, {
      flowId: '0b6f0c1e-0000-4000-8000-000000000001',
      customers: [{ name: 'Contoso', tenantId: '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01' }],
      services: ['Exchange Online', 'Microsoft Teams'],
      searchable: true,
      values: { title: 'Mail delayed' },
      error: 'Please check the highlighted fields: title.',
    }),
    'escalate-match': renderMatch(cards, tr, { ...base, offered: [
      {
        id: 'EX226792',
        title: 'Users may be unable to send mail',
        classification: 'incident',
        status: 'serviceDegradation',
        impact: 'Outbound mail is delayed.',
        startDateTime: '2026-11-25T06:00:00Z',
        reasons: [{ code: 'sameService', service: 'Exchange Online' }, { code: 'wordsInTitle', words: ['mail'] }],
      },
    ] }),
    'escalate-troubleshoot': renderTroubleshoot(cards, tr, { ...inTriage, justChecked: true }),
    'escalate-triage': renderTriage(cards, tr, triageView(inTriage)),
    'escalate-handoff': renderHandoff(cards, tr, { ...inTriage, reasons, deepLink: 'https://partner.microsoft.com/dashboard', recentRequests: [{ id: '123', label: '123 · Mail' }] }),
    'cancel-confirm': renderCancelConfirm(cards, tr, inTriage),
    'escalate-not-warranted': renderNotWarranted(cards, tr, { ...inTriage, reasons }),
    escalation: renderEscalation(cards, tr, { ...inTriage, audit, manual: false }),
    'notify-resolved': renderResolved(cards, tr, done),
    'notify-attention': renderAttention(cards, tr, attentionView(done, 'https://partner.microsoft.com/dashboard')),
    'escalation-status': renderStatus(cards, tr, {
      ...resolved,
      state: 'escalated',
      details: {
        ...resolved.details,
        answers: [{ question: '2026-11-25T10:00:00Z', text: 'Trace attached.', by: 'Megan Bowen', byId: 'u1', at: '2026-11-25T10:05:00Z', requestId: 'r1', status: 'sent' }],
      },
    }),
    reminder: renderReminder(cards, tr, { escalation: resolved, text: 'ED-7K2M9Q4P is resolved, but the customer has not been told yet.' }),
    'escalation-list': renderList(cards, tr, { items: [base, inTriage], now: new Date('2026-11-26T09:00:00Z') }),
    access: renderAccess(cards, tr, {
      customer: { name: 'Contoso', tenantId: '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01' },
      check: SAMPLE_ACCESS_CHECK,
      relationships: [
        {
          id: 'r1',
          displayName: 'Contoso support',
          customerTenantId: '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01',
          status: 'active',
          endDateTime: '2026-12-05T09:00:00.000Z',
          autoExtendDuration: 'PT0S',
          roleIds: [ROLES.serviceSupportAdministrator.id, ROLES.exchangeAdministrator.id],
        },
      ],
      banner: { text: 'Health consent granted for Contoso.', good: true },
      canGrant: true,
    }),
    incident: renderIncident(cards, tr, sampleIncidentView(sampleIncident(14), 'resolved')),
    'incident-list': renderIncidentList(cards, tr, {
      incidents: [{ incident: sampleIncident(3), tally: tallyOf(sampleIncident(3)) }],
      moreIncidents: true,
      unreadable: [{ name: 'Northwind Traders', reason: 'access_403', failures: 3, since: '2026-11-25T09:00:00Z' }],
      moreUnreadable: false,
      channel: { setBy: 'Ada', setAt: '2026-11-25T08:00:00Z' },
      tabLink: 'https://teams.microsoft.com/l/entity/00000000-0000-0000-0000-000000000000/my-escalations',
    }),
    'incident-reminder': renderIncidentReminder(cards, tr, { incident: sampleIncident(14), tally: tallyOf(sampleIncident(14)), waitedMs: 5 * 3_600_000 }),
  };
}

/** A Microsoft incident in `customers` customer tenants (names of `nameLength` characters), the first told, the second gone. */
export function sampleIncident(customers: number, over: Partial<Incident> = {}, nameLength = 20): Incident {
  const base = Date.parse('2026-11-25T07:00:00Z');
  const name = (i: number): string => `Customer ${String(i).padStart(4, '0')} ${'한국어 고객사 이름'.repeat(8)}`.slice(0, nameLength);
  return {
    id: 'EX226792',
    service: 'Exchange Online',
    classification: 'incident',
    status: 'serviceRestored',
    title: 'Users may be unable to send or receive email',
    impactDescription: 'Users may be unable to send or receive email through Exchange Online. <b>Some</b> messages are delayed.',
    posts: [
      { createdDateTime: '2026-11-25T07:10:00Z', postType: 'regular', contentType: 'html', content: '<p>We are investigating.</p>' },
      { createdDateTime: '2026-11-25T09:10:00Z', postType: 'regular', contentType: 'html', content: '<p>We deployed a fix and the service is restored.</p>' },
    ],
    startDateTime: '2026-11-25T07:00:00Z',
    endDateTime: '2026-11-25T09:10:00Z',
    lastModifiedDateTime: '2026-11-25T09:10:00Z',
    resolved: true,
    resolvedAt: '2026-11-25T09:12:00Z',
    postIncidentReview: false,
    detectedAt: '2026-11-25T07:05:00Z',
    updatedAt: '2026-11-25T09:12:00Z',
    customers: Array.from({ length: customers }, (_, i) => ({
      tenantId: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
      name: name(i),
      firstSeenAt: new Date(base + i * 1000).toISOString(),
      lastSeenAt: '2026-11-25T09:00:00Z',
      ...(i === 1 ? { goneSince: '2026-11-25T08:00:00Z' } : {}),
      ...(i === 0 ? { told: { by: { id: 'u1', name: 'Ada' }, at: '2026-11-25T09:30:00Z' } } : {}),
    })),
    ...over,
  };
}

/** The view the incident card is rendered from, with two escalations and a notice for each customer shown. */
export function sampleIncidentView(incident: Incident, mode: IncidentCardView['mode'], page = 1, noticeChars = 420): IncidentCardView {
  const shown = customerPage(incident, page);
  return {
    incident,
    mode,
    tally: tallyOf(incident),
    page: {
      ...shown,
      customers: shown.customers.map((customer, i) => ({
        customer,
        escalations: i === 0 ? [{ id: 'ED-7K2M9Q4P', state: 'known_issue' }, { id: 'ED-8K2M9Q4P', state: 'resolved' }] : [],
        notice: `Hello ${customer.name} team, Microsoft resolved the Exchange Online issue. `.padEnd(noticeChars, '.'),
      })),
    },
    escalations: 2,
    tabLink: 'https://teams.microsoft.com/l/entity/00000000-0000-0000-0000-000000000000/my-escalations',
    reviewLink: 'https://admin.microsoft.com/Adminportal/Home#/servicehealth/history/:/alerts/EX226792',
    note: 'Contoso is marked as told, by Ada.',
  };
}
