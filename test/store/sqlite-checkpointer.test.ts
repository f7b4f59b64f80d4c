/** WAL checkpoints on a thread of their own: the bot's connection never flushes the WAL inside a commit. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openSqlite } from '../../src/store/sqlite';
import { startWalCheckpointer, type CheckpointReport } from '../../src/store/sqlite-checkpointer';

/** Resolves when `check` holds, polling every 20 ms; rejects after `ms`. */
async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SQLite WAL checkpoint thread', function () {
  let folder: string;

  beforeEach(function () {
    folder = mkdtempSync(join(tmpdir(), 'ed-checkpoint-'));
  });

  afterEach(function () {
    rmSync(folder, { recursive: true, force: true });
  });

  it('moves what the connection wrote into the database file, and stops when told', async function () {
    const file = join(folder, 'wal.db');
    const db = new BetterSqlite3(file);
    db.pragma('journal_mode = WAL');
    // As the bot's connection runs with the thread: it never checkpoints itself.
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i += 1) insert.run(`${i}:${'x'.repeat(2000)}`);
    })();
    const fileBefore = statSync(file).size;

    const reports: CheckpointReport[] = [];
    const checkpointer = await startWalCheckpointer({ filename: file, intervalMs: 20, onFailure: () => assert.fail('no failure expected'), onCheckpoint: (r) => reports.push(r) });
    try {
      await eventually(() => reports.some((r) => r.log > 0 && r.checkpointed === r.log), 5000, 'a complete checkpoint');
    } finally {
      await checkpointer.stop();
    }
    const afterStop = reports.length;
    // 2,000 rows of 2 KB are in the file itself now, not only in the WAL.
    assert.ok(fileBefore < 1024 * 1024, `file before: ${fileBefore}`);
    assert.ok(statSync(file).size > 3 * 1024 * 1024, `file after: ${statSync(file).size}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(reports.length, afterStop, 'no checkpoint after stop()');

    db.close();
    const reader = new BetterSqlite3(file, { readonly: true });
    try {
      assert.equal((reader.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 2000);
    } finally {
      reader.close();
    }
  });

  it('refuses to start on a file that is not there, saying why', async function () {
    await assert.rejects(
      startWalCheckpointer({ filename: join(folder, 'missing.db'), intervalMs: 20, onFailure: () => undefined }),
      /WAL checkpoint thread did not start: .*(exist|open)/i,
    );
  });

  it('is what a file database uses; an in-memory one has no WAL to move', async function () {
    const file = join(folder, 'desk.db');
    const onDisk = await openSqlite({ filename: file });
    try {
      assert.equal(onDisk.checkpointMode, 'background');
      await onDisk.documents.write(Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: { i, pad: 'y'.repeat(4000) } })));
      assert.equal((await onDisk.documents.read(['k0', 'k49'])).size, 2);
    } finally {
      await onDisk.close();
    }
    // The close ran the thread's last checkpoint and the connection's own: everything is in the file.
    const raw = new BetterSqlite3(file, { readonly: true });
    try {
      assert.equal((raw.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n, 50);
    } finally {
      raw.close();
    }
    const inMemory = await openSqlite({ filename: ':memory:' });
    try {
      assert.equal(inMemory.checkpointMode, 'inline');
    } finally {
      await inMemory.close();
    }
  });
});
