import { strict as assert } from 'node:assert';
import type { Activity } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import { EdgeBotFrameworkAuthentication } from '../../src/bot/authentication';
import { ConnectorTimeoutError } from '../../src/bot/connector-client';
import { ConnectorDouble } from '../helpers/connector-double';

/** An activity as the local playground sends it (no app id: authentication is disabled). */
function activity(serviceUrl: string): Activity {
  return {
    type: 'message',
    id: 'a1',
    channelId: 'msteams',
    serviceUrl,
    from: { id: 'u1', name: 'Ada' },
    recipient: { id: 'b1', name: 'Escalation Desk' },
    conversation: { id: 'c1', isGroup: false, conversationType: 'personal', name: '' },
  } as Activity;
}

describe('EdgeBotFrameworkAuthentication', () => {
  const connectorOf = async (auth: EdgeBotFrameworkAuthentication, serviceUrl: string) => {
    const result = await auth.authenticateRequest(activity(serviceUrl), '');
    assert.ok(result.connectorFactory, 'a connector factory');
    return result.connectorFactory.create(serviceUrl, result.audience);
  };

  it('keeps one connector client per service URL across turns, shared with proactive sends', async () => {
    const auth = new EdgeBotFrameworkAuthentication({});
    const first = await connectorOf(auth, 'http://127.0.0.1:3978/a');
    const again = await connectorOf(auth, 'http://127.0.0.1:3978/a');
    const other = await connectorOf(auth, 'http://127.0.0.1:3978/b');
    assert.equal(again, first, 'the same client on the next turn');
    assert.notEqual(other, first, 'another service URL has its own client');

    const claims = (await auth.authenticateRequest(activity('http://127.0.0.1:3978/a'), '')).claimsIdentity;
    const proactive = await auth.createConnectorFactory(claims).create('http://127.0.0.1:3978/a', 'https://api.botframework.com');
    assert.equal(await auth.createConnectorFactory(claims).create('http://127.0.0.1:3978/a', 'https://api.botframework.com'), proactive);
    assert.equal(await auth.createUserTokenClient(claims), await auth.createUserTokenClient(claims), 'one user-token client per app id');
  });

  describe('every connector client, in-turn and proactive', () => {
    let connector: ConnectorDouble;
    beforeEach(async () => {
      connector = await new ConnectorDouble().start();
    });
    afterEach(async () => connector.stop());

    const clients = async (auth: EdgeBotFrameworkAuthentication): Promise<Array<[string, ConnectorClient]>> => {
      const claims = (await auth.authenticateRequest(activity(connector.url), '')).claimsIdentity;
      return [
        ['in-turn', await connectorOf(auth, connector.url)],
        ['proactive', await auth.createConnectorFactory(claims).create(`${connector.url}proactive/`, 'https://api.botframework.com')],
      ];
    };
    const send = (client: ConnectorClient) =>
      client.conversations.sendToConversation('a:c1', { type: 'message', text: 'hello' });

    it('sends one HTTP request per call: no retries of its own (503, 429 with Retry-After)', async () => {
      for (const [name, client] of await clients(new EdgeBotFrameworkAuthentication({}))) {
        for (const fault of [{ status: 503 }, { status: 429, retryAfterSeconds: 0 }]) {
          const before = connector.faultsAnswered.length;
          connector.failNext(fault);
          await assert.rejects(send(client), (e: { statusCode?: number }) => e.statusCode === fault.status, name);
          assert.equal(connector.faultsAnswered.length - before, 1, `${name} ${fault.status}: one request`);
          assert.equal(connector.sent().length, 0, `${name} ${fault.status}: not sent again behind the caller's back`);
        }
      }
    });

    it('gives up a call that gets no answer at the deadline, with ConnectorTimeoutError', async () => {
      for (const [name, client] of await clients(new EdgeBotFrameworkAuthentication({}, { connectorTimeoutMs: 200 }))) {
        connector.failNext({ status: 200, hang: true });
        await assert.rejects(send(client), ConnectorTimeoutError, name);
        await connector.waitForHanging(0);
      }
      assert.equal(connector.sent().length, 0);
    });
  });

  it('keeps at most 64 clients, dropping the oldest', async () => {
    const auth = new EdgeBotFrameworkAuthentication({});
    const oldest = await connectorOf(auth, 'http://127.0.0.1:3978/0');
    const newest = await connectorOf(auth, 'http://127.0.0.1:3978/1');
    for (let i = 2; i <= 64; i++) await connectorOf(auth, `http://127.0.0.1:3978/${i}`);
    assert.notEqual(await connectorOf(auth, 'http://127.0.0.1:3978/0'), oldest, 'the oldest was dropped and is built again');
    assert.equal(await connectorOf(auth, 'http://127.0.0.1:3978/64'), await connectorOf(auth, 'http://127.0.0.1:3978/64'));
    assert.ok(newest);
  });
});
