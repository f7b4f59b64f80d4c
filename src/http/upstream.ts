/**
 * The one HTTP client for upstream Microsoft APIs: per-attempt timeout, retries of
 * transient failures (408, 429, 500, 502, 503, 504, network errors, timeouts) with capped
 * exponential backoff and jitter, `Retry-After` honoured, bounded attempts and total time.
 * Per-call headers (e.g. Partner Center's `MS-RequestId`) are sent unchanged on every
 * attempt, which is what makes a retried write idempotent on the server side.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import { systemClock } from '../domain/clock';
import { untilAborted } from '../limits/deadline';
import { backoffDelay } from './backoff';
import { UpstreamError, UpstreamStatusError, errorCodeOf } from './errors';
import { parseRetryAfter } from './retry-after';

/** How hard to try before giving up. All durations in milliseconds. */
export interface RetryPolicy {
  /** Total HTTP attempts, the first one included. */
  readonly maxAttempts: number;
  /** First backoff step; doubled on each retry. */
  readonly baseDelayMs: number;
  /** Cap of one backoff step. */
  readonly maxDelayMs: number;
  /** Cap of the whole call, waits included: a triage answer must not hang. */
  readonly maxTotalMs: number;
  /** One attempt (connect, headers and body) may take this long. */
  readonly attemptTimeoutMs: number;
  /** A longer Retry-After than this is not waited out: the call fails as throttled. */
  readonly maxRetryAfterMs: number;
}

/** Defaults sized for a chat turn: the bot must answer within 10–15 s (PRODUCT.md). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 400,
  maxDelayMs: 4_000,
  maxTotalMs: 12_000,
  attemptTimeoutMs: 5_000,
  maxRetryAfterMs: 10_000,
});

/** Dependencies and settings of an upstream client. */
export interface UpstreamClientOptions {
  /** Display name used in errors and logs, e.g. "Microsoft Graph". */
  readonly upstream: string;
  readonly logger: Logger;
  readonly policy?: Partial<RetryPolicy>;
  readonly clock?: Clock;
  /** Waits between attempts; tests pass one that records and returns at once. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1). */
  readonly random?: () => number;
}

/** One logical call; retried attempts repeat it exactly. */
export interface UpstreamRequest {
  readonly method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly url: string;
  /** Sent on every attempt unchanged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Serialized as JSON. */
  readonly body?: unknown;
  /** Returns a bearer token; asked before each attempt so a token that expired mid-retry is renewed. */
  readonly bearerToken?: () => Promise<string>;
  /** Runs before each attempt (e.g. to charge a request budget); throwing stops the call. */
  readonly beforeAttempt?: (attempt: number) => void;
  /** Caller cancellation; never retried. */
  readonly signal?: AbortSignal;
}

/** A final answer: 2xx, or a status that retrying would not change. */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** How many attempts it took. */
  readonly attempts: number;
}

const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** Whether a status is worth another attempt. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

type AttemptOutcome =
  | { readonly kind: 'response'; readonly response: UpstreamResponse }
  | { readonly kind: 'retry'; readonly failure: 'unavailable' | 'timeout' | 'throttled'; readonly status?: number; readonly retryAfterMs?: number; readonly cause?: unknown };

/** Sends upstream requests with the retry policy; one instance per upstream. */
export class UpstreamClient {
  readonly policy: RetryPolicy;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: UpstreamClientOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? ((ms) => delay(ms));
    this.random = options.random ?? Math.random;
  }

  /** Display name of the upstream, for errors raised around this client. */
  get upstreamName(): string {
    return this.options.upstream;
  }

  /**
   * Sends a request, retrying transient failures. Resolves with the final answer (2xx or a
   * non-retryable status); rejects with `UpstreamError` when the upstream stayed unusable.
   */
  async send(request: UpstreamRequest): Promise<UpstreamResponse> {
    const started = this.clock.now().getTime();
    let last: Extract<AttemptOutcome, { kind: 'retry' }> | undefined;
    for (let attempt = 1; attempt <= this.policy.maxAttempts; attempt++) {
      request.beforeAttempt?.(attempt);
      const outcome = await this.attempt(request, attempt);
      if (outcome.kind === 'response') return outcome.response;
      last = outcome;
      if (attempt === this.policy.maxAttempts) break;

      const wait = this.backoff(attempt, outcome.retryAfterMs);
      const elapsed = this.clock.now().getTime() - started;
      if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > this.policy.maxRetryAfterMs) {
        throw this.giveUp(outcome, attempt, new Date(this.clock.now().getTime() + outcome.retryAfterMs));
      }
      if (elapsed + wait > this.policy.maxTotalMs) break;
      this.options.logger.warn(
        { upstream: this.options.upstream, status: outcome.status, failure: outcome.failure, attempt, waitMs: Math.round(wait) },
        'upstream call failed; retrying',
      );
      await this.sleep(wait);
    }
    // `last` is always set here: the loop only exits early by returning or throwing.
    const final = last as Extract<AttemptOutcome, { kind: 'retry' }>;
    const retryAt =
      final.retryAfterMs !== undefined ? new Date(this.clock.now().getTime() + final.retryAfterMs) : undefined;
    throw this.giveUp(final, this.policy.maxAttempts, retryAt);
  }

  /** Sends a request and reads a JSON body; non-2xx answers become `UpstreamStatusError`. */
  async json(request: UpstreamRequest): Promise<unknown> {
    const response = await this.send(request);
    if (response.status < 200 || response.status > 299) {
      throw new UpstreamStatusError(this.options.upstream, response.status, errorCodeOf(response.text));
    }
    if (response.text.trim() === '') return undefined;
    try {
      return JSON.parse(response.text) as unknown;
    } catch (cause) {
      throw new UpstreamError(this.options.upstream, 'malformed', response.attempts, response.status, undefined, { cause });
    }
  }

  private giveUp(outcome: Extract<AttemptOutcome, { kind: 'retry' }>, attempts: number, retryAt?: Date): UpstreamError {
    this.options.logger.warn(
      { upstream: this.options.upstream, status: outcome.status, failure: outcome.failure, attempts },
      'upstream call gave up',
    );
    return new UpstreamError(this.options.upstream, outcome.failure, attempts, outcome.status, retryAt, {
      cause: outcome.cause,
    });
  }

  private async attempt(request: UpstreamRequest, attempt: number): Promise<AttemptOutcome> {
    const timeout = AbortSignal.timeout(this.policy.attemptTimeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    // Headers (not a plain object) so a caller's "Accept" replaces the default instead of doubling it.
    const headers = new Headers({ accept: 'application/json' });
    for (const [name, value] of Object.entries(request.headers ?? {})) headers.set(name, value);
    // The token is part of the attempt: a sign-in endpoint that never answers must not hang the call.
    if (request.bearerToken) headers.set('authorization', `Bearer ${await untilAborted(request.bearerToken(), signal, signInTimedOut)}`);
    if (request.body !== undefined) headers.set('content-type', 'application/json');
    try {
      const res = await fetch(request.url, {
        method: request.method ?? 'GET',
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal,
        redirect: 'error',
      });
      // The body is read under the same timeout: a server that stalls mid-body is a timeout too.
      const text = await res.text();
      if (isRetryableStatus(res.status)) {
        return {
          kind: 'retry',
          failure: res.status === 429 ? 'throttled' : 'unavailable',
          status: res.status,
          retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.clock.now()),
        };
      }
      return { kind: 'response', response: { status: res.status, headers: res.headers, text, attempts: attempt } };
    } catch (cause) {
      if (request.signal?.aborted) throw cause;
      const timedOut = timeout.aborted;
      return { kind: 'retry', failure: timedOut ? 'timeout' : 'unavailable', cause };
    }
  }

  /** The wait before the next attempt (the project's one backoff, `backoff.ts`). */
  private backoff(failedAttempt: number, retryAfterMs: number | undefined): number {
    return backoffDelay(failedAttempt, { baseMs: this.policy.baseDelayMs, maxMs: this.policy.maxDelayMs }, this.random, retryAfterMs);
  }
}

const SIGN_IN = 'Microsoft Entra sign-in';

/** The attempt's time ran out while the token was still being fetched (the request for it goes on). */
function signInTimedOut(): UpstreamError {
  return new UpstreamError(SIGN_IN, 'timeout', 1);
}
