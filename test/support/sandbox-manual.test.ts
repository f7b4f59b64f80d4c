/** The sandbox (plays Microsoft on a schedule) and manual (engineer reports) providers, durable in the database. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/domain/clock';
import { openDatabase } from '../../src/store';
import { createSupportProvider } from '../../src/support';
import { UnknownServiceRequestError, UnsupportedSupportOperationError } from '../../src/support/types';

describe('sandbox and manual support providers', function () {
  const folder = mkdtempSync(join(tmpdir(), 'ed-support-'));
  const file = join(folder, 'desk.db');
  after(function () {
    rmSync(folder, { recursive: true, force: true });
  });

  it('sandbox: open → attention_needed → closed on schedule, the same way after a restart', async function () {
    const clock = new ManualClock('2025-03-10T10:00:00Z');
    const schedule = { attentionAfterMs: 60_000, closeAfterMs: 120_000, asks: 'always' as const };
    let db = await openDatabase({ url: file });
    let sandbox = createSupportProvider({ source: 'sandbox', documents: db.documents, clock, schedule });
    assert.equal((await sandbox.getRequest('1001')).status, 'open');
    clock.advance(60_000);
    const asked = await sandbox.getRequest('1001');
    assert.equal(asked.status, 'attention_needed');
    assert.equal(asked.notes.at(-1)?.createdByName, 'Microsoft Support');
    await db.close();

    db = await openDatabase({ url: file });
    sandbox = createSupportProvider({ source: 'sandbox', documents: db.documents, clock, schedule });
    assert.equal((await sandbox.getRequest('1001')).status, 'attention_needed', 'link time survived the restart');
    clock.advance(10_000);
    assert.equal((await sandbox.addNote('1001', 'trace attached'))?.status, 'open', 'an answer puts it back to open');
    clock.advance(50_000);
    const closed = await sandbox.getRequest('1001');
    assert.equal(closed.status, 'closed');
    assert.equal(closed.lastClosedDate, '2025-03-10T10:02:00.000Z');
    assert.deepEqual(closed.notes.map((n) => n.createdByName), ['Microsoft Support', 'Partner', 'Microsoft Support']);
    await assert.rejects(sandbox.getRequest('abc'), UnknownServiceRequestError);
    await assert.rejects(sandbox.setStatus('1001', 'open'), UnsupportedSupportOperationError);
    await db.close();
  });

  it('sandbox: which requests get a question is decided by the number, repeatably', async function () {
    const db = await openDatabase({ url: 'sqlite::memory:' });
    const clock = new ManualClock('2025-03-10T10:00:00Z');
    const sandbox = createSupportProvider({ source: 'sandbox', documents: db.documents, clock });
    const ids = Array.from({ length: 20 }, (_, i) => String(5000 + i));
    for (const id of ids) await sandbox.getRequest(id);
    clock.advance(90_000);
    const first = await Promise.all(ids.map(async (id) => (await sandbox.getRequest(id)).status));
    const again = await Promise.all(ids.map(async (id) => (await sandbox.getRequest(id)).status));
    assert.deepEqual(first, again);
    assert.ok(first.includes('attention_needed') && first.includes('open'), 'some ask, some do not');
    clock.advance(30_000);
    assert.ok((await Promise.all(ids.map(async (id) => (await sandbox.getRequest(id)).status))).every((s) => s === 'closed'));
    await db.close();
  });

  it('manual: keeps what the engineer reports across a restart', async function () {
    const clock = new ManualClock('2025-03-10T10:00:00Z');
    let db = await openDatabase({ url: file });
    let manual = createSupportProvider({ source: 'manual', documents: db.documents, clock });
    assert.equal((await manual.getRequest('42')).status, 'open');
    await manual.setStatus('42', 'attention_needed');
    await manual.addNote('42', 'Microsoft asked for logs', 'Ji-woo');
    await db.close();
    db = await openDatabase({ url: file });
    manual = createSupportProvider({ source: 'manual', documents: db.documents, clock });
    const kept = await manual.getRequest('42');
    assert.equal(kept.status, 'attention_needed');
    assert.deepEqual(kept.notes.map((n) => n.text), ['Microsoft asked for logs']);
    clock.advance(1000);
    assert.equal((await manual.setStatus('42', 'closed'))?.lastClosedDate, '2025-03-10T10:00:01.000Z');
    await db.close();
  });
});
