/**
 * In-turn replies through a connector that takes the request and never answers: the turn
 * ends at the connector deadline (CONNECTOR_TIMEOUT_MS) with a clear error instead of holding
 * Teams' request open, and the timed-out reply is not sent again (it may have arrived).
 */
import { strict as assert } from 'node:assert';
import { message } from '../helpers/activities';
import { useAppPerTest } from '../helpers/app';

const ERROR_TEXT = /something went wrong on my side.*Reference: [0-9a-f]{8}/;

describe('a connector that never answers an in-turn reply', () => {
  const f = useAppPerTest({ CONNECTOR_TIMEOUT_MS: '300' });

  it('a "help" turn ends with a clear error instead of hanging, and the reply is not repeated', async () => {
    const conversationId = 'a:hanging-help';
    f.connector.failNext({ status: 200, hang: true, conversationId });
    const answer = await f.app.post('/api/messages', message('help', { serviceUrl: f.connector.url, conversationId }));
    assert.ok(answer.status < 500, `HTTP ${answer.status}`);
    const sent = f.connector.sent().filter((a) => (a.conversation as { id?: string } | undefined)?.id === conversationId);
    assert.equal(sent.length, 1, 'one more message after the hanging reply: the error');
    assert.match(String(sent[0]?.text), ERROR_TEXT);
    assert.equal(f.connector.faultsAnswered.length, 1, 'the help card was sent once, not retried after the timeout');
    await f.connector.waitForHanging(0); // the hanging request was cancelled

    const again = await f.app.post('/api/messages', message('help', { serviceUrl: f.connector.url, conversationId }));
    assert.equal(again.status, 200);
    assert.equal(f.connector.sent().length, 2, 'the connector answers again: the help card arrives');
  });
});
