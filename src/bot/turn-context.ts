/**
 * What every handler needs to know about the turn, read once from the activity: who acts,
 * in which tenant and conversation, in which language, and a correlation id for the logs.
 */
import type { TurnContext } from 'botbuilder';
import { randomUUID } from 'node:crypto';
import { fixedOffsetName } from '../domain/local-time';
import type { Logger } from '../log';
import { tenantIdOf } from './channel-gate';

/** The turn as our handlers see it. */
export interface TurnInfo {
  readonly correlationId: string;
  readonly tenantId?: string;
  readonly conversationType: 'personal' | 'channel' | 'groupChat' | 'unknown';
  readonly userId?: string;
  readonly locale?: string;
  /**
   * The client's time zone as it sent it (an IANA id or "UTC±hh:mm"), undefined when it sent
   * none; `Localizer.forLocale` checks it against the runtime's zones.
   */
  readonly timeZone?: string;
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

/** `localTimestamp`'s offset ("2026-12-05T02:05:00.000+09:00"): the zone's offset at that moment, when no zone is named. */
const LOCAL_OFFSET = /T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?([+-])(\d{2}):?(\d{2})$/;

/** A zone name worth looking up: a short string of the characters zone names are made of. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/:]{0,63}$/;
const zoneName = (v: unknown): string | undefined => (typeof v === 'string' && ZONE_NAME.test(v) ? v : undefined);

/**
 * The client's time zone as Teams sends it: the `clientInfo` entity's `timezone`, else the
 * activity's `localTimezone` (both IANA ids), else the fixed offset of `localTimestamp`;
 * undefined when none is there.
 */
export function timeZoneOf(activity: TurnContext['activity']): string | undefined {
  const entities: unknown[] = Array.isArray(activity.entities) ? activity.entities : [];
  for (const entity of entities) {
    const e = entity as { type?: unknown; timezone?: unknown } | null;
    const zone = e?.type === 'clientInfo' ? zoneName(e.timezone) : undefined;
    if (zone) return zone;
  }
  const named = zoneName((activity as { localTimezone?: unknown }).localTimezone);
  if (named) return named;
  // botbuilder types it as a Date, but it arrives as the JSON string (a Date has lost the offset).
  const stamp: unknown = activity.localTimestamp;
  const offset = typeof stamp === 'string' ? LOCAL_OFFSET.exec(stamp) : null;
  if (!offset) return undefined;
  const minutes = Number(offset[2]) * 60 + Number(offset[3]);
  return minutes > 14 * 60 ? undefined : fixedOffsetName(offset[1] === '-' ? -minutes : minutes);
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
  let timeZone: { value?: string } | undefined;
  const info: TurnInfo = {
    correlationId,
    tenantId: tenantOf(context),
    conversationType,
    userId: context.activity.from?.aadObjectId ?? context.activity.from?.id,
    locale: context.activity.locale,
    // Read on first use: a turn that answers with text alone never needs it.
    get timeZone(): string | undefined {
      timeZone ??= { value: timeZoneOf(context.activity) };
      return timeZone.value;
    },
    get logger(): Logger {
      logger ??= rootLogger.child({ correlationId, activityType: context.activity.type, channelId: context.activity.channelId, conversationType });
      return logger;
    },
  };
  context.turnState.set(TURN_INFO, info);
  return info;
}
