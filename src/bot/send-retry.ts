/**
 * Retries a reply inside a turn when Teams answers 429 (with or without Retry-After), 412 or
 * 502/503/504 — botbuilder's connector retries 429 only with Retry-After and never 412
 * (PRODUCT.md). Bounded so the turn still answers within Teams' time limits; a reply batch of
 * several activities is not retried (the first could already be delivered). A reply the
 * connector took (2xx) with an answer that cannot be read counts as delivered.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Middleware, TurnContext } from 'botbuilder';
import { connectorStatusOf, mapConnectorError } from './proactive-sender';

/** Limits of the retry. */
export interface SendRetryOptions {
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Total time the retries of one reply may take. */
  readonly budgetMs?: number;
  readonly random?: () => number;
}

/** Creates the middleware that retries retryable reply failures. */
export function retryingSends(options: SendRetryOptions = {}): Middleware {
  const maxAttempts = options.maxAttempts ?? 3;
  const base = options.baseDelayMs ?? 250;
  const cap = options.maxDelayMs ?? 2000;
  const budget = options.budgetMs ?? 4000;
  const random = options.random ?? Math.random;
  return {
    async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
      context.onSendActivities(async (_ctx, activities, send) => {
        const deadline = Date.now() + budget;
        for (let attempt = 1; ; attempt += 1) {
          try {
            return await send();
          } catch (error) {
            // The connector took the reply (2xx) but its answer could not be read: the reply is
            // delivered, and sending it again would post it twice. Its id is unknown.
            const status = connectorStatusOf(error);
            if (status !== undefined && status >= 200 && status < 300) return activities.map(() => ({ id: '' }));
            const result = mapConnectorError(error);
            if (result.ok || result.kind !== 'retry' || attempt >= maxAttempts || activities.length !== 1) throw error;
            // Full jitter on an exponential step, or the server's own Retry-After.
            const wait = Math.min(cap, result.retryAfterMs ?? Math.round(base * 2 ** (attempt - 1) * (0.5 + random())));
            if (Date.now() + wait > deadline) throw error;
            await delay(wait);
          }
        }
      });
      await next();
    },
  };
}
