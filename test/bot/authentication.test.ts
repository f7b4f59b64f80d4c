import { strict as assert } from 'node:assert';
import type { Activity } from 'botbuilder';
import { EdgeBotFrameworkAuthentication } from '../../src/bot/authentication';

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

  it('keeps one connector client per service URL across turns, but none shared with proactive sends', async () => {
    const auth = new EdgeBotFrameworkAuthentication({});
    const first = await connectorOf(auth, 'http://127.0.0.1:3978/a');
    const again = await connectorOf(auth, 'http://127.0.0.1:3978/a');
    const other = await connectorOf(auth, 'http://127.0.0.1:3978/b');
    assert.equal(again, first, 'the same client on the next turn');
    assert.notEqual(other, first, 'another service URL has its own client');

    const claims = (await auth.authenticateRequest(activity('http://127.0.0.1:3978/a'), '')).claimsIdentity;
    const proactive = await auth.createConnectorFactory(claims).create('http://127.0.0.1:3978/a');
    assert.notEqual(proactive, first, 'a proactive send gets a client of its own: the proactive sender changes its pipeline');
    assert.notEqual(await auth.createConnectorFactory(claims).create('http://127.0.0.1:3978/a'), proactive);
    assert.equal(await auth.createUserTokenClient(claims), await auth.createUserTokenClient(claims), 'one user-token client per app id');
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
