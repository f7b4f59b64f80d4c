/**
 * The real `ProactiveSender`: sends and updates activities in stored conversations through
 * botbuilder's `CloudAdapter.continueConversationAsync`, and maps the connector's answers to
 * the outcomes the outbox worker acts on (retry later, unreachable, permanent).
 *
 * Retries belong to the outbox worker alone (rate limiter, backoff with jitter, Retry-After,
 * one recorded attempt per request): every send here is exactly one HTTP request. The
 * connector clients carry no retry policy of their own and a deadline per call
 * (`connector-client.ts`), and the edge's reply retry stays out of proactive turns
 * (`send-retry.ts`). A call that timed out is reported as ambiguous: it may have arrived.
 */
import {
  ActivityTypes,
  type Activity,
  type CloudAdapter,
  type ConversationReference,
  type TurnContext,
} from 'botbuilder';
import type { Logger } from 'pino';
import { errorCodeOf } from '../http/errors';
import { parseRetryAfter } from '../http/retry-after';
import { ConnectorTimeoutError } from './connector-client';
import type { ConversationRecord } from '../store/queues';
import { IDEMPOTENCY_CHANNEL_DATA_KEY, type DeliveryLookup, type ProactiveSender, type SendResult } from '../tracking/types';

/** Dependencies of the proactive sender. */
export interface BotProactiveSenderOptions {
  readonly adapter: CloudAdapter;
  /** The bot's Microsoft App ID (none, or '', when running without authentication, locally). */
  readonly botAppId?: string;
  readonly logger: Logger;
}

/** 403 codes after which Teams will not accept messages in the conversation until the bot is reinstalled. */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ConversationBlockedByUser', 'BotNotInConversationRoster']);
/** Statuses worth another attempt later (PRODUCT.md, Teams limits). */
const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 412, 502, 503, 504]);

/** Sends proactive messages with botbuilder. */
export class BotProactiveSender implements ProactiveSender {
  constructor(private readonly options: BotProactiveSenderOptions) {}

  /** Sends a new activity, carrying the idempotency key in channelData. */
  send(target: ConversationRecord, activity: Readonly<Record<string, unknown>>, idempotencyKey: string): Promise<SendResult> {
    const channelData = {
      ...(isRecord(activity.channelData) ? activity.channelData : {}),
      [IDEMPOTENCY_CHANNEL_DATA_KEY]: idempotencyKey,
    };
    const outgoing = { type: ActivityTypes.Message, ...activity, channelData } as Partial<Activity>;
    return this.run(target, async (context) => {
      const response = await context.sendActivity(outgoing);
      return response?.id;
    });
  }

  /** Replaces an earlier activity. */
  update(target: ConversationRecord, activityId: string, activity: Readonly<Record<string, unknown>>): Promise<SendResult> {
    const outgoing = { type: ActivityTypes.Message, ...activity, id: activityId } as Partial<Activity>;
    return this.run(target, async (context) => {
      await context.updateActivity(outgoing);
      return activityId;
    });
  }

  /** Teams offers no way to find an activity by a client key: the worker decides what to do. */
  lookup(): Promise<DeliveryLookup> {
    return Promise.resolve({ found: 'unknown' });
  }

  private async run(target: ConversationRecord, work: (context: TurnContext) => Promise<string | undefined>): Promise<SendResult> {
    const { adapter, botAppId } = this.options;
    let result: SendResult = { ok: false, kind: 'retry' };
    try {
      await adapter.continueConversationAsync(botAppId ?? '', referenceOf(target), async (context) => {
        // Caught here, inside the turn: a throw would reach the adapter's onTurnError, which
        // would try to apologise in the conversation that just refused a message.
        try {
          const id = await work(context);
          result = id ? { ok: true, activityId: id } : { ok: false, kind: 'permanent', code: 'NoActivityId' };
        } catch (error) {
          result = mapConnectorError(error);
        }
      });
    } catch (error) {
      // Failing before the send (credentials, connector creation): transient unless it says otherwise.
      result = mapConnectorError(error);
    }
    if (!result.ok) {
      const status = 'status' in result ? result.status : undefined;
      this.options.logger.debug({ conversation: target.key, outcome: result.kind, status, code: result.code }, 'proactive send failed');
    }
    return result;
  }
}

/** The conversation reference botbuilder continues: the serviceUrl the user's own traffic came with. */
export function referenceOf(target: ConversationRecord): Partial<ConversationReference> {
  return {
    channelId: 'msteams',
    serviceUrl: target.serviceUrl,
    conversation: {
      id: target.conversationId,
      tenantId: target.tenantId,
      conversationType: target.conversationType ?? 'personal',
      isGroup: target.conversationType !== undefined && target.conversationType !== 'personal',
      name: '',
    },
    bot: { id: target.botId, name: target.botName ?? '' },
    ...(target.userId ? { user: { id: target.userId, name: '', ...(target.aadObjectId ? { aadObjectId: target.aadObjectId } : {}) } } : {}),
  };
}

/** The pieces of a connector error we read; botbuilder surfaces @azure/core-rest-pipeline's RestError. */
interface ConnectorErrorShape {
  readonly statusCode?: unknown;
  readonly status?: unknown;
  readonly code?: unknown;
  readonly response?: {
    readonly status?: unknown;
    readonly bodyAsText?: unknown;
    readonly headers?: { get?: (name: string) => unknown } | Record<string, unknown>;
  };
}

/** The HTTP status of a connector failure, when it had one. */
export function connectorStatusOf(error: unknown): number | undefined {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ConnectorErrorShape;
  const statusRaw = e.statusCode ?? e.status ?? e.response?.status;
  return typeof statusRaw === 'number' ? statusRaw : undefined;
}

/** Maps a connector failure to what the outbox worker does with it. */
export function mapConnectorError(error: unknown): SendResult {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ConnectorErrorShape;
  if (error instanceof ConnectorTimeoutError) return { ok: false, kind: 'ambiguous', code: error.code };
  const status = connectorStatusOf(error);
  const code = errorCodeOf(e.response?.bodyAsText) ?? (typeof e.code === 'string' ? e.code : undefined);
  if (status === undefined) return { ok: false, kind: 'retry', ...(code ? { code } : {}) };
  if (RETRY_STATUSES.has(status)) {
    const retryAfterMs = retryAfterOf(e.response?.headers);
    return { ok: false, kind: 'retry', status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), ...(code ? { code } : {}) };
  }
  if (status === 403 && code !== undefined && UNREACHABLE_CODES.has(code)) return { ok: false, kind: 'unreachable', status, code };
  if (status >= 500) return { ok: false, kind: 'retry', status, ...(code ? { code } : {}) };
  return { ok: false, kind: 'permanent', status, ...(code ? { code } : {}) };
}

function retryAfterOf(headers: unknown): number | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const h = headers as { get?: (name: string) => unknown } & Record<string, unknown>;
  const raw = typeof h.get === 'function' ? h.get('retry-after') : h['retry-after'];
  return typeof raw === 'string' ? parseRetryAfter(raw, new Date()) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
