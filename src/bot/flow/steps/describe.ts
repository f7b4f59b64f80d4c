/**
 * The describe step: the form (customer, service, what is wrong, since when, how many users,
 * where), then the escalation created with its health check's outcome in one transaction. The
 * escalation id derives from the card's flow id, so a card submitted twice creates one.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MAX_OFFERED_DESCRIPTION, type AdaptiveCardJson } from '../../../cards';
import { renderDescribe } from '../../../cards/escalation-cards';
import { cardActivity } from '../../../cards/notification-cards';
import { inert } from '../../../cards/inert';
import type { Customer } from '../../../directory';
import { resolveCustomer } from '../../../directory/resolve';
import type { FlowDetails } from '../../../domain/details';
import { createEscalation, type Escalation } from '../../../domain/escalation';
import { serviceNamedIn, titleFrom, withoutLeadingService } from '../../../domain/free-text';
import { escalationIdFor } from '../../../domain/escalation-id';
import { healthOutcome } from '../../../domain/health-outcome';
import { TimeZone, localToUtc } from '../../../domain/local-time';
import { DuplicateError } from '../../../store/types';
import type { HandlerContext } from '../../bot';
import { conversationKeyOf } from '../../conversation-refs';
import { staticCustomerChoices } from '../customer-choices';
import { echo, field, fieldNamesOf, invalidFields, text } from '../input';
import type { FlowKit, StepAnswer } from '../kit';
import { accessCheckFrom } from '../../../access/readiness';
import { gdapWithin, healthFactOf, startGdapRead } from '../../readiness';
import { finishLateHealthCheck, lookupHealth } from './health-check';

/** Services offered when the customer's own overview is not known yet. */
const USUAL_SERVICES = [
  'Exchange Online',
  'Microsoft Teams',
  'SharePoint Online',
  'OneDrive for Business',
  'Microsoft Entra',
  'Microsoft 365 apps',
  'Microsoft Intune',
  'Microsoft Defender XDR',
  'Power BI',
  'Dynamics 365 Apps',
];

/** A start more than this far in the future is a typo, not a problem to come. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

const DescribeInput = z.object({
  flowId: z.string().min(8).max(64),
  customerTenantId: text(64),
  service: text(100),
  title: text(200),
  description: text(4000),
  sinceDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  sinceTime: z.union([z.literal(''), z.string().regex(/^\d{2}:\d{2}(:\d{2})?$/)]).optional(),
  usersAffected: z.coerce.number().int().min(1).max(10_000_000),
  regions: z.string().trim().max(200).regex(/^[^<>]*$/).optional(),
});

/**
 * The describe card, for a new flow (or the same flow re-rendered): `escalate`, and the
 * `escalate` command. `escalate Contoso teams calls drop` fills in the customer, the service a
 * word names and the rest as the title; the offer made for a problem typed as free text fills
 * in its description.
 */
export async function start(kit: FlowKit, ctx: HandlerContext): StepAnswer {
  const named = await presetCustomer(kit, ctx);
  const { directoryError, ...choices } = await describeChoices(kit, ctx, named.first);
  const preset = named.preset?.tenantId ?? '';
  const looked = preset ? await lookupHealth(kit, ctx, kit.deps.health.getOverview(preset)) : undefined;
  const services = looked && looked !== 'late' && 'overview' in looked ? looked.overview.services.map((s) => s.service) : choices.services;
  const rest = named.rest ?? '';
  const description = field(ctx.data, 'description', MAX_OFFERED_DESCRIPTION);
  const service = rest || description ? serviceNamedIn(rest || description, services) : undefined;
  const typed = rest || description;
  const title = typed ? titleFrom(service ? withoutLeadingService(typed, service) : typed) : '';
  const card = renderDescribe(kit.deps.cards, ctx.tr, {
    ...choices,
    services,
    values: {
      ...(preset ? { customerTenantId: preset } : {}),
      ...(service ? { service } : {}),
      ...(title ? { title } : {}),
      ...(description ? { description } : {}),
    },
    error: directoryError ?? named.error,
  });
  // Pressed on a card worth keeping (the health card's "Report a problem for this customer"):
  // the form comes as a new message, and the card pressed stays as it was.
  if (ctx.data.asNew === 'yes' && ctx.turn.activity.type === 'invoke') {
    await ctx.turn.sendActivity(cardActivity(card));
    return undefined;
  }
  return card;
}

/** The submitted description: the escalation created with its health check's outcome, or the form back with what to correct. */
export async function describe(kit: FlowKit, ctx: HandlerContext): StepAnswer {
  const { tr } = ctx;
  const again = async (error: string): Promise<AdaptiveCardJson> => {
    const { directoryError, ...choices } = await describeChoices(kit, ctx, await submittedCustomer(kit, ctx));
    return renderDescribe(kit.deps.cards, tr, { ...choices, values: echo(ctx.data), error: directoryError ?? error });
  };
  const parsed = DescribeInput.safeParse(ctx.data);
  if (!parsed.success) return again(invalidFields(tr, fieldNamesOf(parsed.error)));
  const input = parsed.data;

  const id = escalationIdFor(input.flowId);
  const existing = await kit.loadOwn(ctx, id);
  if (existing) return kit.stale(ctx, existing);

  let customer: Customer | undefined;
  try {
    customer = await kit.deps.directory.get(input.customerTenantId);
  } catch (error) {
    ctx.info.logger.warn({ err: error }, 'customer directory unavailable');
    return again(directoryDown(ctx));
  }
  if (!customer) return again(tr.t('flow.errors.unknownCustomer'));
  // Input.Time sends HH:MM (some clients HH:MM:SS), on the engineer's own clock; stored as UTC.
  const zone = entryZone(ctx);
  const read = localToUtc(input.sinceDate, input.sinceTime || '00:00', zone.name);
  if (!read) return again(invalidFields(tr, ['sinceDate']));
  if (read.at.getTime() > kit.deps.clock.now().getTime() + FUTURE_TOLERANCE_MS) return again(tr.t('flow.errors.sinceFuture'));

  // A typed message waits for the reply; a card action's answer is the card itself, so no typing there.
  if (ctx.turn.activity.type === 'message') await ctx.turn.sendActivity({ type: 'typing' });
  const lookup = kit.deps.health.getOverview(customer.tenantId);
  // The engineer's GDAP readiness is read beside the health check, within the same time budget.
  const access = kit.deps.access;
  const gdap = access ? gdapWithin(startGdapRead(access.provider, ctx, customer.tenantId, kit.deps.clock), kit.turnBudgetMs) : undefined;
  const looked = await lookupHealth(kit, ctx, lookup, customer.companyName, kit.deps.background !== undefined);
  const late = looked === 'late';
  const gdapRead = gdap ? await gdap : undefined;
  const accessCheck = gdapRead && gdapRead !== 'late' ? accessCheckFrom(gdapRead, healthFactOf(looked), kit.deps.clock.now()) : undefined;
  // Slower than the turn: not recorded (a later write would race the engineer's next press); `access` shows it.
  const accessLate = gdapRead === 'late' ? tr.t('access.notChecked.timeout', { customer: inert(customer.companyName) }) : undefined;
  const known = looked !== 'late' && 'overview' in looked ? looked.overview : undefined;
  const service = known?.services.find((s) => s.service.toLowerCase() === input.service.toLowerCase())?.service ?? input.service;
  if (known && !known.services.some((s) => s.service === service)) {
    return again(tr.t('flow.errors.unknownService', { customer: customer.companyName, service: input.service }));
  }

  const actor = kit.actor(ctx);
  const now = kit.deps.clock.now();
  const details: FlowDetails = {
    flowId: input.flowId,
    step: 'health',
    ...(late ? { healthPending: true } : {}),
    conversationId: ctx.turn.activity.conversation?.id,
    // Where Microsoft's answers are announced (the thread or the chat the flow ran in), in whose language.
    notifyTargets: [conversationKeyOf(ctx.turn)].filter((k): k is string => k !== undefined),
    // The message holding the card that was clicked: the tracker updates it in place later.
    ...(ctx.turn.activity.replyToId ? { cardActivityId: ctx.turn.activity.replyToId } : {}),
    locale: tr.language,
    // The zone the engineer typed the start in: the request states it, and their notifications use it.
    timeZone: zone.name,
    // Whether the describing engineer can act for the customer: every card of the flow shows it.
    ...(accessCheck ? { accessCheck } : {}),
  };
  const created = createEscalation(
    {
      id,
      partnerTenantId: kit.tenant(ctx),
      ownerId: ctx.info.userId ?? 'unknown',
      ownerName: actor.name,
      customer: { tenantId: customer.tenantId, name: customer.companyName, domain: customer.domain },
      service,
      title: input.title,
      description: input.description,
      since: read.at.toISOString(),
      usersAffected: input.usersAffected,
      regions: input.regions ? input.regions.split(',').map((r) => r.trim()).filter(Boolean).slice(0, 20) : [],
      details: { ...details },
    },
    actor,
    now,
  );
  // A finished check is written with the escalation, in one transaction: the draft as it was
  // described and where the check took it (offered matches, or triage) with both audit events.
  const outcome = late ? { escalation: created.escalation, events: [] } : healthOutcome(created.escalation, looked, actor, now);
  let escalation: Escalation;
  try {
    escalation = await kit.deps.store.create(outcome.escalation, [created.event, ...outcome.events]);
  } catch (error) {
    if (!(error instanceof DuplicateError)) throw error;
    const winner = await kit.loadOwn(ctx, id);
    // Taken by another tenant's flow (a replayed flowId): answered like an unknown id, no card.
    return winner ? kit.stale(ctx, winner) : kit.notFound(ctx, id);
  }

  if (late && kit.deps.background) {
    // Acknowledge now; the check finishes in the background and the card follows (updated in place).
    kit.deps.background.run('late health check', () => finishLateHealthCheck(kit, escalation.id, lookup, tr, actor));
    const pending = tr.t('flow.messages.healthPending', { customer: inert(customer.companyName) });
    return kit.card(tr, escalation, { error: accessLate ? `${pending} ${accessLate}` : pending });
  }
  return kit.card(tr, escalation, { justChecked: true, ...(accessLate ? { error: accessLate } : {}) });
}

/**
 * The customer a describe card opens with: the one the card action names (`health` →
 * Escalate), or the one typed after `escalate`; an ambiguous name puts its candidates first.
 */
async function presetCustomer(kit: FlowKit, ctx: HandlerContext): Promise<{ preset?: Customer; first: readonly Customer[]; rest?: string; error?: string }> {
  const id = field(ctx.data, 'customerTenantId', 64);
  const typed = ctx.args.trim();
  try {
    if (id) {
      const customer = await kit.deps.directory.get(id);
      return customer ? { preset: customer, first: [customer] } : { first: [], error: ctx.tr.t('flow.errors.unknownCustomer') };
    }
    if (!typed) return { first: [] };
    const found = await resolveCustomer(kit.deps.directory, typed);
    if (found.kind === 'found') return { preset: found.customer, first: [found.customer], rest: found.rest };
    // The words after the customer (or, naming none, all of them) still say what is wrong.
    const after = typed.split(/\s+/).slice(found.kind === 'ambiguous' ? found.query.split(/\s+/).length : 0).join(' ');
    if (found.kind === 'ambiguous') return { first: found.candidates, rest: after, error: ctx.tr.t('flow.errors.severalCustomers', { query: inert(found.query) }) };
    return { first: [], rest: after, error: ctx.tr.t('flow.errors.noSuchCustomer', { query: inert(found.query) }) };
  } catch (error) {
    ctx.info.logger.warn({ err: error }, 'customer directory unavailable');
    return { first: [], error: directoryDown(ctx) };
  }
}

/** The submitted customer, to keep it among the choices of a card sent back for correction. */
async function submittedCustomer(kit: FlowKit, ctx: HandlerContext): Promise<readonly Customer[]> {
  const id = field(ctx.data, 'customerTenantId', 64);
  if (!id) return [];
  const customer = await kit.deps.directory.get(id).catch(() => undefined);
  return customer ? [customer] : [];
}

/**
 * The zone the describe card's date and time were typed in: the one the card named (what the
 * engineer was told), else the client's, else UTC.
 */
function entryZone(ctx: HandlerContext): TimeZone {
  // Each zone is prepared once (usually the one the client sends anyway), not built per turn.
  const named = ctx.data.timeZone;
  return (typeof named === 'string' ? ctx.tr.zone(named) : undefined) ?? ctx.tr.timeZone ?? TimeZone.utc;
}

/**
 * The describe card's choices: the first customers (with `first` at their head) for clients
 * without typeahead; without the customer list (directory down), none and the reason.
 */
async function describeChoices(kit: FlowKit, ctx: HandlerContext, first: readonly Customer[] = []) {
  const flowId = typeof ctx.data.flowId === 'string' && ctx.data.flowId.length >= 8 ? ctx.data.flowId.slice(0, 64) : randomUUID();
  let customers: ReadonlyArray<{ name: string; tenantId: string }> = [];
  let customersNote: string | undefined;
  let searchable = false;
  let directoryError: string | undefined;
  try {
    const choices = await staticCustomerChoices(kit.deps.directory, first);
    customers = choices.customers;
    if (choices.total > customers.length) {
      searchable = kit.deps.customerTypeahead !== false;
      customersNote = ctx.tr.t('cards.escalate-describe.customersPartial', { shown: ctx.tr.number(customers.length), total: ctx.tr.number(choices.total) });
    }
  } catch (error) {
    ctx.info.logger.warn({ err: error }, 'customer directory unavailable');
    directoryError = directoryDown(ctx);
  }
  return { flowId, customers, searchable, customersNote, services: USUAL_SERVICES, directoryError };
}

/** "The customer list is unavailable", with the turn's correlation code to quote. */
function directoryDown(ctx: HandlerContext): string {
  return ctx.tr.t('messages.health.directoryDown', { code: ctx.info.correlationId.slice(0, 8) });
}

/**
 * A describe card opened with `values` already in it (a resolved incident still broken: the new
 * escalation starts from the old one), the customer among the first choices and the service offered.
 */
export async function startFrom(kit: FlowKit, ctx: HandlerContext, values: Readonly<Record<string, string>>): StepAnswer {
  const id = values.customerTenantId;
  const customer = id ? await kit.deps.directory.get(id).catch(() => undefined) : undefined;
  const { directoryError, ...choices } = await describeChoices(kit, ctx, customer ? [customer] : []);
  const service = values.service;
  const services = !service || choices.services.includes(service) ? choices.services : [service, ...choices.services];
  return renderDescribe(kit.deps.cards, ctx.tr, { ...choices, searchable: false, services, values, error: directoryError });
}
