/**
 * GDAP relationships ending within 30 days without extending themselves (the sandbox's Fabrikam,
 * 10 days): one reminder each to the incident channel, per relationship and end date, across
 * scans and restarts; with no incident channel set, none, and the log says why.
 */
import { strict as assert } from 'node:assert';
import { useRestarts } from './helpers/restarts';
import { storeConversation } from './rig';

const H = 3_600_000;

describe('GDAP renewal reminders (sandbox GDAP, SQLite file)', function () {
  const r = useRestarts({}, '2026-12-10T09:00:00Z');
  const start = () => r.start();

  it('without an incident channel nothing is sent and the log says how many wait; once one is set, one reminder per relationship, ever', async function () {
    let running = await start();
    assert.deepEqual(await running.app.workers.gdapRenewals.runOnce(), { ending: 1, enqueued: 0, channel: false });
    const said = running.logs.find((l) => l.msg === 'GDAP relationships end soon, but no incident channel is set: no reminder sent until one is');
    assert.equal(said?.ending, 1);
    assert.ok(!JSON.stringify(said).includes('Fabrikam'), 'no customer named in the log');

    const key = await storeConversation(running.app.database, r.connector, '19:admins@thread.tacv2');
    await running.app.database.incidents.setChannel({ conversationKey: key, setBy: { id: 'admin' }, setAt: new Date().toISOString() });
    assert.deepEqual(await running.app.workers.gdapRenewals.runOnce(), { ending: 1, enqueued: 1, channel: true });
    assert.equal((await running.app.workers.gdapRenewals.runOnce()).enqueued, 0, 'the second scan adds none');

    // Restarted two hours later: the sandbox's relationship still ends on the same day, so no second reminder.
    r.clock.tick(2 * H);
    running = await start();
    assert.deepEqual(await running.app.workers.gdapRenewals.runOnce(), { ending: 1, enqueued: 0, channel: true });

    await running.app.workers.outboxWorker.runOnce();
    const sent = r.connector.sent().map((a) => String(a.text));
    assert.equal(sent.length, 1);
    assert.match(
      sent[0] ?? '',
      /^The GDAP relationship 'Fabrikam support' with Fabrikam, Inc\. ends on 2026-12-20 \(10 days left\) and does not extend itself\. Renew it in Partner Center \(Customers → Fabrikam, Inc\. → Admin relationships\) before then/,
    );
    assert.equal(r.connector.calls.at(-1)?.conversationId, '19:admins@thread.tacv2');
  });
});
