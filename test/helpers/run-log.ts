/**
 * What every service started by the test run logged, and the secrets they were configured
 * with, so that one check after the whole run (test/helpers/log-scan.hooks.ts) can prove no
 * secret, credential or token reached any log line, whichever suite wrote it.
 */
import type { ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';

/** Environment keys whose values are secrets. */
const SECRET_KEY = /(password|secret|refresh_?token|client_?key)$/i;
/** Shorter values (flags, "0") could match anywhere; no configured secret is that short. */
const MIN_SECRET_LENGTH = 8;
/** A JSON Web Token (three base64url parts, the first two JSON objects). */
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/;
/** A bearer credential as an Authorization header carries it. */
const BEARER = /Bearer\s+[A-Za-z0-9._~+/-]{16,}/i;

/** Log lines and the secrets that must not appear in them. */
export class LogRecord {
  private readonly lines: string[] = [];
  private readonly secrets = new Set<string>();

  /** Remembers the secret values of an environment a service is started with. */
  rememberSecrets(env: Readonly<Record<string, string | undefined>>): void {
    for (const [key, value] of Object.entries(env)) {
      if (SECRET_KEY.test(key) && value !== undefined) this.rememberSecret(value);
    }
  }

  /** Remembers a secret that is not configured but issued (a token a double handed out). */
  rememberSecret(value: string): void {
    if (value.length >= MIN_SECRET_LENGTH) this.secrets.add(value);
  }

  /** Records output a service wrote. */
  record(text: string): void {
    if (text) this.lines.push(text);
  }

  /** What leaked: each remembered secret found in a line, and any line carrying a token. */
  scan(): { readonly lines: number; readonly secrets: number; readonly leaks: readonly string[] } {
    const leaks: string[] = [];
    for (const line of this.lines) {
      for (const secret of this.secrets) if (line.includes(secret)) leaks.push(`a configured secret (${secret.slice(0, 4)}…) in: ${line.slice(0, 160)}`);
      if (JWT.test(line)) leaks.push(`a JSON Web Token in: ${line.slice(0, 160)}`);
      if (BEARER.test(line)) leaks.push(`a bearer credential in: ${line.slice(0, 160)}`);
    }
    return { lines: this.lines.length, secrets: this.secrets.size, leaks };
  }
}

/**
 * The run's record. Module state on purpose: it is the test run's own, shared by every suite
 * that starts a service, and read once by the root hook after the last suite.
 */
export const RUN_LOG = new LogRecord();

/** Remembers a secret that is not configured but issued (a token a double handed out). */
export function rememberSecret(value: string): void {
  RUN_LOG.rememberSecret(value);
}

/**
 * Records what a child process started with `env` writes on stdout and stderr, line by line
 * (a chunk may end mid-line: the rest waits for the next chunk or the end of the stream).
 */
export function recordChildOutput(child: ChildProcess, env: Readonly<Record<string, string | undefined>>, record: LogRecord = RUN_LOG): void {
  record.rememberSecrets(env);
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) record.record(line);
    });
    stream?.on('end', () => {
      if (partial.trim()) record.record(partial);
      partial = '';
    });
  }
}

/** Where a test also wants the lines of its own service: parsed, or as text. */
export interface LogCopies {
  readonly parsed?: Record<string, unknown>[];
  readonly lines?: string[];
}

/**
 * A pino destination for a service under test started with `env`: every line goes to the
 * run's record and to the test's own copies.
 */
export function logSink(env: Readonly<Record<string, string | undefined>>, copies: LogCopies = {}, record: LogRecord = RUN_LOG): Writable {
  record.rememberSecrets(env);
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        record.record(line);
        copies.lines?.push(line);
        copies.parsed?.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
}
