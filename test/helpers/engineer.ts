/** Drives the escalation flow over HTTP as a Teams client would, and reads its cards. */
import { strict as assert } from 'node:assert';
import type { RunningApp } from './app';
import { execute, message, type ActivityOptions } from './activities';
import type { ConnectorDouble } from './connector-double';
import { cardTexts } from './cards';

export const CONTOSO = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';
export type Card = Record<string, unknown>;

/** An engineer working cards: Action.Execute invokes answered with the next card. */
export class Engineer {
  constructor(
    private readonly app: RunningApp,
    private readonly connector: ConnectorDouble,
    private readonly options: Partial<ActivityOptions> = {},
  ) {}

  async act(verb: string, data: Record<string, unknown>): Promise<Card> {
    const res = await this.app.post('/api/messages', execute(verb, data, { serviceUrl: this.connector.url, ...this.options }));
    assert.equal(res.status, 200);
    const body = res.body as { statusCode: number; type: string; value: Card };
    assert.equal(body.statusCode, 200, JSON.stringify(body));
    assert.equal(body.type, 'application/vnd.microsoft.card.adaptive', JSON.stringify(body));
    return body.value;
  }

  async say(text: string): Promise<void> {
    await this.app.post('/api/messages', message(text, { serviceUrl: this.connector.url, ...this.options }));
  }

  async describe(flowId: string, extra: Record<string, unknown> = {}): Promise<Card> {
    return this.act('describe', describeData(flowId, extra));
  }

  /**
   * A new escalation taken to the hand-off card by the shortest path (not the known issue, the
   * service is down so no checklist, service unavailable); returns its id and that card.
   */
  async toHandoff(severity = 'critical'): Promise<{ id: string; handoff: Card }> {
    const id = escalationIdOf(await this.describe(flowIdOf(await this.act('escalate', {}))));
    await this.act('knownDiffers', { escalationId: id, notSameReason: 'only one tenant' });
    await this.act('troubleshootSkip', { escalationId: id });
    const handoff = await this.act('triage', { escalationId: id, category: 'service_unavailable', severity, businessImpact: 'no mail', contact: 'Jo' });
    return { id, handoff };
  }
}

/** Contoso's mail problem as the engineer fills the describe card (since today): it matches a sandbox incident. */
export function mailStuck() {
  return {
    customerTenantId: CONTOSO,
    service: 'Exchange Online',
    title: 'Users cannot send mail',
    description: 'Outbound mail is delayed and stuck in the queue for all users',
    sinceDate: new Date().toISOString().slice(0, 10),
    sinceTime: '00:00',
    usersAffected: '120',
    regions: 'West Europe',
  };
}

/** The describe card's data: Contoso, Exchange Online, mail stuck since today; `extra` overrides. */
export function describeData(flowId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { flowId, ...mailStuck(), ...extra };
}

export function flowIdOf(card: Card): string {
  const found = JSON.stringify(card).match(/"flowId":"([^"]+)"/);
  assert.ok(found, 'card carries a flowId');
  return found[1] ?? '';
}
export function escalationIdOf(card: Card): string {
  const found = JSON.stringify(card).match(/"escalationId":"(ED-[0-9A-Z]{8})"/);
  assert.ok(found, 'card carries an escalation id');
  return found[1] ?? '';
}
export function offeredIssue(card: Card): string {
  const found = JSON.stringify(card).match(/"issueId":"([^"]+)"/);
  assert.ok(found, 'card offers a known issue');
  return found[1] ?? '';
}
export const has = (card: Card, pattern: RegExp) => cardTexts(card).some((t) => pattern.test(t));
