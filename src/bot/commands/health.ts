/**
 * `health <customer> [service]`: the service statuses and open issues of a customer tenant,
 * straight from the HealthProvider (Graph or the sandbox), as a card.
 */
import { renderHealth, type AdaptiveCardJson, type CardRenderer } from '../../cards';
import { shownTime } from '../../cards/format';
import { inert } from '../../cards/inert';
import { byCompanyName, type Customer, type CustomerDirectory } from '../../directory';
import { resolveCustomer } from '../../directory/resolve';
import { BudgetExhaustedError, HealthAccessError, UpstreamError, type HealthOverview, type HealthProvider, type Snapshot } from '../../health';
import type { Translator } from '../../i18n';
import type { Handler, HandlerContext } from '../bot';

/** Dependencies of the health command. */
export interface HealthCommandOptions {
  readonly directory: CustomerDirectory;
  readonly health: HealthProvider;
  readonly cards: CardRenderer;
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
    issuesHeading: tr.t('cards.health.issuesHeading', { count: issues.length }),
    services: services.map((s) => ({ name: inert(s.service), status: tr.t(`healthStatus.${s.status}`) })),
    issues: issues.map((i) => ({
      id: i.id,
      title: inert(i.title),
      kind: tr.t(`cards.health.kind.${i.classification}`),
      status: tr.t(`healthStatus.${i.status}`),
      service: i.service,
      impact: inert(i.impactDescription),
      since: tr.t('cards.health.since', { time: shownTime(tr, i.startDateTime) }),
    })),
  });
}

/** Creates the `health` command handler. */
export function createHealthCommand(options: HealthCommandOptions): Handler {
  return async (ctx: HandlerContext) => {
    const { tr, turn } = ctx;
    const say = async (key: string, vars: Record<string, string> = {}): Promise<undefined> => {
      // Names and echoed queries are shown as typed, never as markdown.
      const shown = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, inert(v)]));
      await turn.sendActivity(tr.t(`messages.health.${key}`, shown));
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
    try {
      const snapshot = await options.health.getOverview(customer.tenantId);
      const card = healthCard(options.cards, tr, customer, snapshot, rest);
      if ('unknownService' in card) {
        return say('unknownService', { customer: customer.companyName, service: rest, services: String(card.unknownService) });
      }
      return card;
    } catch (error) {
      if (error instanceof HealthAccessError) return say('noAccess', { customer: customer.companyName, reason: error.message });
      if (error instanceof BudgetExhaustedError) {
        return say('budget', { customer: customer.companyName, time: shownTime(tr, error.retryAt.toISOString()) });
      }
      ctx.info.logger.warn({ err: error }, 'service health unavailable');
      // Say what happened: throttled, slow, unreadable or down call for different patience.
      if (error instanceof UpstreamError) return say(`upstream.${error.failure}`, { customer: customer.companyName, code });
      return say('upstreamDown', { customer: customer.companyName, code });
    }
  };
}
