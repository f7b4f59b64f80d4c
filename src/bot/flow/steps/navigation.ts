/**
 * Finding one's way among escalations: resume the one in progress (cancelling it is steps/cancel.ts), the status of
 * one by id, the list of one's own, and the refresh every card asks for when it is shown (each
 * viewer sees the escalation where it stands now). They work from any state, typed or pressed.
 */
import { renderMatch } from '../../../cards/escalation-cards';
import { renderList } from '../../../cards/summary-cards';
import type { Escalation } from '../../../domain/escalation';
import { escalationIdFor } from '../../../domain/escalation-id';
import { IN_PROGRESS_STATES, OPEN_STATES } from '../../../domain/states';
import type { HandlerContext } from '../../bot';
import { escalationView } from '../card-views';
import type { ListScope } from '../../../cards/views';
import type { FlowKit, StepAnswer } from '../kit';
import { start } from './describe';
import { checkAgain } from './health-check';

/** Most escalations the list shows. */
const LISTED = 20;

/** The engineer's newest escalation still in progress. */
async function latestInProgress(kit: FlowKit, ctx: HandlerContext): Promise<Escalation | undefined> {
  const page = await kit.deps.store.list({ ownerId: ctx.info.userId ?? 'unknown', partnerTenantId: kit.tenant(ctx), states: IN_PROGRESS_STATES, limit: 1 });
  return page.items[0];
}

/** The escalation a card names, or (typed without one) the engineer's newest in progress; undefined after saying why there is none. */
async function namedOrLatest(kit: FlowKit, ctx: HandlerContext, noneKey: string): Promise<Escalation | undefined> {
  if (ctx.data.escalationId) return kit.load(ctx, ctx.data.escalationId);
  const e = await latestInProgress(kit, ctx);
  if (!e) await kit.say(ctx, noneKey);
  return e;
}

/** Back to the card of the escalation in progress (a health check lost to a restart runs again). */
export async function resume(kit: FlowKit, ctx: HandlerContext): StepAnswer {
  const e = await namedOrLatest(kit, ctx, 'flow.messages.noDraft');
  if (!e) return undefined;
  const view = escalationView(e);
  if (e.state === 'draft' && view.details.healthPending) return checkAgain(kit, ctx, e);
  if (ctx.data.action === 'differ' && e.state === 'known_issue') {
    return renderMatch(kit.deps.cards, ctx.tr, { ...view, offered: view.details.offered ?? [] });
  }
  return kit.card(ctx.tr, e);
}

/** `status <id>`: the summary and timeline of one escalation. */
export async function status(kit: FlowKit, ctx: HandlerContext): StepAnswer {
  const id = (typeof ctx.data.escalationId === 'string' ? ctx.data.escalationId : ctx.args).trim();
  if (!id) return kit.say(ctx, 'flow.messages.statusUsage', { example: 'ED-7K2M9Q4P' });
  const e = await kit.load(ctx, id.split(/\s+/)[0]);
  return e && kit.summary(ctx.tr, e);
}

/** What `list` takes as "closed ones too": `list all` (or the card's "Show closed ones too"). */
const ALL_WORDS = ['all', '전체', '모두'];

/**
 * `list`: open escalations, newest first; `list all` with the closed and cancelled ones. In a
 * personal chat the engineer's own; in a channel (or group chat) the ones started there, whoever
 * owns them, since that is what the people reading it share.
 */
export async function list(kit: FlowKit, ctx: HandlerContext): StepAnswer {
  const all = ALL_WORDS.includes(ctx.args.trim().toLowerCase()) || ctx.data.all === 'yes';
  const conversation = ctx.turn.activity.conversation;
  const type = conversation?.conversationType;
  const scope: ListScope = type === 'channel' ? 'channel' : type === 'groupChat' ? 'chat' : 'mine';
  const whose = scope === 'mine' || !conversation?.id ? { ownerId: ctx.info.userId ?? 'unknown' } : { conversationId: conversation.id };
  const page = await kit.deps.store.list({ ...whose, partnerTenantId: kit.tenant(ctx), ...(all ? {} : { states: OPEN_STATES }), limit: LISTED });
  return renderList(kit.deps.cards, ctx.tr, { items: page.items.map((e) => escalationView(e)), now: kit.deps.clock.now(), scope, all });
}

/**
 * A card shown again (Universal Actions' refresh): the escalation where it stands now, or, for a
 * describe card whose flow never became one (or is another tenant's), a fresh form. Says nothing
 * when there is nothing: a refresh is not something the engineer asked for.
 */
export async function refresh(kit: FlowKit, ctx: HandlerContext): StepAnswer {
  if (typeof ctx.data.escalationId === 'string' && ctx.data.escalationId) {
    const e = await kit.loadOwn(ctx, ctx.data.escalationId);
    if (e) return kit.card(ctx.tr, e);
  }
  if (typeof ctx.data.flowId === 'string' && ctx.data.flowId.length >= 8) {
    const e = await kit.loadOwn(ctx, escalationIdFor(ctx.data.flowId));
    return e ? kit.card(ctx.tr, e) : start(kit, ctx);
  }
  return undefined;
}
