/** Seed data and a server for the tab's tests: escalations of two partner tenants in a real SQLite store. */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import restify from 'restify';
import { inert } from '../../src/cards/inert';
import { createEscalation, transition, type Actor, type Escalation, type EscalationState } from '../../src/domain/escalation';
import { systemClock, type Clock } from '../../src/domain/clock';
import type { ClockSettings } from '../../src/domain/escalation-clocks';
import { DEFAULT_SUPPORT_PLAN } from '../../src/domain/response-clocks';
import type { Incident } from '../../src/domain/incidents';
import { createLogger } from '../../src/log';
import { logSink } from '../helpers/run-log';
import { openDatabase } from '../../src/store';
import type { Database } from '../../src/store/types';
import { PROJECT_ROOT } from '../../src/app';
import { Localizer } from '../../src/i18n';
import { registerTabRoutes, type TabAuthOptions, type TabCardFor, type TabRouteOptions } from '../../src/tab/api';
import type { ChatLinkOptions } from '../../src/tab/chat-link';

export const PARTNER = '72f988bf-0000-4000-8000-000000000001';
export const OTHER_PARTNER = '72f988bf-0000-4000-8000-0000000000ff';
export const CONTOSO = 'c0000000-0000-4000-8000-00000000c001';
export const FABRIKAM = 'f0000000-0000-4000-8000-00000000f001';
export const NORTHWIND = 'a0000000-0000-4000-8000-00000000a001';
export const ENGINEER: Actor = { kind: 'user', id: 'aaaaaaaa-0000-4000-8000-0000000000e1', name: 'Ada Engineer' };
const MICROSOFT: Actor = { kind: 'microsoft', id: 'microsoft' };

/** The folder of the page's static files, from the compiled test (dist/test/tab). */
export const STATIC_DIR = join(__dirname, '..', '..', '..', 'src', 'tab', 'static');

/** One seeded escalation: where it starts and the path of states it then walks. */
interface Seed {
  readonly id: string;
  readonly partner: string;
  readonly customer: { tenantId: string; name: string; domain?: string };
  readonly service: string;
  readonly title: string;
  readonly hoursAgo: number;
  readonly path: readonly EscalationState[];
  readonly details?: Record<string, unknown>;
}

export const SEEDS: readonly Seed[] = [
  {
    id: 'esc-contoso-mail',
    partner: PARTNER,
    customer: { tenantId: CONTOSO, name: 'Contoso Ltd', domain: 'contoso.example' },
    service: 'Exchange Online',
    title: 'Mail flow stopped for external senders',
    hoursAgo: 75,
    path: ['triage', 'awaiting_handoff', 'escalated'],
    details: { serviceRequestId: '2405010010001234' },
  },
  {
    id: 'esc-fabrikam-teams',
    partner: PARTNER,
    customer: { tenantId: FABRIKAM, name: 'Fabrikam <b>Inc</b>' },
    service: 'Microsoft Teams',
    title: 'Meetings drop after 5 minutes <img src=x onerror="window.__xss=1">',
    hoursAgo: 5,
    path: ['triage'],
  },
  {
    id: 'esc-contoso-sharepoint',
    partner: PARTNER,
    customer: { tenantId: CONTOSO, name: 'Contoso Ltd', domain: 'contoso.example' },
    service: 'SharePoint Online',
    title: 'Site permissions reset',
    hoursAgo: 30,
    path: ['triage', 'not_warranted', 'closed'],
  },
  {
    id: 'esc-other-partner',
    partner: OTHER_PARTNER,
    customer: { tenantId: NORTHWIND, name: 'Northwind Traders' },
    service: 'Exchange Online',
    title: 'Another partner\u2019s escalation',
    hoursAgo: 2,
    path: [],
  },
];

/** Stores the seeds, walking each through its states with the domain's own transitions. */
export async function seed(database: Database, now = Date.now()): Promise<Map<string, Escalation>> {
  const stored = new Map<string, Escalation>();
  for (const s of SEEDS) {
    let at = now - s.hoursAgo * 3_600_000;
    const created = createEscalation(
      {
        id: s.id,
        partnerTenantId: s.partner,
        ownerId: ENGINEER.id,
        ownerName: ENGINEER.name,
        customer: s.customer,
        service: s.service,
        title: s.title,
        description: `Reported by the customer's admin.\nSecond line.`,
      },
      ENGINEER,
      new Date(at),
    );
    let current = await database.escalations.create(created.escalation, [created.event]);
    for (const to of s.path) {
      at += 20 * 60_000;
      const actor = to === 'escalated' ? MICROSOFT : ENGINEER;
      const moved = transition(current, to, { actor, at: new Date(at), ...(to === 'escalated' && s.details ? { details: s.details } : {}) });
      current = await database.escalations.update(moved.escalation, current.version, [moved.event]);
    }
    stored.set(s.id, current);
  }
  return stored;
}

/** Upstream text with markdown a renderer must not act on (a link) and parentheses it must not escape. */
export const NOTE_FROM_MICROSOFT = 'Mailbox fixed (correlation id 1234); see [the fix](https://evil.example/phish) and <https://evil.example/auto>';

/** A small card naming the escalation, standing in for the bot's real renderer. */
export const testCardFor: TabCardFor = (escalation, locale) => ({
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: escalation.title, weight: 'Bolder', wrap: true },
    { type: 'FactSet', facts: [{ title: 'State', value: escalation.state }, { title: 'Locale', value: locale }] },
    // What the bot's cards carry: its own markdown around user text made inert.
    { type: 'TextBlock', text: `**Microsoft's note:** ${inert(NOTE_FROM_MICROSOFT)}`, wrap: true },
  ],
  actions: [{ type: 'Action.Execute', title: 'Check status', verb: 'status', data: { id: escalation.id } }],
});

/** A running tab server over a seeded in-memory database. */
export interface TabServer {
  readonly url: string;
  readonly database: Database;
  readonly logs: string[];
  stop(): Promise<void>;
}

/** The clocks' settings of the tab's tests: the documented plan (A 2 h, B 4 h, C 8 h), 48 h for the partner, 24 h for Fabrikam. */
export const TEST_CLOCK_SETTINGS: ClockSettings = {
  plan: DEFAULT_SUPPORT_PLAN,
  partnerTargets: { defaultHours: 48, perCustomer: { [FABRIKAM.toUpperCase()]: 24 } },
};

/** What a test may change about the tab server. */
export interface TabServerOptions {
  readonly cardFor?: TabCardFor;
  readonly chatLink?: ChatLinkOptions;
  readonly clock?: Clock;
  readonly clockSettings?: ClockSettings;
  readonly access?: TabRouteOptions['access'];
  readonly directory?: TabRouteOptions['directory'];
}

/** Starts restify on 127.0.0.1:0 with only the tab's routes. */
export async function startTabServer(auth: TabAuthOptions, options: TabServerOptions = {}): Promise<TabServer> {
  const database = await openDatabase({ url: 'sqlite::memory:' });
  await seed(database, options.clock?.now().getTime());
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', destination: logSink({}, { lines: logs }) });
  const server = restify.createServer({ name: 'tab-test', handleUncaughtExceptions: false });
  registerTabRoutes(server, {
    store: database.escalations,
    logger,
    auth,
    cardFor: options.cardFor ?? testCardFor,
    staticDir: STATIC_DIR,
    localizer: new Localizer(join(PROJECT_ROOT, 'locales')),
    chatLink: options.chatLink,
    clockSettings: options.clockSettings ?? TEST_CLOCK_SETTINGS,
    clock: options.clock ?? systemClock,
    incidents: database.incidents,
    ...(options.access ? { access: options.access } : {}),
    ...(options.directory ? { directory: options.directory } : {}),
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port }: AddressInfo = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    database,
    logs,
    stop: async () => {
      server.server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
      });
      await database.close();
    },
  };
}

/** One step of a hand-made escalation: the state it moves to, when, and details it records. */
export interface Step {
  readonly to: EscalationState;
  readonly at: string;
  readonly details?: Record<string, unknown>;
  readonly reason?: string;
}

/** Stores an escalation created at `createdAt` that walks `steps` (for figures computed by hand). */
export async function addEscalation(
  database: Database,
  e: { id: string; customer: { tenantId: string; name: string }; createdAt: string; steps: readonly Step[]; partner?: string; title?: string; details?: Record<string, unknown> },
): Promise<Escalation> {
  const created = createEscalation(
    {
      id: e.id,
      partnerTenantId: e.partner ?? PARTNER,
      ownerId: ENGINEER.id,
      ownerName: ENGINEER.name,
      customer: e.customer,
      service: 'Exchange Online',
      title: e.title ?? `Problem ${e.id}`,
      description: 'Seeded by hand.',
      ...(e.details ? { details: e.details } : {}),
    },
    ENGINEER,
    new Date(e.createdAt),
  );
  let current = await database.escalations.create(created.escalation, [created.event]);
  for (const step of e.steps) {
    const actor = step.to === 'escalated' || step.to === 'resolved' ? MICROSOFT : ENGINEER;
    const moved = transition(current, step.to, { actor, at: new Date(step.at), ...(step.details ? { details: step.details } : {}), ...(step.reason ? { reason: step.reason } : {}) });
    current = await database.escalations.update(moved.escalation, current.version, [moved.event]);
  }
  return current;
}

/** An incident record for the tab's tests: open unless told otherwise, customers as given. */
export function incidentRecord(over: Partial<Incident> & { id: string }): Incident {
  return {
    service: 'Exchange Online',
    classification: 'Incident',
    status: 'ServiceDegradation',
    title: 'Mail delayed for some users',
    impactDescription: '<p>Users may see <b>delays</b> &amp; bounces.</p>',
    posts: [],
    startDateTime: '2026-12-05T08:00:00.000Z',
    lastModifiedDateTime: '2026-12-05T09:00:00.000Z',
    resolved: false,
    postIncidentReview: false,
    detectedAt: '2026-12-05T08:05:00.000Z',
    updatedAt: '2026-12-05T09:00:00.000Z',
    customers: [],
    ...over,
  };
}
