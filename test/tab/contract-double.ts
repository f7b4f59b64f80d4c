/**
 * A stand-in for the tab's API as TAB-CONTRACT.md describes it (clocks on escalations,
 * incidents, the response-time report and its CSV, GDAP renewals), serving the real page and
 * its strings: the page's views are tested on the contract's shapes, with times fixed
 * relative to the moment the double starts.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import restify from 'restify';
import { PROJECT_ROOT } from '../../src/app';
import { Localizer } from '../../src/i18n';
import { createLogger } from '../../src/log';
import { tabStrings } from '../../src/tab/api';
import { registerStaticRoutes } from '../../src/tab/static-files';
import { logSink } from '../helpers/run-log';
import { STATIC_DIR } from './fixtures';

const MINUTE = 60_000;
/** The escalation's "Open in chat" link, as the server gives it with a bot app id. */
export const CHAT_URL = 'https://teams.microsoft.com/l/chat/0/0?users=28%3Ab0b0b0b0-0000-4000-8000-000000000001';

/** The data the double answers with, built around `now`. */
export function contractData(now: number) {
  const at = (minutesAgo: number) => new Date(now - minutesAgo * MINUTE).toISOString();
  const escalation = {
    id: 'ED-7K2M9Q4P',
    title: 'Mail flow stopped for external senders',
    customer: { tenantId: 'c0000000-0000-4000-8000-00000000c001', name: 'Contoso Ltd' },
    service: 'Exchange Online',
    state: 'escalated',
    serviceRequestId: '2612050010001234',
    owner: 'Ada Engineer',
    createdAt: at(180),
    updatedAt: at(85),
    clocks: [
      // Sev A, filed 85 min ago: due in 35 min.
      { kind: 'microsoft', severity: 'A', startedAt: at(85), dueAt: at(-35), state: 'running', minutesLeft: 35 },
      { kind: 'partner', startedAt: at(180), dueAt: at(180 - 48 * 60), state: 'running', minutesLeft: 48 * 60 - 180 },
    ],
  };
  const told = { at: at(30), by: 'Ada Engineer' };
  const incident = {
    id: 'EX123456',
    service: 'Exchange Online',
    title: 'Users cannot send mail to external recipients',
    classification: 'incident',
    status: 'serviceRestored',
    startedAt: at(240),
    endedAt: at(40),
    lastUpdatedAt: at(40),
    affectedCount: 3,
    toldCount: 1,
    openEscalationCount: 1,
    postIncidentReviewUrl: 'https://admin.microsoft.com/#/servicehealth/:/alerts/EX123456',
  };
  const incidentDetail = {
    ...incident,
    impact: 'Users may be unable to send mail to external recipients.',
    posts: [{ at: at(200), text: 'We are investigating a problem with outbound mail.' }],
    customers: [
      { tenantId: 'c0000000-0000-4000-8000-00000000c001', name: 'Contoso Ltd', firstSeenAt: at(230), lastSeenAt: at(40), told, escalations: [{ id: escalation.id, title: escalation.title, state: 'escalated' }] },
      { tenantId: 'f0000000-0000-4000-8000-00000000f001', name: 'Fabrikam Inc', firstSeenAt: at(220), lastSeenAt: at(40), escalations: [] },
      { tenantId: 'a0000000-0000-4000-8000-00000000a001', name: 'Northwind Traders', firstSeenAt: at(210), lastSeenAt: at(60), escalations: [] },
    ],
    timeline: [
      { at: at(230), kind: 'customer-added', text: 'Contoso Ltd' },
      { at: at(200), kind: 'post', text: 'We are investigating a problem with outbound mail.' },
      { at: at(40), kind: 'resolved', text: 'serviceRestored' },
      { at: at(30), kind: 'customer-told', text: 'Contoso Ltd', actor: 'Ada Engineer' },
    ],
  };
  const report = {
    from: '2026-06-05',
    to: '2026-12-05',
    microsoft: [
      { severity: 'A', requests: 4, responded: 4, medianMinutes: 70, p90Minutes: 150, breaches: 1 },
      { severity: 'B', requests: 2, responded: 1, medianMinutes: 200, p90Minutes: 200, breaches: 0 },
      { severity: 'C', requests: 0, responded: 0, breaches: 0 },
    ],
    partner: { escalations: 6, told: 5, medianMinutes: 1500, p90Minutes: 3000, breaches: 2 },
    months: [
      { month: '2026-11', microsoftBreaches: 1, partnerBreaches: 0 },
      { month: '2026-12', microsoftBreaches: 0, partnerBreaches: 2 },
    ],
  };
  const renewals = [
    { customer: { tenantId: 'c0000000-0000-4000-8000-00000000c001', name: 'Contoso Ltd' }, relationship: 'Contoso helpdesk', endsAt: at(-10 * 1440), daysLeft: 10, autoExtend: false },
  ];
  return { escalation, incident, incidentDetail, report, renewals };
}

/** What the double answered, for assertions. */
export interface ContractDouble {
  readonly url: string;
  readonly data: ReturnType<typeof contractData>;
  readonly requests: string[];
  /** The Authorization header of each API request ('' when none). */
  readonly authorizations: string[];
  stop(): Promise<void>;
}

/** Starts the double on 127.0.0.1:0. */
export async function startContractDouble(now = Date.now()): Promise<ContractDouble> {
  const data = contractData(now);
  const requests: string[] = [];
  const authorizations: string[] = [];
  const server = restify.createServer({ name: 'tab-contract-double', handleUncaughtExceptions: false });
  server.use((req: restify.Request, _res: restify.Response, next: restify.Next) => {
    if ((req.url ?? '').startsWith('/api/')) authorizations.push(req.header('authorization') ?? '');
    next();
  });
  const logger = createLogger({ level: 'warn', destination: logSink({}, { lines: [] }) });
  registerStaticRoutes(server, STATIC_DIR, logger, tabStrings(new Localizer(join(PROJECT_ROOT, 'locales'))));
  const json = (body: unknown, status = 200) => (req: restify.Request, res: restify.Response, next: restify.Next) => {
    requests.push(req.url ?? '');
    res.sendRaw(status, JSON.stringify(typeof body === 'function' ? (body as (r: restify.Request) => unknown)(req) : body), { 'Content-Type': 'application/json; charset=utf-8' });
    next();
  };
  const identity = { development: true, name: 'Development user' };
  server.get('/api/escalations', json({ identity, items: [data.escalation] }));
  server.get('/api/escalations/:id/card', json({ card: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: data.escalation.title, wrap: true }] } }));
  server.get(
    '/api/escalations/:id',
    json({ identity, escalation: { ...data.escalation, description: 'Outbound mail is queued.', details: {}, summary: data.escalation }, audit: [], chatUrl: CHAT_URL }),
  );
  server.get('/api/incidents', json({ incidents: [data.incident] }));
  server.get('/api/incidents/:id', (req: restify.Request, res: restify.Response, next: restify.Next) => {
    requests.push(req.url ?? '');
    const known = (req.params as { id?: string }).id === data.incident.id;
    res.sendRaw(known ? 200 : 404, JSON.stringify(known ? { incident: data.incidentDetail } : { error: { code: 'NotFound' } }), { 'Content-Type': 'application/json; charset=utf-8' });
    next();
  });
  server.get('/api/reports/response-times', (req: restify.Request, res: restify.Response, next: restify.Next) => {
    requests.push(req.url ?? '');
    if ((req.url ?? '').includes('format=csv')) {
      res.sendRaw(200, 'severity,requests,medianMinutes\nA,4,70\n', { 'Content-Type': 'text/csv; charset=utf-8' });
    } else {
      res.sendRaw(200, JSON.stringify(data.report), { 'Content-Type': 'application/json; charset=utf-8' });
    }
    next();
  });
  server.get('/api/access/renewals', json({ renewals: data.renewals }));
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port }: AddressInfo = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    data,
    requests,
    authorizations,
    stop: async () => {
      server.server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
      });
    },
  };
}
