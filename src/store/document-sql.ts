/**
 * The key/value tables in both dialects: `documents` (bot state with eTags: the statement of a
 * write, how writes are ordered and stamped) and `heartbeat` (the readiness probe's row).
 */
import { randomUUID } from 'node:crypto';
import type { Statement } from './sql';
import type { DocumentWrite } from './types';

/** A fresh eTag for every document write. */
export function newETag(): string {
  return randomUUID();
}

/** Whether a write overwrites unconditionally. */
export function isUnconditional(eTag: string | undefined): boolean {
  return eTag === undefined || eTag === '*';
}

/**
 * Writes ordered by key, keeping the caller's order for repeats of one key, so two
 * transactions writing overlapping keys lock them in the same order and cannot deadlock.
 */
export function inKeyOrder<T extends { readonly key: string }>(writes: readonly T[]): T[] {
  return writes
    .map((w, i) => ({ w, i }))
    .sort((a, b) => (a.w.key < b.w.key ? -1 : a.w.key > b.w.key ? 1 : a.i - b.i))
    .map(({ w }) => w);
}

/**
 * The statement of one write: an upsert when unconditional, else an UPDATE that matches only
 * the eTag the document was read with (no row changed = a stale eTag, or no such document).
 */
export function writeDocumentSql(w: DocumentWrite, now: string): { readonly statement: Statement; readonly conditional: boolean } {
  const value = JSON.stringify(w.value);
  if (isUnconditional(w.eTag)) {
    return {
      conditional: false,
      statement: {
        sql: `INSERT INTO documents (key, value, etag, updated_at) VALUES (?, ?, ?, ?)
              ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = excluded.etag, updated_at = excluded.updated_at`,
        params: [w.key, value, newETag(), now],
      },
    };
  }
  return {
    conditional: true,
    statement: { sql: 'UPDATE documents SET value = ?, etag = ?, updated_at = ? WHERE key = ? AND etag = ?', params: [value, newETag(), now, w.key, w.eTag] },
  };
}

/** Upserting the readiness probe's row: a write that commits is what ready means. */
export function heartbeatSql(name: string, now: Date): Statement {
  return {
    sql: 'INSERT INTO heartbeat (name, beat_at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET beat_at = excluded.beat_at',
    params: [name, now.toISOString()],
  };
}
