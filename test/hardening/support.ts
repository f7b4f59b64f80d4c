/**
 * Shared pieces of the hardening suites: a service started with Bot Framework endpoint
 * overrides, a watch on unhandled rejections, and readers for what the bot answered.
 */
import { strict as assert } from 'node:assert';
import { createApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/log';
import type { RunningApp } from '../helpers/app';
import { logSink } from '../helpers/run-log';

/** A captured HTTP answer. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly ms: number;
}

/** Starts the real service like `startApp`, with extra Bot Framework settings merged into the cloud's. */
export async function startAppWith(
  env: Record<string, string>,
  botFramework: Readonly<Record<string, string>> = {},
): Promise<RunningApp> {
  const loaded = loadConfig({ env: { DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'debug', ...env }, dotenvPath: null });
  // The config is frozen: build a new object with the endpoint overrides.
  const config: Config = { ...loaded, endpoints: { ...loaded.endpoints, botFramework: { ...loaded.endpoints.botFramework, ...botFramework } } };
  const logs: Record<string, unknown>[] = [];
  const app = await createApp(config, createLogger({ level: config.logLevel, destination: logSink(env, { parsed: logs }) }));
  const address = await app.server.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    url,
    logs,
    post: async (path, body, headers = {}) => {
      const r = await postJson(`${url}${path}`, body, headers);
      return { status: r.status, body: r.body };
    },
    stop: () => app.close(1000),
  };
}

/** POSTs a JSON value (or a raw string as is) and times the answer; bounded by `timeoutMs`. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}, timeoutMs = 20_000): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, ms: Date.now() - started };
}

/** Unhandled rejections and uncaught exceptions seen while installed. */
export interface ProcessWatch {
  readonly rejections: unknown[];
  readonly exceptions: unknown[];
  uninstall(): void;
  /** Fails when anything was seen. */
  assertQuiet(): void;
}

/** Listens for unhandled rejections and uncaught exceptions until uninstalled. */
export function watchProcess(): ProcessWatch {
  const rejections: unknown[] = [];
  const exceptions: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  const onException = (error: unknown) => exceptions.push(error);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtExceptionMonitor', onException);
  return {
    rejections,
    exceptions,
    uninstall: () => {
      process.removeListener('unhandledRejection', onRejection);
      process.removeListener('uncaughtExceptionMonitor', onException);
    },
    assertQuiet: () => {
      assert.deepEqual(rejections.map(String), [], 'no unhandled rejection');
      assert.deepEqual(exceptions.map(String), [], 'no uncaught exception');
    },
  };
}

/** Adaptive Card contents of an activity's attachments. */
export function cardsOf(activity: Record<string, unknown> | undefined): Record<string, unknown>[] {
  const attachments = activity?.attachments;
  if (!Array.isArray(attachments)) return [];
  return attachments
    .filter((a): a is { contentType: string; content: Record<string, unknown> } => typeof a === 'object' && a !== null && 'content' in a)
    .filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')
    .map((a) => a.content);
}

/** The card of an `adaptiveCard/action` invoke response, if it answered one. */
export function invokeCard(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { type?: unknown; value?: unknown };
  return b.type === 'application/vnd.microsoft.card.adaptive' && typeof b.value === 'object' && b.value !== null
    ? (b.value as Record<string, unknown>)
    : undefined;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The Teams contract: a message turn answers within 10 s, an invoke within 5 s. */
export const TEAMS_MESSAGE_MS = 10_000;
export const TEAMS_INVOKE_MS = 5_000;
