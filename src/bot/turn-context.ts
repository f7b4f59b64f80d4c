/**
 * What every handler needs to know about the turn, read once from the activity: who acts,
 * in which tenant and conversation, in which language, and a correlation id for the logs.
 */
import type { TurnContext } from 'botbuilder';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log';
import { tenantIdOf } from './channel-gate';

/** The turn as our handlers see it. */
export interface TurnInfo {
  readonly correlationId: string;
  readonly tenantId?: string;
  readonly conversationType: 'personal' | 'channel' | 'groupChat' | 'unknown';
  readonly userId?: string;
  readonly locale?: string;
  readonly logger: Logger;
}

const TURN_INFO = Symbol('escalation-desk.turn-info');

/**
 * The tenant of the activity, lower-cased: `conversation.tenantId`, never the unsigned
 * `channelData.tenant` (the edge refused activities where the two disagree; see channel-gate.ts).
 */
export function tenantOf(context: TurnContext): string | undefined {
  return tenantIdOf(context.activity);
}

function conversationTypeOf(context: TurnContext): TurnInfo['conversationType'] {
  const type = context.activity.conversation?.conversationType;
  return type === 'personal' || type === 'channel' || type === 'groupChat' ? type : 'unknown';
}

/** The turn's info, created on first use (with a fresh correlation id) and kept on the context. */
export function turnInfo(context: TurnContext, rootLogger: Logger): TurnInfo {
  const existing = context.turnState.get<TurnInfo | undefined>(TURN_INFO);
  if (existing) return existing;
  const correlationId = randomUUID();
  const conversationType = conversationTypeOf(context);
  // The child logger is made when the turn first logs: most turns never do, and a child with
  // redaction costs more than the rest of this record.
  let logger: Logger | undefined;
  const info: TurnInfo = {
    correlationId,
    tenantId: tenantOf(context),
    conversationType,
    userId: context.activity.from?.aadObjectId ?? context.activity.from?.id,
    locale: context.activity.locale,
    get logger(): Logger {
      logger ??= rootLogger.child({ correlationId, activityType: context.activity.type, channelId: context.activity.channelId, conversationType });
      return logger;
    },
  };
  context.turnState.set(TURN_INFO, info);
  return info;
}
