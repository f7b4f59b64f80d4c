/**
 * The escalation conversation as card actions: describe → health check → troubleshooting →
 * category and severity → decision → hand-off. Every step's state lives in the escalation
 * record (not in memory, not in the card), every action is checked against the step the
 * escalation is at, so a card pressed twice, by two people or after a restart does the
 * right thing once.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AdaptiveCardJson, CardRenderer } from '../../cards';
import {
  healthCheckLine,
  renderDescribe,
  renderEscalation,
  renderHandoff,
  renderList,
  renderMatch,
  renderNotWarranted,
  renderTriage,
  renderTroubleshoot,
  type OfferedMatch,
} from '../../cards/escalation-cards';
import type { Customer, CustomerDirectory } from '../../directory';
import { resolveCustomer } from '../../directory/resolve';
import type { Clock } from '../../domain/clock';
import { TimeZone, localToUtc } from '../../domain/local-time';
import {
  createEscalation,
  transition,
  type Actor,
  type AuditEvent,
  type Escalation,
  type EscalationState,
} from '../../domain/escalation';
import { IN_PROGRESS_STATES, flowOf, stepOf, type FlowDetails } from '../../domain/flow';
import { rankIssues } from '../../domain/matching';
import {
  buildServiceRequest,
  decide,
  isCategory,
  isServiceRequestNumber,
  isSeverity,
  partnerCenterRequestsLink,
  PARTNER_CENTER_PORTAL,
  troubleshootingChecks,
  type RequestLabels,
  type TroubleshootingRecord,
} from '../../domain/triage';
import type { HealthOverview, HealthProvider } from '../../health';
import { healthFailureOf } from '../../health/failure';
import { healthCheckOf, type HealthCheckFailure } from '../../domain/health-check';
import type { Translator } from '../../i18n';
import type { ConversationStore, OutboxStore } from '../../store/queues';
import { ConcurrencyError, DuplicateError, type EscalationStore } from '../../store/types';
import { UnknownServiceRequestError, type SupportProvider } from '../../support/types';
import { cardActivity, renderAttention, renderReminder, renderResolved } from '../../cards/notification-cards';
import { inert } from '../../cards/inert';
import type { Verb } from '../../cards/verbs';
import type { BackgroundWork } from '../../background-work';
import type { Handler, HandlerContext } from '../bot';
import { within } from '../within';
import { AnswerMicrosoftStep } from './answer-microsoft';
import { LOCAL_TENANT, conversationKeyOf } from '../conversation-refs';
import type { CommandName } from '../commands';
import { staticCustomerChoices } from './customer-choices';

/** Dependencies of the flow. */
export interface EscalationFlowOptions {
  readonly store: EscalationStore;
  readonly directory: CustomerDirectory;
  readonly health: HealthProvider;
  readonly cards: CardRenderer;
  readonly clock: Clock;
  /** Longest a health lookup may hold a turn before the flow goes on without it. */
  readonly healthTimeoutMs?: number;
  /** Partner Center's address for filing a request for a customer. */
  readonly partnerCenterPortal?: string;
  /** Microsoft's side of linked requests: notes go there. */
  readonly support: SupportProvider;
  readonly outbox: Pick<OutboxStore, 'enqueue' | 'listForEscalation'>;
  readonly conversations: Pick<ConversationStore, 'get'>;
  /** Asks the tracker to look at an escalation at once (after a note was added). */
  readonly pollNow?: (escalationId: string) => Promise<unknown>;
  /** How long "Remind me later" waits. */
  readonly snoozeMs: number;
  /** Finishes a health check that outlasted the turn; without it, the flow goes on without one. */
  readonly background?: BackgroundWork;
  /** Longest a late health check may take before the flow goes on without it (default 30 s). */
  readonly lateHealthMs?: number;
}

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

const MAX_OFFERED = 3;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A short, human-typable escalation id derived from the flow id, so a re-sent card cannot create a second one. */
export function escalationIdFor(flowId: string): string {
  const digest = createHash('sha256').update(flowId).digest();
  let id = '';
  for (let i = 0; i < 8; i += 1) id += CROCKFORD[(digest[i] ?? 0) % 32];
  return `ED-${id}`;
}

const text = (max: number) => z.string().trim().min(1).max(max);
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
// Free-text answers on the cards. Built once: zod compiles a schema on its first parse, and
// building one per turn cost more than the rest of the validation.
const NotSameReason = text(300);
const CustomerMessage = text(4000);
const NotifiedContact = text(200);
const StillBrokenReason = text(1000);

/** Field names of a failed validation, for the error banner. */
function fieldsOf(error: z.ZodError): string {
  return [...new Set(error.issues.map((i) => String(i.path[0] ?? 'input')))].join(', ');
}

/** Only string values of the submitted data, each cut to a sane length, to echo back into a card. */
function echo(data: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) if (typeof v === 'string' || typeof v === 'number') out[k] = String(v).slice(0, 4000);
  return out;
}

/** A health lookup's result within a turn: the overview, or why it could not be read. */
type HealthLookup = { readonly overview: HealthOverview } | { readonly failure: HealthCheckFailure };

/** The outcome of a guarded change: the saved escalation, or the card to answer instead. */
type Applied = { readonly saved: Escalation } | { readonly card: AdaptiveCardJson };

/** The escalation flow's handlers, by verb and by command. */
export class EscalationFlow {
  private readonly healthTimeoutMs: number;
  private readonly answering: AnswerMicrosoftStep;

  constructor(private readonly options: EscalationFlowOptions) {
    this.healthTimeoutMs = options.healthTimeoutMs ?? 4000;
    this.answering = new AnswerMicrosoftStep(
      {
        store: options.store,
        support: options.support,
        clock: options.clock,
        outbox: options.outbox,
        background: options.background,
        turnBudgetMs: this.healthTimeoutMs,
        longestSendMs: options.lateHealthMs ?? 30_000,
        pollNow: options.pollNow,
      },
      { load: (ctx, id) => this.load(ctx, id), cardFor: (tr, e, error) => this.cardFor(tr, e, error), actor: (ctx) => this.actor(ctx) },
    );
  }

  /** Verb handlers for the flow's cards. */
  verbs(): Partial<Record<Verb, Handler>> {
    return {
      escalate: (c) => this.start(c),
      describe: (c) => this.describe(c),
      knownConfirm: (c) => this.knownConfirm(c),
      knownDiffers: (c) => this.knownDiffers(c),
      troubleshoot: (c) => this.troubleshoot(c, false),
      troubleshootSkip: (c) => this.troubleshoot(c, true),
      triage: (c) => this.triage(c),
      handoffLink: (c) => this.handoffLink(c),
      close: (c) => this.close(c),
      retriage: (c) => this.retriage(c),
      cancel: (c) => this.cancel(c),
      refresh: (c) => this.refresh(c),
      resume: (c) => this.resume(c),
      status: (c) => this.status(c),
      list: (c) => this.list(c),
      customerNotified: (c) => this.customerNotified(c),
      stillBroken: (c) => this.stillBroken(c),
      remindLater: (c) => this.remindLater(c),
      answerMicrosoft: (c) => this.answering.handle(c),
      manualAttention: (c) => this.manualMove(c, 'attention_needed'),
      manualResolved: (c) => this.manualMove(c, 'resolved'),
    };
  }

  /** Command handlers (typed text). */
  commands(): Partial<Record<CommandName, Handler>> {
    return {
      escalate: (c) => this.start(c),
      resume: (c) => this.resume(c),
      status: (c) => this.status(c),
      list: (c) => this.list(c),
      cancel: (c) => this.cancel(c),
    };
  }

  private actor(ctx: HandlerContext): Actor {
    const from = ctx.turn.activity.from;
    return { kind: 'user', id: ctx.info.userId ?? 'unknown', name: typeof from?.name === 'string' ? from.name.slice(0, 200) : undefined };
  }

  private tenant(ctx: HandlerContext): string {
    return ctx.info.tenantId ?? LOCAL_TENANT;
  }

  private async say(ctx: HandlerContext, key: string, vars: Record<string, string> = {}): Promise<undefined> {
    // Ids, names and echoed text are shown as typed, never as markdown.
    const shown = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, inert(v)]));
    await ctx.turn.sendActivity(ctx.tr.t(key, shown));
    return undefined;
  }

  /**
   * The one place an escalation is read for a turn: it exists for the caller only if the
   * caller's tenant owns it. Another tenant's escalation is as absent as a missing one, so a
   * handler cannot forget the check and an id cannot be probed.
   */
  private async loadOwn(ctx: HandlerContext, id: unknown): Promise<Escalation | undefined> {
    const key = typeof id === 'string' ? id.trim().toUpperCase().slice(0, 32) : '';
    const e = key ? await this.options.store.get(key) : undefined;
    return e && e.partnerTenantId === this.tenant(ctx) ? e : undefined;
  }

  /** Loads an escalation the caller may work on, or says it cannot find it. */
  private async load(ctx: HandlerContext, id: unknown): Promise<Escalation | undefined> {
    const e = await this.loadOwn(ctx, id);
    if (!e) await this.notFound(ctx, id);
    return e;
  }

  /** The answer for an escalation that is missing or another tenant's: the same for both. */
  private notFound(ctx: HandlerContext, id: unknown): Promise<undefined> {
    const key = typeof id === 'string' ? id.trim().toUpperCase().slice(0, 32) : '';
    return this.say(ctx, 'flow.errors.notFound', { id: key || '?' });
  }

  /**
   * Applies a change if the escalation is still in one of `from` states; otherwise (pressed
   * twice, or someone else moved on) answers the current card with a note.
   */
  private async apply(
    ctx: HandlerContext,
    e: Escalation,
    from: readonly EscalationState[],
    change: (e: Escalation) => { escalation: Escalation; events: readonly AuditEvent[] },
  ): Promise<Applied> {
    if (!from.includes(e.state)) return { card: await this.cardFor(ctx.tr, e, ctx.tr.t('flow.errors.stale')) };
    const { escalation, events } = change(e);
    try {
      return { saved: await this.options.store.update(escalation, e.version, events) };
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      const fresh = (await this.options.store.get(e.id)) ?? e;
      return { card: await this.cardFor(ctx.tr, fresh, ctx.tr.t('flow.errors.stale')) };
    }
  }

  private move(ctx: HandlerContext, to: EscalationState, details: FlowDetails, reason?: string) {
    return (e: Escalation) => {
      const r = transition(e, to, { actor: this.actor(ctx), at: this.options.clock.now(), reason, details: { ...details } });
      return { escalation: r.escalation, events: [r.event] };
    };
  }

  private stay(details: FlowDetails) {
    return (e: Escalation) => ({
      escalation: { ...e, details: { ...e.details, ...details }, updatedAt: this.options.clock.now().toISOString() },
      events: [] as AuditEvent[],
    });
  }

  /** The card for wherever an escalation stands. */
  async cardFor(tr: Translator, e: Escalation, error?: string, justChecked = false): Promise<AdaptiveCardJson> {
    switch (stepOf(e)) {
      case 'health':
        if (flowOf(e).healthPending) {
          return this.summary(tr, e, error ?? tr.t('flow.messages.healthPending', { customer: inert(e.customer.name) }));
        }
        return renderMatch(this.options.cards, tr, e, (flowOf(e).offered ?? []) as readonly OfferedMatch[], error);
      case 'troubleshoot':
        return renderTroubleshoot(this.options.cards, tr, e, justChecked, error);
      case 'category':
        return renderTriage(this.options.cards, tr, e, error);
      case 'handoff':
        return renderHandoff(this.options.cards, tr, e, { deepLink: this.deepLink(e), recentRequests: await this.recentRequests(e), error });
      case 'decision':
        return renderNotWarranted(this.options.cards, tr, e);
      default:
        if (e.state === 'resolved') return renderResolved(this.options.cards, tr, e, error);
        if (e.state === 'attention_needed' && this.options.support.source !== 'manual') {
          return renderAttention(this.options.cards, tr, e, this.deepLink(e), error);
        }
        return this.summary(tr, e, error);
    }
  }

  /** The summary card, with what only this deployment knows: manual tracking, unreachable targets. */
  private async summary(tr: Translator, e: Escalation, error?: string): Promise<AdaptiveCardJson> {
    // Independent reads, asked at once: on PostgreSQL each is a round trip.
    const [audit, ...targets] = await Promise.all([
      this.options.store.audit(e.id),
      ...(flowOf(e).notifyTargets ?? []).map((key) => this.options.conversations.get(key)),
    ]);
    const blocked = targets.find((t) => t?.unreachable)?.unreachable?.reason;
    return renderEscalation(this.options.cards, tr, e, audit, error, {
      manual: this.options.support.source === 'manual',
      unreachable: blocked,
    });
  }

  /**
   * With Partner Center tracking, the customer's recent open requests, so the engineer can
   * pick the one just filed; bounded in time like every upstream call inside a turn.
   */
  private async recentRequests(e: Escalation): Promise<{ id: string; label: string }[]> {
    if (this.options.support.source !== 'partnercenter') return [];
    try {
      const requests = await within(this.options.support.listCustomerRequests(e.customer.tenantId), this.healthTimeoutMs);
      return [...requests]
        .filter((r) => r.status !== 'closed')
        .sort((a, b) => Date.parse(b.createdDate ?? '') - Date.parse(a.createdDate ?? ''))
        .slice(0, 10)
        .map((r) => ({ id: r.id, label: inert(`${r.id} · ${r.title}`.slice(0, 200)) }));
    } catch {
      // The number can still be typed; the list is a convenience.
      return [];
    }
  }

  private deepLink(e: Escalation): string {
    return partnerCenterRequestsLink(this.options.partnerCenterPortal ?? PARTNER_CENTER_PORTAL, e.customer.tenantId);
  }

  /** The describe card, for a new flow (or the same flow re-rendered). */
  private async start(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    const named = await this.presetCustomer(ctx);
    const { directoryError, ...choices } = await this.describeChoices(ctx, named.first);
    const preset = named.preset?.tenantId ?? '';
    const looked = preset ? await this.overview(ctx, this.options.health.getOverview(preset)) : undefined;
    const services = looked && looked !== 'late' && 'overview' in looked ? looked.overview.services.map((s) => s.service) : choices.services;
    return renderDescribe(this.options.cards, ctx.tr, {
      ...choices,
      services,
      values: preset ? { customerTenantId: preset } : {},
      error: directoryError ?? named.error,
    });
  }

  /**
   * The customer a describe card opens with: the one the card action names (`health` →
   * Escalate), or the one typed after `escalate`; an ambiguous name puts its candidates first.
   */
  private async presetCustomer(ctx: HandlerContext): Promise<{ preset?: Customer; first: readonly Customer[]; error?: string }> {
    const id = typeof ctx.data.customerTenantId === 'string' ? ctx.data.customerTenantId.trim().slice(0, 64) : '';
    const typed = ctx.args.trim();
    try {
      if (id) {
        const customer = await this.options.directory.get(id);
        return customer ? { preset: customer, first: [customer] } : { first: [], error: ctx.tr.t('flow.errors.unknownCustomer') };
      }
      if (!typed) return { first: [] };
      const found = await resolveCustomer(this.options.directory, typed);
      if (found.kind === 'found') return { preset: found.customer, first: [found.customer] };
      if (found.kind === 'ambiguous') return { first: found.candidates, error: ctx.tr.t('flow.errors.severalCustomers', { query: inert(found.query) }) };
      return { first: [], error: ctx.tr.t('flow.errors.noSuchCustomer', { query: inert(found.query) }) };
    } catch (error) {
      ctx.info.logger.warn({ err: error }, 'customer directory unavailable');
      return { first: [], error: this.directoryDown(ctx) };
    }
  }

  /** The submitted customer, to keep it among the choices of a card sent back for correction. */
  private async submittedCustomer(ctx: HandlerContext): Promise<readonly Customer[]> {
    const id = typeof ctx.data.customerTenantId === 'string' ? ctx.data.customerTenantId.trim().slice(0, 64) : '';
    if (!id) return [];
    const customer = await this.options.directory.get(id).catch(() => undefined);
    return customer ? [customer] : [];
  }

  /**
   * The zone the describe card's date and time were typed in: the one the card named (what the
   * engineer was told), else the client's, else UTC.
   */
  private entryZone(ctx: HandlerContext): TimeZone {
    return TimeZone.of(ctx.data.timeZone) ?? ctx.tr.timeZone ?? TimeZone.utc;
  }

  /**
   * A tenant's health overview within the turn's time budget, or why it could not be read. On
   * timeout: 'late' when the caller can finish it in the background; otherwise the failure
   * (and the engineer is told what is missing, in their language).
   */
  private async overview(
    ctx: HandlerContext,
    lookup: Promise<{ value: HealthOverview }>,
    customerName?: string,
    allowLate = false,
  ): Promise<HealthLookup | 'late'> {
    try {
      // The lookup keeps running in the health cache after a timeout; its result serves the next turn.
      return { overview: (await within(lookup, this.healthTimeoutMs)).value };
    } catch (error) {
      const failure = healthFailureOf(error);
      if (failure === 'timeout' && allowLate) return 'late';
      ctx.info.logger.warn({ err: error, failure }, 'health check unavailable during escalation');
      if (customerName) {
        await ctx.turn.sendActivity(
          ctx.tr.t('flow.messages.healthUnavailable', { customer: inert(customerName), reason: ctx.tr.t(`flow.healthCheck.failures.${failure}`) }),
        );
      }
      return { failure };
    }
  }

  private async describe(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    const { tr } = ctx;
    const again = async (error: string) => {
      const { directoryError, ...choices } = await this.describeChoices(ctx, await this.submittedCustomer(ctx));
      return renderDescribe(this.options.cards, tr, { ...choices, values: echo(ctx.data), error: directoryError ?? error });
    };
    const parsed = DescribeInput.safeParse(ctx.data);
    if (!parsed.success) return again(tr.t('flow.errors.invalid', { fields: fieldsOf(parsed.error) }));
    const input = parsed.data;

    const id = escalationIdFor(input.flowId);
    const existing = await this.loadOwn(ctx, id);
    if (existing) return this.cardFor(tr, existing, tr.t('flow.errors.stale'));

    let customer;
    try {
      customer = await this.options.directory.get(input.customerTenantId);
    } catch (error) {
      ctx.info.logger.warn({ err: error }, 'customer directory unavailable');
      return again(this.directoryDown(ctx));
    }
    if (!customer) return again(tr.t('flow.errors.unknownCustomer'));
    // Input.Time sends HH:MM (some clients HH:MM:SS), on the engineer's own clock; stored as UTC.
    const zone = this.entryZone(ctx);
    const read = localToUtc(input.sinceDate, input.sinceTime || '00:00', zone.name);
    if (!read) return again(tr.t('flow.errors.invalid', { fields: 'sinceDate' }));
    const since = read.at;
    if (since.getTime() > this.options.clock.now().getTime() + 5 * 60_000) return again(tr.t('flow.errors.sinceFuture'));

    // A typed message waits for the reply; a card action's answer is the card itself, so no typing there.
    if (ctx.turn.activity.type === 'message') await ctx.turn.sendActivity({ type: 'typing' });
    const lookup = this.options.health.getOverview(customer.tenantId);
    const looked = await this.overview(ctx, lookup, customer.companyName, this.options.background !== undefined);
    const late = looked === 'late';
    const known = looked !== 'late' && 'overview' in looked ? looked.overview : undefined;
    const service = known?.services.find((s) => s.service.toLowerCase() === input.service.toLowerCase())?.service ?? input.service;
    if (known && !known.services.some((s) => s.service === service)) {
      return again(tr.t('flow.errors.unknownService', { customer: customer.companyName, service: input.service }));
    }

    const created = createEscalation(
      {
        id,
        partnerTenantId: this.tenant(ctx),
        ownerId: ctx.info.userId ?? 'unknown',
        ownerName: this.actor(ctx).name,
        customer: { tenantId: customer.tenantId, name: customer.companyName, domain: customer.domain },
        service,
        title: input.title,
        description: input.description,
        since: since.toISOString(),
        usersAffected: input.usersAffected,
        regions: input.regions ? input.regions.split(',').map((r) => r.trim()).filter(Boolean).slice(0, 20) : [],
        details: {
          flowId: input.flowId,
          step: 'health',
          ...(late ? { healthPending: true } : {}),
          conversationId: ctx.turn.activity.conversation?.id,
          // Where Microsoft's answers are announced (the thread or the chat the flow ran in), in whose language.
          notifyTargets: [conversationKeyOf(ctx.turn)].filter((k): k is string => k !== undefined),
          // The message holding the card that was clicked: the tracker updates it in place later.
          ...(ctx.turn.activity.replyToId ? { cardActivityId: ctx.turn.activity.replyToId } : {}),
          locale: ctx.tr.language,
          // The zone the engineer typed the start in: the request states it, and their notifications use it.
          timeZone: zone.name,
        },
      },
      this.actor(ctx),
      this.options.clock.now(),
    );
    // A finished check is written with the escalation, in one transaction: the draft as it was
    // described and where the check took it (offered matches, or triage) with both audit events.
    const outcome = late ? { escalation: created.escalation, events: [] } : this.healthOutcome(created.escalation, looked, this.actor(ctx));
    let escalation: Escalation;
    try {
      escalation = await this.options.store.create(outcome.escalation, [created.event, ...outcome.events]);
    } catch (error) {
      if (!(error instanceof DuplicateError)) throw error;
      const winner = await this.loadOwn(ctx, id);
      // Taken by another tenant's flow (a replayed flowId): answered like an unknown id, no card.
      return winner ? this.cardFor(tr, winner, tr.t('flow.errors.stale')) : this.notFound(ctx, id);
    }

    if (late && this.options.background) {
      // Acknowledge now; the check finishes in the background and the card follows (updated in place).
      const background = this.options.background;
      const actor = this.actor(ctx);
      background.run('late health check', () => this.finishLateHealthCheck(escalation.id, lookup, tr, actor));
      return this.cardFor(tr, escalation, tr.t('flow.messages.healthPending', { customer: inert(customer.companyName) }));
    }
    return this.cardFor(tr, escalation, undefined, true);
  }

  /**
   * The health check's outcome: the matching known issues are offered (the escalation stays a
   * draft), or there is none and triage begins.
   */
  private healthOutcome(e: Escalation, looked: HealthLookup, actor: Actor): { escalation: Escalation; events: AuditEvent[] } {
    const overview = 'overview' in looked ? looked.overview : undefined;
    const matches = overview
      ? rankIssues(
          { customerTenantId: e.customer.tenantId, service: e.service, symptom: `${e.title} ${e.description}`, startedAt: e.since ?? e.createdAt },
          overview.services.flatMap((s) => s.issues),
          Object.fromEntries(overview.services.map((s) => [s.service, s.id])),
        ).slice(0, MAX_OFFERED)
      : [];
    const offered: OfferedMatch[] = matches.map((m) => ({
      id: m.issue.id,
      title: m.issue.title,
      classification: m.issue.classification,
      status: m.issue.status,
      impact: m.issue.impactDescription.slice(0, 500),
      startDateTime: m.issue.startDateTime,
      reasons: m.reasons,
    }));
    const now = this.options.clock.now();
    const healthCheck = healthCheckOf(now, 'failure' in looked ? { failure: looked.failure } : { matches: offered.length });
    if (offered.length > 0) {
      return { escalation: { ...e, details: { ...e.details, offered, healthCheck, healthPending: false }, updatedAt: now.toISOString() }, events: [] };
    }
    const r = transition(e, 'triage', { actor, at: now, details: { ...this.troubleshootingStart(e.service), healthCheck, healthPending: false } });
    return { escalation: r.escalation, events: [r.event] };
  }

  /** Saves the outcome of a check run after the describe turn (late, or again on resume); undefined when someone moved the escalation on meanwhile. */
  private async saveHealthOutcome(e: Escalation, looked: HealthLookup, actor: Actor): Promise<Escalation | undefined> {
    const change = this.healthOutcome(e, looked, actor);
    try {
      return await this.options.store.update(change.escalation, e.version, change.events);
    } catch (error) {
      if (error instanceof ConcurrencyError) return undefined;
      throw error;
    }
  }

  /** Completes a health check that outlasted its turn and posts the resulting card. */
  private async finishLateHealthCheck(id: string, lookup: Promise<{ value: HealthOverview }>, tr: Translator, actor: Actor): Promise<void> {
    const looked: HealthLookup = await within(lookup, this.options.lateHealthMs ?? 30_000).then(
      (snapshot) => ({ overview: snapshot.value }),
      (error: unknown) => ({ failure: healthFailureOf(error) }),
    );
    const current = await this.options.store.get(id);
    if (!current || current.state !== 'draft' || !flowOf(current).healthPending) return;
    const next = await this.saveHealthOutcome(current, looked, actor);
    if (!next) return;
    const f = flowOf(next);
    const target = f.notifyTargets?.[0];
    if (!target) return;
    const card = await this.cardFor(
      tr,
      next,
      'failure' in looked
        ? tr.t('flow.messages.healthUnavailable', { customer: inert(next.customer.name), reason: tr.t(`flow.healthCheck.failures.${looked.failure}`) })
        : undefined,
      true,
    );
    await this.options.outbox.enqueue(
      [
        {
          id: randomUUID(),
          escalationId: id,
          kind: 'card_update',
          target,
          payload: { activity: cardActivity(card), ...(f.cardActivityId ? { updateActivityId: f.cardActivityId } : {}) },
          dedupeKey: `health:${id}:v${next.version}:${target}`,
        },
      ],
      this.options.clock.now(),
    );
  }

  /**
   * The describe card's choices: the first customers (with `first` at their head) for clients
   * without typeahead; without the customer list (directory down), none and the reason.
   */
  private async describeChoices(ctx: HandlerContext, first: readonly Customer[] = []) {
    const flowId = typeof ctx.data.flowId === 'string' && ctx.data.flowId.length >= 8 ? ctx.data.flowId.slice(0, 64) : randomUUID();
    let customers: ReadonlyArray<{ name: string; tenantId: string }> = [];
    let customersNote: string | undefined;
    let searchable = false;
    let directoryError: string | undefined;
    try {
      const choices = await staticCustomerChoices(this.options.directory, first);
      customers = choices.customers;
      if (choices.total > customers.length) {
        searchable = true;
        const n = (v: number) => v.toLocaleString(ctx.tr.language);
        customersNote = ctx.tr.t('cards.escalate-describe.customersPartial', { shown: n(customers.length), total: n(choices.total) });
      }
    } catch (error) {
      ctx.info.logger.warn({ err: error }, 'customer directory unavailable');
      directoryError = this.directoryDown(ctx);
    }
    return { flowId, customers, searchable, customersNote, services: USUAL_SERVICES, directoryError };
  }

  private directoryDown(ctx: HandlerContext): string {
    return ctx.tr.t('messages.health.directoryDown', { code: ctx.info.correlationId.slice(0, 8) });
  }

  private troubleshootingStart(service: string): FlowDetails {
    const troubleshooting: TroubleshootingRecord = { checks: troubleshootingChecks(service), done: [], skipped: false };
    return { step: 'troubleshoot', troubleshooting };
  }

  private async knownConfirm(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    const e = await this.load(ctx, ctx.data.escalationId);
    if (!e) return undefined;
    const issue = (flowOf(e).offered ?? []).find((o) => o.id === ctx.data.issueId);
    if (!issue && e.state === 'draft') return this.cardFor(ctx.tr, e, ctx.tr.t('flow.errors.stale'));
    const saved = await this.apply(ctx, e, ['draft'], this.move(ctx, 'known_issue', { step: 'done', knownIssue: issue && { id: issue.id, title: issue.title } }));
    if ('card' in saved) return saved.card;
    await this.say(ctx, 'flow.messages.watching', { issue: issue?.id ?? '', customer: e.customer.name });
    return this.summary(ctx.tr, saved.saved);
  }

  private async knownDiffers(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    const e = await this.load(ctx, ctx.data.escalationId);
    if (!e) return undefined;
    const reason = NotSameReason.safeParse(ctx.data.notSameReason);
    if (!reason.success) return renderMatch(this.options.cards, ctx.tr, e, (flowOf(e).offered ?? []) as OfferedMatch[], ctx.tr.t('flow.errors.invalid', { fields: 'notSameReason' }));
    const saved = await this.apply(
      ctx,
      e,
      ['draft', 'known_issue'],
      this.move(ctx, 'triage', { ...this.troubleshootingStart(e.service), notSameReason: reason.data, knownIssue: undefined }, reason.data),
    );
    return 'card' in saved ? saved.card : renderTroubleshoot(this.options.cards, ctx.tr, saved.saved, false);
  }

  private async troubleshoot(ctx: HandlerContext, skip: boolean): Promise<AdaptiveCardJson | undefined> {
    const e = await this.load(ctx, ctx.data.escalationId);
    if (!e) return undefined;
    if (e.state !== 'triage' || stepOf(e) !== 'troubleshoot') return this.cardFor(ctx.tr, e, ctx.tr.t('flow.errors.stale'));
    const checks = flowOf(e).troubleshooting?.checks ?? troubleshootingChecks(e.service);
    const done = checks.filter((k) => ctx.data[`check_${k}`] === 'true' || ctx.data[`check_${k}`] === true);
    const notes = typeof ctx.data.notes === 'string' ? ctx.data.notes.trim().slice(0, 2000) : undefined;
    const record: TroubleshootingRecord = { checks, done, skipped: skip, ...(notes ? { notes } : {}) };
    const complete = skip || done.length === checks.length;
    const saved = await this.apply(ctx, e, ['triage'], this.stay({ troubleshooting: record, step: complete ? 'category' : 'troubleshoot' }));
    if ('card' in saved) return saved.card;
    const next = saved.saved;
    if (complete) return renderTriage(this.options.cards, ctx.tr, next);
    const open = checks.filter((k) => !done.includes(k)).map((k) => `${ctx.tr.t(`flow.checks.${k}`)}: ${ctx.tr.t(`flow.advice.${k}`)}`);
    await this.say(ctx, 'flow.messages.saved', { id: e.id });
    return renderTroubleshoot(this.options.cards, ctx.tr, next, false, open.join('\n'));
  }

  private async triage(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    const e = await this.load(ctx, ctx.data.escalationId);
    if (!e) return undefined;
    if (e.state !== 'triage' || stepOf(e) !== 'category') return this.cardFor(ctx.tr, e, ctx.tr.t('flow.errors.stale'));
    const { tr } = ctx;
    const category = ctx.data.category;
    const severity = ctx.data.severity;
    const impact = typeof ctx.data.businessImpact === 'string' ? ctx.data.businessImpact.trim() : '';
    const contact = typeof ctx.data.contact === 'string' ? ctx.data.contact.trim() : '';
    const bad: string[] = [];
    if (!isCategory(category)) bad.push('category');
    if (category !== 'none') {
      if (!isSeverity(severity)) bad.push('severity');
      if (impact.length < 1 || impact.length > 1000) bad.push('businessImpact');
      if (contact.length < 1 || contact.length > 200) bad.push('contact');
    }
    if (bad.length > 0 || !isCategory(category)) return renderTriage(this.options.cards, tr, e, tr.t('flow.errors.invalid', { fields: bad.join(', ') }), echo(ctx.data));

    const f = flowOf(e);
    const details: FlowDetails = {
      category,
      ...(isSeverity(severity) ? { severity } : {}),
      businessImpact: impact,
      contact,
    };
    const decision = decide({ knownIssueConfirmed: false, notSameReason: f.notSameReason, healthCheck: f.healthCheck?.outcome, troubleshooting: f.troubleshooting, category });
    if (category === 'none') {
      const saved = await this.apply(ctx, e, ['triage'], this.move(ctx, 'not_warranted', { ...details, step: 'decision' }));
      return 'card' in saved ? saved.card : renderNotWarranted(this.options.cards, tr, saved.saved);
    }
    if (!decision.escalate) {
      const why = decision.reasons.filter((r) => r === 'troubleshooting_missing').map((r) => tr.t(`flow.reasons.${r}`));
      const saved = await this.apply(ctx, e, ['triage'], this.stay({ ...details, step: 'troubleshoot' }));
      return 'card' in saved ? saved.card : renderTroubleshoot(this.options.cards, tr, saved.saved, false, why.join(' '));
    }
    const severityValue = isSeverity(severity) ? severity : 'moderate';
    const request = buildServiceRequest(
      {
        customerName: e.customer.name,
        customerTenantId: e.customer.tenantId,
        service: e.service,
        title: e.title,
        description: e.description,
        since: e.since,
        sinceZone: f.timeZone,
        usersAffected: e.usersAffected,
        regions: e.regions,
        category,
        severity: severityValue,
        businessImpact: impact,
        contact,
        troubleshooting: f.troubleshooting,
        notSameIssue: f.notSameReason ? { issueId: (f.offered ?? [])[0]?.id ?? '-', reason: f.notSameReason } : undefined,
        escalationId: e.id,
      },
      {
        category: tr.t(`flow.categories.${category}`),
        healthCheck: healthCheckLine(tr, f.healthCheck),
        checksDone: (f.troubleshooting?.done ?? []).map((k) => tr.t(`flow.checks.${k}`)),
        checksSkipped: tr.t('flow.request.skipped'),
        // The locale file has every heading (the locale test checks key parity with English).
        headings: tr.section('flow.request') as unknown as RequestLabels['headings'],
      },
    );
    const saved = await this.apply(ctx, e, ['triage'], this.move(ctx, 'awaiting_handoff', { ...details, severity: severityValue, request, step: 'handoff' }));
    return 'card' in saved ? saved.card : this.cardFor(tr, saved.saved);
  }

  private async handoffLink(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    const e = await this.load(ctx, ctx.data.escalationId);
    if (!e) return undefined;
    const picked = typeof ctx.data.pickedRequest === 'string' ? ctx.data.pickedRequest.trim() : '';
    const typed = typeof ctx.data.requestNumber === 'string' ? ctx.data.requestNumber.trim() : '';
    const number = typed || picked;
    if (e.state === 'awaiting_handoff' && !isServiceRequestNumber(number)) {
      return renderHandoff(this.options.cards, ctx.tr, e, { deepLink: this.deepLink(e), error: ctx.tr.t('flow.errors.requestNumber') });
    }
    if (e.state === 'awaiting_handoff') {
      try {
        // Links the request on Microsoft's side (the sandbox starts playing it) and catches typos.
        await this.options.support.getRequest(number);
      } catch (error) {
        if (error instanceof UnknownServiceRequestError) {
          return renderHandoff(this.options.cards, ctx.tr, e, { deepLink: this.deepLink(e), error: ctx.tr.t('flow.errors.unknownRequest', { id: number }) });
        }
        // Partner Center is down or slow: link anyway, the tracker reads it later.
        ctx.info.logger.warn({ err: error }, 'could not read the service request while linking it');
      }
    }
    const saved = await this.apply(ctx, e, ['awaiting_handoff'], this.move(ctx, 'escalated', { serviceRequestId: number, step: 'done' }));
    return 'card' in saved ? saved.card : this.summary(ctx.tr, saved.saved);
  }

  private async close(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    const e = await this.load(ctx, ctx.data.escalationId);
    if (!e) return undefined;
    const saved = await this.apply(ctx, e, ['not_warranted'], this.move(ctx, 'closed', { step: 'done' }));
    return 'card' in saved ? saved.card : this.summary(ctx.tr, saved.saved);
  }

  private async retriage(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    const e = await this.load(ctx, ctx.data.escalationId);
    if (!e) return undefined;
    const saved = await this.apply(ctx, e, ['not_warranted'], this.move(ctx, 'triage', { step: 'category' }));
    return 'card' in saved ? saved.card : renderTriage(this.options.cards, ctx.tr, saved.saved);
  }

  /** The engineer's newest escalation still in progress. */
  private async latestInProgress(ctx: HandlerContext): Promise<Escalation | undefined> {
    const page = await this.options.store.list({
      ownerId: ctx.info.userId ?? 'unknown',
      partnerTenantId: this.tenant(ctx),
      states: IN_PROGRESS_STATES,
      limit: 1,
    });
    return page.items[0];
  }

  private async cancel(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    const e = ctx.data.escalationId ? await this.load(ctx, ctx.data.escalationId) : await this.latestInProgress(ctx);
    if (!e) {
      if (!ctx.data.escalationId) await this.say(ctx, 'flow.messages.nothingToCancel');
      return undefined;
    }
    const cancellable: EscalationState[] = ['draft', 'known_issue', 'triage', 'awaiting_handoff'];
    if (!cancellable.includes(e.state)) {
      await this.say(ctx, 'flow.errors.cannotCancel', { id: e.id, state: ctx.tr.t(`flow.states.${e.state}`) });
      return this.cardFor(ctx.tr, e);
    }
    const saved = await this.apply(ctx, e, cancellable, this.move(ctx, 'cancelled', { step: 'done' }));
    if ('card' in saved) return saved.card;
    await this.say(ctx, 'flow.messages.cancelled', { id: e.id });
    return this.summary(ctx.tr, saved.saved);
  }

  private async refresh(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    if (typeof ctx.data.escalationId === 'string' && ctx.data.escalationId) {
      const e = await this.loadOwn(ctx, ctx.data.escalationId);
      if (e) return this.cardFor(ctx.tr, e);
    }
    if (typeof ctx.data.flowId === 'string' && ctx.data.flowId.length >= 8) {
      const e = await this.loadOwn(ctx, escalationIdFor(ctx.data.flowId));
      if (e) return this.cardFor(ctx.tr, e);
      return this.start(ctx);
    }
    return undefined;
  }

  private async resume(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    const e = ctx.data.escalationId ? await this.load(ctx, ctx.data.escalationId) : await this.latestInProgress(ctx);
    if (!e) {
      if (!ctx.data.escalationId) await this.say(ctx, 'flow.messages.noDraft');
      return undefined;
    }
    if (e.state === 'draft' && flowOf(e).healthPending) {
      // The check that outlasted its turn was lost (a restart): run it again now.
      const looked = await this.overview(ctx, this.options.health.getOverview(e.customer.tenantId), e.customer.name);
      const next = await this.saveHealthOutcome(e, looked === 'late' ? { failure: 'timeout' } : looked, this.actor(ctx));
      return this.cardFor(ctx.tr, next ?? (await this.options.store.get(e.id)) ?? e, undefined, true);
    }
    if (ctx.data.action === 'differ' && e.state === 'known_issue') {
      return renderMatch(this.options.cards, ctx.tr, e, (flowOf(e).offered ?? []) as OfferedMatch[]);
    }
    return this.cardFor(ctx.tr, e);
  }

  private async status(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    const id = (typeof ctx.data.escalationId === 'string' ? ctx.data.escalationId : ctx.args).trim();
    if (!id) return this.say(ctx, 'flow.messages.statusUsage', { example: 'ED-7K2M9Q4P' });
    const e = await this.load(ctx, id.split(/\s+/)[0]);
    if (!e) return undefined;
    return this.summary(ctx.tr, e);
  }

  private async list(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    const page = await this.options.store.list({
      ownerId: ctx.info.userId ?? 'unknown',
      partnerTenantId: this.tenant(ctx),
      states: ['draft', 'known_issue', 'triage', 'not_warranted', 'awaiting_handoff', 'escalated', 'attention_needed', 'resolved', 'customer_notified'],
      limit: 20,
    });
    return renderList(this.options.cards, ctx.tr, page.items, this.options.clock.now());
  }
  /** Closes the loop: who was told, when and what; then the escalation is closed. */
  private async customerNotified(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    const e = await this.load(ctx, ctx.data.escalationId);
    if (!e) return undefined;
    const message = CustomerMessage.safeParse(ctx.data.customerMessage);
    const contact = NotifiedContact.safeParse(ctx.data.notifiedContact);
    if (e.state === 'resolved' && (!message.success || !contact.success)) {
      const fields = [message.success ? '' : 'customerMessage', contact.success ? '' : 'notifiedContact'].filter(Boolean);
      return renderResolved(this.options.cards, ctx.tr, e, ctx.tr.t('flow.errors.invalid', { fields: fields.join(', ') }));
    }
    const actor = this.actor(ctx);
    const at = this.options.clock.now();
    const saved = await this.apply(ctx, e, ['resolved'], (current) => {
      const told = transition(current, 'customer_notified', {
        actor,
        at,
        details: {
          customerNotified: { by: actor.name ?? actor.id, at: at.toISOString(), contact: contact.data ?? '', message: message.data ?? '' },
        },
      });
      const closed = transition(told.escalation, 'closed', { actor, at, details: { step: 'done' } });
      return { escalation: closed.escalation, events: [told.event, closed.event] };
    });
    if ('card' in saved) return saved.card;
    await this.say(ctx, 'flow.messages.notified', { customer: e.customer.name, id: e.id });
    const card = await this.summary(ctx.tr, saved.saved);
    await this.retireResolvedCards(ctx, saved.saved, card);
    return card;
  }

  /** Reopens a resolved request that is still broken: a note to Microsoft, then back to escalated. */
  private async stillBroken(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    const e = await this.load(ctx, ctx.data.escalationId);
    if (!e) return undefined;
    if (e.state !== 'resolved') return this.cardFor(ctx.tr, e, ctx.tr.t('flow.errors.stale'));
    const reason = StillBrokenReason.safeParse(ctx.data.stillBrokenReason);
    if (!reason.success) return renderResolved(this.options.cards, ctx.tr, e, ctx.tr.t('flow.errors.invalid', { fields: 'stillBrokenReason' }));
    const requestId = flowOf(e).serviceRequestId;
    if (!requestId) return renderResolved(this.options.cards, ctx.tr, e, ctx.tr.t('flow.errors.reopenIncident'));
    try {
      await this.options.support.addNote(requestId, reason.data, this.actor(ctx).name);
    } catch (error) {
      ctx.info.logger.warn({ err: error }, 'could not add a note to the Microsoft request');
      return renderResolved(this.options.cards, ctx.tr, e, ctx.tr.t('flow.errors.microsoftUnavailable', { code: ctx.info.correlationId.slice(0, 8) }));
    }
    const saved = await this.apply(ctx, e, ['resolved'], this.move(ctx, 'escalated', { reopenedAt: this.options.clock.now().toISOString() }, reason.data));
    if ('card' in saved) return saved.card;
    await this.options.pollNow?.(e.id);
    await this.say(ctx, 'flow.messages.reopened', { id: e.id });
    const card = await this.summary(ctx.tr, saved.saved);
    await this.retireResolvedCards(ctx, saved.saved, card);
    return card;
  }

  /**
   * Once the escalation has left `resolved`, every other copy of its "Microsoft resolved it"
   * card (the notifications sent, the flow's card updated in place) becomes the same read-only
   * card, so no one presses a button that no longer applies. The card pressed is updated by
   * the invoke's own answer.
   */
  private async retireResolvedCards(ctx: HandlerContext, e: Escalation, card: AdaptiveCardJson): Promise<void> {
    const pressed = ctx.turn.activity.replyToId;
    const copies = new Map<string, string>();
    for (const n of await this.options.outbox.listForEscalation(e.id)) {
      if (n.kind === 'resolved' && n.sentActivityId) copies.set(n.sentActivityId, n.target);
    }
    const f = flowOf(e);
    const flowTarget = f.notifyTargets?.[0];
    if (f.cardActivityId && flowTarget) copies.set(f.cardActivityId, flowTarget);
    if (pressed) copies.delete(pressed);
    if (copies.size === 0) return;
    await this.options.outbox.enqueue(
      [...copies].map(([activityId, target]) => ({
        id: randomUUID(),
        escalationId: e.id,
        kind: 'card_update' as const,
        target,
        payload: { activity: cardActivity(card), updateActivityId: activityId },
        dedupeKey: `retire:${e.id}:v${e.version}:${activityId}`,
      })),
      this.options.clock.now(),
    );
  }

  /** "Remind me later": one reminder after the snooze period (a second press in the same hour adds none). */
  private async remindLater(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    const e = await this.load(ctx, ctx.data.escalationId);
    if (!e) return undefined;
    if (e.state !== 'resolved') return this.cardFor(ctx.tr, e, ctx.tr.t('flow.errors.stale'));
    const now = this.options.clock.now();
    const target = conversationKeyOf(ctx.turn);
    if (target) {
      const hour = Math.floor(now.getTime() / 3_600_000);
      const card = renderReminder(this.options.cards, ctx.tr, e, ctx.tr.t('flow.reminders.resolved', { id: e.id }));
      await this.options.outbox.enqueue(
        [
          {
            id: randomUUID(),
            escalationId: e.id,
            kind: 'reminder',
            target,
            payload: { activity: cardActivity(card) },
            dedupeKey: `reminder:${e.id}:snooze:${hour}:${target}`,
            notBefore: new Date(now.getTime() + this.options.snoozeMs).toISOString(),
          },
        ],
        now,
      );
    }
    await this.say(ctx, 'flow.reminders.snoozed', { id: e.id, hours: String(Math.round(this.options.snoozeMs / 3_600_000)) });
    return renderResolved(this.options.cards, ctx.tr, e);
  }

  /** SUPPORT_SOURCE=manual: the engineer reports what Microsoft did. */
  private async manualMove(ctx: HandlerContext, to: 'attention_needed' | 'resolved'): Promise<AdaptiveCardJson | undefined> {
    const e = await this.load(ctx, ctx.data.escalationId);
    if (!e) return undefined;
    if (this.options.support.source !== 'manual') return this.cardFor(ctx.tr, e, ctx.tr.t('flow.errors.stale'));
    const from: EscalationState[] = to === 'resolved' ? ['escalated', 'attention_needed'] : ['escalated'];
    const saved = await this.apply(ctx, e, from, this.move(ctx, to, {}));
    if ('card' in saved) return saved.card;
    await this.say(ctx, to === 'resolved' ? 'flow.messages.manualResolved' : 'flow.messages.manualAttention', { id: e.id });
    return this.cardFor(ctx.tr, saved.saved);
  }
}
