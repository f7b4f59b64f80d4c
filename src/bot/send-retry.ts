/**
 * Retries a reply inside a turn when Teams answers 429 (with or without Retry-After), 412 or
 * 502/503/504. It is the only retry of an in-turn reply: the connector clients carry none of
 * their own (`connector-client.ts`). Bounded so the turn still answers within Teams' time
 * limits: a Retry-After beyond the budget is not waited out (and never shortened: sending
 * before it would only be refused again). A reply batch of several activities is not retried
 * (the first could already be delivered), nor is a reply whose call timed out (it may have
 * arrived). A reply the connector took (2xx) with an answer that cannot be read counts as
 * delivered.
 *
 * Proactive turns (`continueConversationAsync`) run the adapter's middleware too; their sends
 * are retried by the outbox worker, which records each attempt, so they pass through here
 * untouched.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ActivityEventNames, ActivityTypes, type Middleware, type TurnContext } from 'botbuilder';
import { backoffDelay } from '../http/backoff';
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

/** Whether a turn is a proactive one started by `continueConversationAsync`. */
export function isProactiveTurn(context: TurnContext): boolean {
  const a = context.activity;
  return a.type === String(ActivityTypes.Event) && a.name === String(ActivityEventNames.ContinueConversation);
}

/** Creates the middleware that retries retryable reply failures. */
export function retryingSends(options: SendRetryOptions = {}): Middleware {
  const maxAttempts = options.maxAttempts ?? 3;
  const steps = { baseMs: options.baseDelayMs ?? 250, maxMs: options.maxDelayMs ?? 2000 };
  const budget = options.budgetMs ?? 4000;
  const random = options.random ?? Math.random;
  return {
    async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
      if (isProactiveTurn(context)) {
        await next();
        return;
      }
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
            const wait = backoffDelay(attempt, steps, random, result.retryAfterMs);
            if (Date.now() + wait > deadline) throw error;
            await delay(wait);
          }
        }
      });
      await next();
    },
  };
}
