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

  it('sandbox (default schedule): every linked request gets the one question at 60 s, whatever its number, then closes at 120 s', async function () {
    const db = await openDatabase({ url: 'sqlite::memory:' });
    const clock = new ManualClock('2025-03-10T10:00:00Z');
    const sandbox = createSupportProvider({ source: 'sandbox', documents: db.documents, clock });
    const ids = Array.from({ length: 20 }, (_, i) => String(5000 + i));
    const statuses = async (): Promise<string[]> => Promise.all(ids.map(async (id) => (await sandbox.getRequest(id)).status));
    for (const id of ids) await sandbox.getRequest(id);
    clock.advance(59_000);
    assert.ok((await statuses()).every((s) => s === 'open'), 'not before 60 s');
    clock.advance(31_000);
    assert.ok((await statuses()).every((s) => s === 'attention_needed'), 'every request asks');
    for (const id of ids) {
      const asked = await sandbox.getRequest(id);
      assert.equal(asked.notes.filter((n) => n.createdByName === 'Microsoft Support').length, 1, 'one question');
    }
    clock.advance(30_000);
    assert.ok((await statuses()).every((s) => s === 'closed'));
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
