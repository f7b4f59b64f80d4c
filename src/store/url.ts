/**
 * Reads database URLs: which database they select, and a description safe to log.
 * No driver is loaded here, so the configuration can validate a URL cheaply.
 */
import { resolve } from 'node:path';

/** What a database URL selects. */
export type DatabaseTarget =
  | { readonly kind: 'sqlite'; readonly filename: string }
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly url: URL };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):/;

/** Reads a database URL; a malformed one throws an Error with a one-line message that never repeats the URL. */
export function parseDatabaseUrl(raw: string): DatabaseTarget {
  const url = raw.trim();
  if (url === '') throw new Error('Database URL is empty: expected postgres://…, sqlite:<path> or a file path.');
  // Two or more letters: a one-letter "scheme" is a Windows drive (C:\data\desk.db), i.e. a plain path.
  const scheme = SCHEME.exec(url)?.[1].toLowerCase();
  if (scheme === undefined) return { kind: 'sqlite', filename: sqliteFilename(url) };
  if (scheme === 'sqlite') {
    const path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) {
      throw new Error('Database URL must be written sqlite:<path> (e.g. sqlite:./data/escalation-desk.db), not sqlite://.');
    }
    if (path.trim() === '') throw new Error('Database URL "sqlite:" names no file: expected sqlite:<path> or sqlite::memory:.');
    return { kind: 'sqlite', filename: sqliteFilename(path) };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') return { kind: 'postgres', connectionString: url, url: postgresUrl(url) };
  throw new Error(`Database URL scheme "${scheme}:" is not supported: use postgres://, postgresql://, sqlite:<path> or a file path.`);
}

function sqliteFilename(path: string): string {
  return path === ':memory:' ? path : resolve(path);
}

function postgresUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('Database URL is not a valid PostgreSQL URL: expected postgres://user[:password]@host[:port]/database.');
  }
  if (!raw.slice(url.protocol.length).startsWith('//')) {
    throw new Error('Database URL is not a valid PostgreSQL URL: expected postgres://user[:password]@host[:port]/database.');
  }
  for (const [part, value] of [
    ['user name', url.username],
    ['password', url.password],
    ['database name', url.pathname],
  ] as const) {
    try {
      decodeURIComponent(value);
    } catch {
      throw new Error(`Database URL has an invalid percent-escape in its ${part}.`);
    }
  }
  if (url.hostname === '' && !url.searchParams.has('host')) {
    throw new Error('Database URL names no PostgreSQL host: expected postgres://user@host[:port]/database.');
  }
  if (url.pathname.slice(1).includes('/')) {
    throw new Error('Database URL path must be a single database name (postgres://host/database).');
  }
  return url;
}

/** A description of a database URL that is safe to log: kind, user, host, port, database and schema; never the password. */
export function describeDatabaseUrl(raw: string): string {
  const target = parseDatabaseUrl(raw);
  if (target.kind === 'sqlite') return `sqlite:${target.filename}`;
  const { url } = target;
  const user = url.username === '' ? '' : `${decodeURIComponent(url.username)}@`;
  const host = url.hostname === '' ? (url.searchParams.get('host') ?? '') : url.hostname;
  const port = url.port === '' ? '' : `:${url.port}`;
  const searchPath = /search_path\s*=\s*([^\s]+)/.exec(url.searchParams.get('options') ?? '')?.[1];
  return `postgres://${user}${host}${port}${decodeURIComponent(url.pathname)}${searchPath ? ` (schema ${searchPath})` : ''}`;
}
