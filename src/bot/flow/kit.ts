/**
 * What every step of the flow shares: the one tenant-checked load, a change saved against the
 * version that was loaded (optimistic concurrency), who acts and what is said, the card for
 * wherever an escalation stands, and the outbox rows the flow writes. A step is a function of
 * (kit, turn, escalation); the verb table says which states it may start from.
 */
import type { AdaptiveCardJson, CardRenderer } from '../../cards';
import { renderCard } from '../../cards/card-view';
import { inert } from '../../cards/inert';
import { renderEscalation } from '../../cards/summary-cards';
import type { AccessDesk } from '../../access/desk';
import type { BackgroundWork } from '../../background-work';
import type { EscalationView } from '../../cards/views';
import type { CustomerDirectory } from '../../directory';
import type { Clock } from '../../domain/clock';
import { withDetails, type FlowDetails } from '../../domain/details';
import type { ClockSettings } from '../../domain/escalation-clocks';
import { planNotifications, type NotificationOccasion } from '../../domain/notifications';
import { transition, type Actor, type AuditEvent, type Escalation, type EscalationState } from '../../domain/escalation';
import { PARTNER_CENTER_PORTAL, partnerCenterRequestsLink } from '../../domain/triage';
import type { HealthProvider } from '../../health';
import type { IncidentDesk } from '../../incidents/desk';
import type { Translator } from '../../i18n';
import type { ConversationStore, OutboxStore } from '../../store/queues';
import { ConcurrencyError, type EscalationStore } from '../../store/types';
import type { SupportProvider } from '../../support/types';
import type { HandlerContext } from '../bot';
import { LOCAL_TENANT } from '../conversation-refs';
import { currentCardView, escalationView, recentRequests, summaryView, type CardNote } from './card-views';

/** Dependencies of the flow. */
export interface EscalationFlowOptions {
  readonly store: EscalationStore;
  readonly directory: CustomerDirectory;
  readonly health: HealthProvider;
  readonly cards: CardRenderer;
  readonly clock: Clock;
  /** Longest an upstream call (health, Partner Center) may hold a turn before the flow goes on without it (default 4 s). */
  readonly turnBudgetMs?: number;
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
  /** Finishes work that outlasted the turn (a health check, a note to Microsoft); without it, the flow goes on without. */
  readonly background?: BackgroundWork;
  /** Longest work finishing after its turn may take (a late health check, a note to Microsoft; default 30 s). */
  readonly lateWorkMs?: number;
  /** GDAP readiness and the health-consent grant; without it, no readiness is shown and `access` is unavailable. */
  readonly access?: AccessDesk;
  /** What the response clocks measure against (the support plan, the partner's targets); without it, no clocks and the plan's defaults. */
  readonly clocks?: ClockSettings;
  /** Microsoft incidents across customers (the incident card's verbs); without it they say incidents are not followed. */
  readonly incidents?: IncidentDesk;
  /**
   * The client searches a card's choices as one types (Teams): a describe card whose customer list
   * is a first page searches the rest. False for clients that cannot (the Agents Playground shows a
   * customer chosen in such a field as its tenant id): they get the first page and the note. Default true.
   */
  readonly customerTypeahead?: boolean;
}

/** A change of an escalation: the record to save and its audit events. */
export type Change = (e: Escalation) => { escalation: Escalation; events: readonly AuditEvent[] };

/**
 * Someone saved another change of the escalation since it was loaded (a second press, a
 * colleague, the tracker): the change is not saved, and the flow answers the current card.
 */
export class MovedOn extends Error {
  override readonly name = 'MovedOn';
  constructor(readonly current: Escalation) {
    super(`Escalation ${current.id} moved on before the change was saved.`);
  }
}

/** What a step answers: a card, or nothing when it already said what there was to say. */
export type StepAnswer = Promise<AdaptiveCardJson | undefined>;

/** An escalation id as typed or carried by a card: trimmed, upper case, bounded. */
function idOf(id: unknown): string {
  return typeof id === 'string' ? id.trim().toUpperCase().slice(0, 32) : '';
}

/** The flow's shared means, built once with its dependencies. */
export class FlowKit {
  /** Longest an upstream lookup may hold a turn. */
  readonly turnBudgetMs: number;
  /** Longest work finishing after its turn may take. */
  readonly lateWorkMs: number;

  constructor(readonly deps: EscalationFlowOptions) {
    this.turnBudgetMs = deps.turnBudgetMs ?? 4000;
    this.lateWorkMs = deps.lateWorkMs ?? 30_000;
  }

  /** Who acts in this turn. */
  actor(ctx: HandlerContext): Actor {
    const from = ctx.turn.activity.from;
    return { kind: 'user', id: ctx.info.userId ?? 'unknown', name: typeof from?.name === 'string' ? from.name.slice(0, 200) : undefined };
  }

  /** The caller's partner tenant (the local one when a local client sent none). */
  tenant(ctx: HandlerContext): string {
    return ctx.info.tenantId ?? LOCAL_TENANT;
  }

  /**
   * Says a localized message; ids, names and echoed text in it are shown as typed, never as
   * markdown, and so are the message's own arguments (`status <id>`: Teams would drop `<id>` as a tag).
   */
  async say(ctx: HandlerContext, key: string, vars: Record<string, string> = {}): Promise<undefined> {
    await ctx.turn.sendActivity(inert(ctx.tr.t(key, vars)));
    return undefined;
  }

  /**
   * The one place an escalation is read for a turn: it exists for the caller only if the
   * caller's tenant owns it. Another tenant's escalation is as absent as a missing one, so a
   * step cannot forget the check and an id cannot be probed.
   */
  async loadOwn(ctx: HandlerContext, id: unknown): Promise<Escalation | undefined> {
    const key = idOf(id);
    const e = key ? await this.deps.store.get(key) : undefined;
    return e && e.partnerTenantId === this.tenant(ctx) ? e : undefined;
  }

  /** Loads an escalation the caller may work on, or says it cannot find it. */
  async load(ctx: HandlerContext, id: unknown): Promise<Escalation | undefined> {
    const e = await this.loadOwn(ctx, id);
    if (!e) await this.notFound(ctx, id);
    return e;
  }

  /** The answer for an escalation that is missing or another tenant's: the same for both. */
  notFound(ctx: HandlerContext, id: unknown): Promise<undefined> {
    return this.say(ctx, 'flow.errors.notFound', { id: idOf(id) || '?' });
  }

  /**
   * Saves a change of the escalation as it was loaded (the verb table checked its state), against
   * that version; throws MovedOn when someone saved another change meanwhile, and the flow then
   * answers the current card with a note (nothing after the save runs).
   */
  async apply(e: Escalation, change: Change): Promise<Escalation> {
    const { escalation, events } = change(e);
    try {
      return await this.deps.store.update(escalation, e.version, events);
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      throw new MovedOn((await this.deps.store.get(e.id)) ?? e);
    }
  }

  /** Runs a step; a change it could not save because the escalation moved on is answered with the current card. */
  async settle(ctx: HandlerContext, step: () => StepAnswer): StepAnswer {
    try {
      return await step();
    } catch (error) {
      if (error instanceof MovedOn) return this.stale(ctx, error.current);
      throw error;
    }
  }

  /** A move to another state, recording `details` with it (and why, where the table wants a reason). */
  move(ctx: HandlerContext, to: EscalationState, details: FlowDetails, reason?: string): Change {
    return (e) => {
      const r = transition(e, to, { actor: this.actor(ctx), at: this.deps.clock.now(), reason, details: { ...details } });
      return { escalation: r.escalation, events: [r.event] };
    };
  }

  /** A change within the same state: `details` recorded, no audit event. */
  stay(details: FlowDetails): Change {
    return (e) => ({ escalation: withDetails(e, details, this.deps.clock.now()), events: [] });
  }

  /** The card for wherever an escalation stands, with what it needs gathered first. */
  async card(tr: Translator, e: Escalation, note: CardNote = {}): Promise<AdaptiveCardJson> {
    return renderCard(this.deps.cards, tr, await currentCardView(this, tr, e, note));
  }

  /** The summary card: facts, timeline and the actions its state allows. */
  async summary(tr: Translator, e: Escalation, error?: string): Promise<AdaptiveCardJson> {
    return renderEscalation(this.deps.cards, tr, await summaryView(this, this.view(e, error)));
  }

  /** The escalation with its details read, for any of its cards, with the configured support plan. */
  view(e: Escalation, error?: string): EscalationView {
    return { ...escalationView(e, error), plan: this.deps.clocks?.plan };
  }

  /** The current card with who already moved it on: "you", a colleague by name, Microsoft, or "someone". */
  async stale(ctx: HandlerContext, e: Escalation): Promise<AdaptiveCardJson> {
    return this.card(ctx.tr, e, { error: await this.movedOnBy(ctx, e) });
  }

  /** "… already moved this escalation on", saying by whom as the audit trail's last event records it. */
  private async movedOnBy(ctx: HandlerContext, e: Escalation): Promise<string> {
    const { tr } = ctx;
    const last = (await this.deps.store.audit(e.id)).at(-1)?.actor;
    if (last?.kind === 'user' && last.id === (ctx.info.userId ?? 'unknown')) return tr.t('flow.errors.staleYou');
    if (last?.kind === 'user' && last.name) return tr.t('flow.errors.staleBy', { name: inert(last.name) });
    if (last?.kind === 'microsoft') return tr.t('flow.errors.staleMicrosoft');
    return tr.t('flow.errors.stale');
  }

  /** With Partner Center tracking, the customer's recent open requests, to pick the one just filed. */
  recentRequests(e: Escalation): Promise<{ id: string; label: string }[]> {
    return recentRequests(this, e);
  }

  /** Where in Partner Center the escalation's customer's requests are filed. */
  deepLink(e: Escalation): string {
    return partnerCenterRequestsLink(this.deps.partnerCenterPortal ?? PARTNER_CENTER_PORTAL, e.customer.tenantId);
  }

  /** Enqueues the notifications an occasion calls for (the domain plans them and their dedupe keys). */
  async notify(occasion: NotificationOccasion): Promise<void> {
    const rows = planNotifications(occasion);
    if (rows.length > 0) await this.deps.outbox.enqueue(rows, this.deps.clock.now());
  }
}
