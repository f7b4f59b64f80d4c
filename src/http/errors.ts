/**
 * Errors of upstream HTTP calls (Microsoft Graph, Partner Center, Entra sign-in). Their
 * messages are safe to show a partner engineer: no tokens, no response bodies, no URLs.
 */

/** Why an upstream could not give a usable answer. */
export type UpstreamFailure = 'unavailable' | 'timeout' | 'throttled' | 'malformed';

/** An upstream that stayed down, slow, throttled, or answered garbage after the retries allowed. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';

  constructor(
    /** Display name of the upstream, e.g. "Microsoft Graph". */
    readonly upstream: string,
    readonly failure: UpstreamFailure,
    /** How many HTTP attempts were made. */
    readonly attempts: number,
    /** The last HTTP status seen, if any answer came back at all. */
    readonly lastStatus?: number,
    /** When the upstream said it would take requests again (429/503 Retry-After). */
    readonly retryAt?: Date,
    options?: { cause?: unknown },
  ) {
    super(upstreamMessage(upstream, failure, retryAt), options);
  }
}

function upstreamMessage(upstream: string, failure: UpstreamFailure, retryAt?: Date): string {
  switch (failure) {
    case 'throttled':
      return `${upstream} is asking us to slow down${retryAt ? ` until ${retryAt.toISOString()}` : ''}; try again in a few minutes.`;
    case 'timeout':
      return `${upstream} did not answer in time; try again in a few minutes.`;
    case 'malformed':
      return `${upstream} sent an answer we could not read; try again later.`;
    case 'unavailable':
      return `${upstream} is not available right now; try again in a few minutes.`;
  }
}

/** A definitive, non-retryable HTTP answer other than 2xx (e.g. 400, 401, 403, 404). */
export class UpstreamStatusError extends Error {
  override readonly name = 'UpstreamStatusError';

  constructor(
    readonly upstream: string,
    readonly status: number,
    /** The service's own error code, when the body carried one (Graph `error.code`). */
    readonly code?: string,
  ) {
    super(`${upstream} answered HTTP ${status}${code ? ` (${code})` : ''}.`);
  }
}

/** The `error.code` of a Graph-style error body (`{"error":{"code":…}}`, as Graph and the Bot Framework send), if the body is one. */
export function errorCodeOf(text: unknown): string | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown } } | null;
    const code = body?.error?.code;
    return typeof code === 'string' ? code.slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}
