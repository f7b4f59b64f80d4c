/** Shared pieces of the tracking tests: an escalation linked to a request, a conversation, a real proactive sender. */
import { randomUUID } from 'node:crypto';
import { CloudAdapter } from 'botbuilder';
import type { Logger } from 'pino';
import { EdgeBotFrameworkAuthentication } from '../../src/bot/authentication';
import { BotProactiveSender } from '../../src/bot/proactive-sender';
import { retryingSends } from '../../src/bot/send-retry';
import { createEscalation, transition, type Actor, type Escalation } from '../../src/domain/escalation';
import { conversationKey, type Database } from '../../src/store';
import { UnknownServiceRequestError, type SupportProvider } from '../../src/support/types';
import type { ConnectorDouble } from '../helpers/connector-double';

/** The customer tenant of the tests. */
export const TENANT = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';
const ENGINEER: Actor = { kind: 'user', id: '00000000-0000-0000-0000-0000000000e1' };

/** Microsoft's support side with no request at all: for tests where only incidents are watched. */
export const noSupport: SupportProvider = {
  source: 'sandbox',
  getRequest: (id) => Promise.reject(new UnknownServiceRequestError(id)),
  listCustomerRequests: () => Promise.resolve([]),
  addNote: () => Promise.resolve(undefined),
  setStatus: () => Promise.resolve(undefined),
};

/** Stores a conversation reference pointing at the connector double and returns its key. */
export async function storeConversation(db: Database, connector: Pick<ConnectorDouble, 'url'>, conversationId = `a:${randomUUID()}`, tenantId = TENANT): Promise<string> {
  const key = conversationKey(tenantId, conversationId);
  await db.conversations.upsert({
    key,
    serviceUrl: connector.url,
    conversationId,
    tenantId,
    conversationType: 'personal',
    userId: '29:engineer',
    botId: '28:escalation-desk',
    botName: 'Escalation Desk',
    updatedAt: new Date().toISOString(),
  });
  return key;
}

/** An escalation linked to service request `srId`, state `escalated`, notifying `targets` (`details`: more of the flow's record, e.g. its severity). */
export async function linkedEscalation(
  db: Database,
  srId: string,
  targets: readonly string[],
  at: Date,
  details: Readonly<Record<string, unknown>> = {},
): Promise<Escalation> {
  const { escalation, event } = createEscalation(
    {
      id: `ED-${randomUUID().slice(0, 8).toUpperCase()}`,
      partnerTenantId: 'partner',
      ownerId: ENGINEER.id,
      customer: { tenantId: TENANT, name: 'Contoso' },
      service: 'Exchange Online',
      title: 'Mail flow stopped',
      description: 'Users cannot receive external mail.',
    },
    ENGINEER,
    at,
  );
  let current = await db.escalations.create(escalation, [event]);
  for (const to of ['triage', 'awaiting_handoff', 'escalated'] as const) {
    const step = transition(current, to, {
      actor: ENGINEER,
      at,
      ...(to === 'escalated' ? { details: { ...details, serviceRequestId: srId, notifyTargets: targets } } : {}),
    });
    current = await db.escalations.update(step.escalation, current.version, [step.event]);
  }
  return current;
}

/**
 * The real botbuilder sender over the edge's authentication (connector deadline, no client
 * retries) and its reply-retry middleware, without Bot Framework credentials (the double
 * accepts anonymous calls).
 */
export function realSender(logger: Logger, options: { readonly connectorTimeoutMs?: number } = {}): BotProactiveSender {
  const adapter = new CloudAdapter(new EdgeBotFrameworkAuthentication({}, options));
  adapter.use(retryingSends());
  return new BotProactiveSender({ adapter, botAppId: '', logger });
}
