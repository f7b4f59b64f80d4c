/** Builders of the activities Teams sends to a bot, for tests that post to /api/messages. */
import { randomUUID } from 'node:crypto';

export const PARTNER_TENANT = '72f988bf-0000-4000-8000-000000000001';
export const ENGINEER = { id: '29:engineer-1', aadObjectId: 'aaaaaaaa-0000-4000-8000-0000000000e1', name: 'Ada Engineer' };
export const BOT = { id: '28:escalation-desk', name: 'Escalation Desk' };

/** Options of a test activity. */
export interface ActivityOptions {
  readonly serviceUrl: string;
  readonly conversationId?: string;
  readonly conversationType?: 'personal' | 'channel' | 'groupChat';
  readonly tenantId?: string;
  readonly locale?: string;
  readonly from?: { id: string; aadObjectId?: string; name?: string };
  /** The message a card action was taken on (Teams sets it on invokes). */
  readonly replyToId?: string;
  /** The client's time zone, sent as Teams sends it: a clientInfo entity and localTimezone. */
  readonly timeZone?: string;
}

function base(type: string, o: ActivityOptions): Record<string, unknown> {
  const tenantId = o.tenantId ?? PARTNER_TENANT;
  return {
    type,
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: o.serviceUrl,
    from: o.from ?? ENGINEER,
    recipient: BOT,
    conversation: { id: o.conversationId ?? 'a:personal-1', conversationType: o.conversationType ?? 'personal', tenantId },
    channelData: { tenant: { id: tenantId } },
    locale: o.locale ?? 'en-US',
    ...(o.replyToId ? { replyToId: o.replyToId } : {}),
    ...(o.timeZone
      ? { entities: [{ type: 'clientInfo', locale: o.locale ?? 'en-US', country: 'US', platform: 'Web', timezone: o.timeZone }], localTimezone: o.timeZone }
      : {}),
  };
}

/** A message as typed by the engineer. */
export function message(text: string, o: ActivityOptions): Record<string, unknown> {
  return { ...base('message', o), text };
}

/** A channel message that @mentions the bot, as Teams sends it. */
export function mentionMessage(text: string, o: ActivityOptions): Record<string, unknown> {
  const at = `<at>${BOT.name}</at>`;
  const activity = base('message', { conversationType: 'channel', conversationId: '19:team-channel@thread.tacv2;messageid=1', ...o });
  const entities = Array.isArray(activity.entities) ? (activity.entities as unknown[]) : [];
  return { ...activity, text: `${at} ${text}`, entities: [{ type: 'mention', text: at, mentioned: BOT }, ...entities] };
}

/** An Action.Submit fallback: a message carrying the card's data. */
export function submit(value: Record<string, unknown>, o: ActivityOptions): Record<string, unknown> {
  return { ...base('message', o), value };
}

/** A Universal Action (`Action.Execute`) invoke. */
export function execute(verb: string, data: Record<string, unknown>, o: ActivityOptions): Record<string, unknown> {
  return {
    ...base('invoke', o),
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb, data: { verb, ...data } }, trigger: 'manual' },
  };
}

/** The bot installed in personal scope. */
export function installed(o: ActivityOptions): Record<string, unknown> {
  return { ...base('installationUpdate', o), action: 'add' };
}

/** A typeahead (`Input.ChoiceSet` with `choices.data`) asking the bot for a page of a dataset's choices, as Teams sends it. */
export function search(
  dataset: string,
  queryText: string,
  o: ActivityOptions,
  queryOptions: { skip: number; top: number } = { skip: 0, top: 15 },
): Record<string, unknown> {
  return { ...base('invoke', o), name: 'application/search', value: { queryText, dataset, queryOptions } };
}
