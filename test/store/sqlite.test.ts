/** The store contract against SQLite: a temporary file in a folder that does not exist yet. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openDatabase } from '../../src/store';
import { DatabaseFileLostError } from '../../src/store/sqlite';
import { storeContract } from './contract';

describe('SQLite store', function () {
  const folder = mkdtempSync(join(tmpdir(), 'ed-sqlite-'));
  // A nested folder that does not exist proves the store creates the parent of its file.
  const file = join(folder, 'nested', 'data', 'escalation-desk.db');

  after(function () {
    rmSync(folder, { recursive: true, force: true });
  });

  storeContract('SQLite', () => openDatabase({ url: `sqlite:${file}` }));

  it('keeps its file in WAL mode', async function () {
    const db = await openDatabase({ url: file });
    try {
      assert.equal(db.kind, 'sqlite');
      assert.ok(existsSync(file));
      const raw = new BetterSqlite3(file, { readonly: true });
      try {
        assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        raw.close();
      }
    } finally {
      await db.close();
    }
  });

  it('once its file is deleted, refuses every call instead of writing to a file no restart finds', async function () {
    const lost = join(folder, 'lost', 'desk.db');
    const db = await openDatabase({ url: lost });
    try {
      await db.ping();
      await db.documents.write([{ key: 'before', value: { v: 1 } }]);
      unlinkSync(lost);
      await assert.rejects(db.documents.write([{ key: 'after', value: { v: 2 } }]), DatabaseFileLostError);
      await assert.rejects(db.ping(), /was deleted after it was opened/);
      await assert.rejects(db.documents.read(['before']), DatabaseFileLostError);
    } finally {
      await db.close();
    }
  });

  it('opens a throw-away database with sqlite::memory:', async function () {
    const db = await openDatabase({ url: 'sqlite::memory:' });
    try {
      await db.ping();
      await db.documents.write([{ key: 'k', value: { v: 1 } }]);
      assert.equal((await db.documents.read(['k'])).size, 1);
    } finally {
      await db.close();
    }
  });
});
