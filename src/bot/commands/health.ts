/**
 * `health <customer> [service]`: the service statuses and open issues of a customer tenant,
 * straight from the HealthProvider (Graph or the sandbox), as a card. A lookup slower than the
 * turn's budget is answered "still checking" at once and that message becomes the answer later.
 */
import { randomUUID } from 'node:crypto';
import { renderHealth, type AdaptiveCardJson, type CardRenderer } from '../../cards';
import { shownTime } from '../../cards/format';
import { inert } from '../../cards/inert';
import { byCompanyName, type Customer, type CustomerDirectory } from '../../directory';
import { resolveCustomer } from '../../directory/resolve';
import { BudgetExhaustedError, HealthAccessError, UpstreamError, type HealthOverview, type HealthProvider, type Snapshot } from '../../health';
import { healthFailureOf } from '../../health/failure';
import type { Translator } from '../../i18n';
import type { Logger } from '../../log';
import type { BackgroundWork } from '../../background-work';
import type { Clock } from '../../domain/clock';
import type { OutboxStore } from '../../store/queues';
import { cardActivity } from '../../cards/notification-cards';
import type { Handler, HandlerContext } from '../bot';
import { conversationKeyOf } from '../conversation-refs';
import { BudgetTimeoutError, within } from '../within';
import { accessCheckFrom, relationshipsOf, type GdapRead } from '../../access/readiness';
import type { AccessProvider } from '../../access/types';
import { readinessLine, renderAccess } from '../../cards/access-cards';
import { healthNeedsConsent, type HealthAccessFact } from '../../domain/access';
import type { AccessCheck } from '../../domain/access-check';
import { gdapWithin, startGdapRead } from '../readiness';

/** Dependencies of the health command. */
export interface HealthCommandOptions {
  readonly directory: CustomerDirectory;
  readonly health: HealthProvider;
  readonly cards: CardRenderer;
  /** Longest a lookup holds the turn before the command says it is still checking (default 4 s). */
  readonly turnBudgetMs?: number;
  /** Longest a late lookup may take before the message says Microsoft did not answer (default 30 s). */
  readonly lateMs?: number;
  /** The asking engineer's GDAP readiness on the card (and the full picture when health cannot be read); without it, none. */
  readonly readiness?: {
    readonly provider: AccessProvider;
    readonly clock: Clock;
    /** The health app's consent can be granted from the desk (the access card offers the button). */
    readonly canGrant: boolean;
  };
  /** Finishing a late lookup: without it, a slow lookup is answered as "did not answer in time". */
  readonly late?: {
    readonly background: BackgroundWork;
    readonly outbox: Pick<OutboxStore, 'enqueue'>;
    readonly clock: Clock;
  };
}


/** A few customer names for a hint, never the whole list. */
async function customerHint(directory: CustomerDirectory): Promise<string> {
  const all = [...(await directory.list())].sort(byCompanyName);
  const names = all.slice(0, 8).map((c) => c.companyName);
  return all.length > 8 ? `${names.join(', ')}, …` : names.join(', ');
}

/** Builds the card for a customer's overview, narrowed to services matching `serviceQuery`. */
export function healthCard(
  cards: CardRenderer,
  tr: Translator,
  customer: Customer,
  snapshot: Snapshot<HealthOverview>,
  serviceQuery: string,
  access?: AccessCheck,
): AdaptiveCardJson | { unknownService: string } {
  const q = serviceQuery.trim().toLowerCase();
  const services = snapshot.value.services.filter((s) => q === '' || s.service.toLowerCase().includes(q) || s.id.toLowerCase() === q);
  if (services.length === 0) return { unknownService: snapshot.value.services.map((s) => s.service).join(', ') };
  const issues = services.flatMap((s) => s.issues.filter((i) => !i.isResolved));
  return renderHealth(cards, tr, {
    tenantId: customer.tenantId,
    title:
      q === '' || services.length > 1
        ? tr.t('cards.health.title', { customer: inert(customer.companyName) })
        : tr.t('cards.health.titleService', { customer: inert(customer.companyName), service: inert(services[0]?.service ?? '') }),
    asOf: tr.t('cards.health.asOf', { time: shownTime(tr, snapshot.fetchedAt) }),
    stale: snapshot.stale,
    ...(access ? { readiness: readinessLine(tr, customer.companyName, access), readinessGood: access.outcome === 'checked' && access.ready } : {}),
    issuesHeading: tr.t('cards.health.issuesHeading', { count: issues.length }),
    services: services.map((s) => ({ name: inert(s.service), status: tr.t(`healthStatus.${s.status}`) })),
    issues: issues.map((i) => ({
      id: i.id,
      title: inert(i.title),
      kind: tr.t(`cards.health.kind.${i.classification}`),
      status: tr.t(`healthStatus.${i.status}`),
      service: inert(i.service),
      impact: inert(i.impactDescription),
      since: tr.t('cards.health.since', { time: shownTime(tr, i.startDateTime) }),
    })),
  });
}

/** What the command answers for a lookup: the health card, or a message saying what happened (and, for a customer whose health the app may not read, the access card with the consent button). */
type Answer = { readonly card: AdaptiveCardJson } | { readonly text: string; readonly then?: AdaptiveCardJson };

/** Whether the health app could read the tenant, as readiness weighs it. */
function healthFact(result: Settled): HealthAccessFact {
  return 'value' in result ? { state: 'readable' } : { state: 'failed', failure: healthFailureOf(result.error) };
}

/** Creates the `health` command handler. */
export function createHealthCommand(options: HealthCommandOptions): Handler {
  const turnBudgetMs = options.turnBudgetMs ?? 4000;
  const lateMs = options.lateMs ?? 30_000;

  /** The answer for a finished lookup; `code` is the turn's reference for the logs; `gdap`: the engineer's GDAP read, if it came in time. */
  const answerFor = (tr: Translator, customer: Customer, rest: string, result: Settled, code: string, logger: Logger, gdap?: GdapRead | 'late'): Answer => {
    const clock = options.readiness?.clock;
    const access: AccessCheck | undefined =
      gdap === undefined || !clock
        ? undefined
        : gdap === 'late'
          ? { outcome: 'not_checked', at: clock.now().toISOString(), failure: 'timeout' }
          : accessCheckFrom(gdap, healthFact(result), clock.now());
    const text = (key: string, vars: Record<string, string> = {}): Answer => ({
      // Names and echoed queries are shown as typed, never as markdown.
      text: tr.t(`messages.health.${key}`, Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, inert(v)]))),
    });
    if ('value' in result) {
      const card = healthCard(options.cards, tr, customer, result.value, rest, access);
      if ('unknownService' in card) return text('unknownService', { customer: customer.companyName, service: rest, services: String(card.unknownService) });
      return { card };
    }
    const error = result.error;
    if (error instanceof HealthAccessError) {
      const said = text('noAccess', { customer: customer.companyName, reason: `${tr.t(`flow.healthCheck.failures.${healthFailureOf(error)}`)}.` });
      if (!access || !options.readiness) return said;
      // What is missing, who can fix it, and the consent button for a partner admin.
      const then = renderAccess(options.cards, tr, {
        customer: { name: customer.companyName, tenantId: customer.tenantId },
        check: access,
        relationships: gdap && gdap !== 'late' ? relationshipsOf(gdap) : [],
        canGrant: options.readiness.canGrant && healthNeedsConsent(healthFact(result)),
      });
      return { ...said, then };
    }
    if (error instanceof BudgetExhaustedError) return text('budget', { customer: customer.companyName, time: shownTime(tr, error.retryAt.toISOString()) });
    logger.warn({ err: error }, 'service health unavailable');
    // Say what happened: throttled, slow, unreadable or down call for different patience.
    if (error instanceof UpstreamError) return text(`upstream.${error.failure}`, { customer: customer.companyName, code });
    return text('upstreamDown', { customer: customer.companyName, code });
  };

  return async (ctx: HandlerContext) => {
    const { tr, turn } = ctx;
    const say = async (key: string, vars: Record<string, string> = {}): Promise<undefined> => {
      // Names, echoed queries and the usage's own `<customer>` are shown as typed, never as markdown or tags.
      await turn.sendActivity(inert(tr.t(`messages.health.${key}`, vars)));
      return undefined;
    };
    await turn.sendActivity({ type: 'typing' });
    const code = ctx.info.correlationId.slice(0, 8);
    let resolution;
    try {
      if (ctx.args.trim() === '') return say('usage', { customers: await customerHint(options.directory) });
      resolution = await resolveCustomer(options.directory, ctx.args);
      if (resolution.kind === 'none') {
        return say('unknownCustomer', { query: resolution.query, customers: await customerHint(options.directory) });
      }
    } catch (error) {
      ctx.info.logger.warn({ err: error }, 'customer directory unavailable');
      return say('directoryDown', { code });
    }
    if (resolution.kind === 'ambiguous') {
      return say('ambiguousCustomer', { query: resolution.query, customers: resolution.candidates.map((c) => c.companyName).join(', ') });
    }
    const { customer, rest } = resolution;
    // The engineer's GDAP readiness is read beside the health lookup, within the same time budget.
    const gdap = options.readiness ? startGdapRead(options.readiness.provider, ctx, customer.tenantId, options.readiness.clock) : undefined;
    const gdapInTime = gdap ? gdapWithin(gdap, turnBudgetMs) : undefined;
    const lookup = options.health.getOverview(customer.tenantId);
    const inTime = await settle(within(lookup, turnBudgetMs));
    const late = 'error' in inTime && inTime.error instanceof BudgetTimeoutError;
    const target = conversationKeyOf(turn);
    if (!late || !options.late || !target) {
      const answer = answerFor(tr, customer, rest, late ? { error: new UpstreamError('Microsoft Graph', 'timeout', 1) } : inTime, code, ctx.info.logger, await gdapInTime);
      if ('card' in answer) return answer.card;
      await turn.sendActivity(answer.text);
      return answer.then;
    }
    // Teams gives a turn about 15 s: say it is still checking now, and put the answer in that
    // message when Microsoft answers (the lookup goes on in the health cache meanwhile).
    const { background, outbox, clock } = options.late;
    const pending = await turn.sendActivity(tr.t('messages.health.stillChecking', { customer: inert(customer.companyName) }));
    const pendingId = pending?.id;
    if (!pendingId) return undefined;
    const logger = ctx.info.logger;
    background.run('late health command', async () => {
      const answer = answerFor(tr, customer, rest, await settle(within(lookup, lateMs)), code, logger, gdap && (await gdapWithin(gdap, lateMs)));
      const activity = 'card' in answer ? cardActivity(answer.card) : { type: 'message', text: answer.text };
      await outbox.enqueue(
        [
          {
            id: randomUUID(),
            escalationId: `health:${customer.tenantId}`.slice(0, 64),
            kind: 'card_update',
            target,
            payload: { activity, updateActivityId: pendingId },
            dedupeKey: `health-command:${target}:${pendingId}`,
          },
        ],
        clock.now(),
      );
    });
    return undefined;
  };
}

/** A promise's outcome as a value. */
type Settled = { readonly value: Snapshot<HealthOverview> } | { readonly error: unknown };

async function settle(work: Promise<Snapshot<HealthOverview>>): Promise<Settled> {
  try {
    return { value: await work };
  } catch (error) {
    return { error };
  }
}
