/**
 * The incident card's verbs. They are not an escalation's: each finds the incident it works on
 * itself (`from: 'any'` in the verb table). Show an incident's card (typed `incident <id>`, or
 * pressed: another page of its customers, the resolution's list, a refresh), and record that a
 * customer was told. The card answered replaces the one pressed, for everyone who sees it; the
 * incident channel's own card follows through the outbox within its coalescing window.
 */
import { shownTime } from '../../../cards/format';
import { renderIncident } from '../../../cards/incident-cards';
import { inert } from '../../../cards/inert';
import type { IncidentCardMode } from '../../../cards/views';
import { incidentIdOf } from '../../../incidents/desk';
import type { HandlerContext } from '../../bot';
import type { FlowKit, StepAnswer } from '../kit';

const MODES: readonly IncidentCardMode[] = ['card', 'update', 'resolved', 'review'];
/** Farther than any incident's customers go (1,000 customers are 100 pages). */
const MAX_PAGE = 10_000;

/** Which card of the incident a pressed action asked for (the channel's card unless it says). */
function modeOf(value: unknown): IncidentCardMode {
  return MODES.find((m) => m === value) ?? 'card';
}

/** The page of customers asked for: a whole number from 1, as sent (a number or its text). */
function pageOf(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? Math.min(MAX_PAGE, Math.max(1, Math.floor(n))) : 1;
}

/** The incident id a card carries or the engineer typed (`incident EX226792`). */
function typedId(ctx: HandlerContext): string {
  const raw = ctx.data.incidentId ?? ctx.args;
  return typeof raw === 'string' ? raw.trim().slice(0, 80) : '';
}

/** `incident <id>`, or a card's "Show" / "Next customers" / "Refresh": the incident's card for the reader. */
export async function incidentShow(kit: FlowKit, ctx: HandlerContext): StepAnswer {
  const desk = kit.deps.incidents;
  if (!desk) return kit.say(ctx, 'messages.incidents.unavailable');
  const typed = typedId(ctx);
  if (typed === '') return kit.say(ctx, 'messages.incidents.usage');
  const id = incidentIdOf(typed);
  const view = id === undefined ? undefined : await desk.view(ctx.tr, kit.tenant(ctx), id, { mode: modeOf(ctx.data.mode), page: pageOf(ctx.data.page) });
  if (!view) return kit.say(ctx, 'messages.incidents.unknown', { id: typed.split(/\s+/)[0] ?? typed });
  return renderIncident(kit.deps.cards, ctx.tr, view);
}

/** "Mark told" on a customer of the incident card (or of its resolution's reply): recorded once, with who did it. */
export async function incidentTold(kit: FlowKit, ctx: HandlerContext): StepAnswer {
  const desk = kit.deps.incidents;
  if (!desk) return kit.say(ctx, 'messages.incidents.unavailable');
  const typed = typedId(ctx);
  const id = incidentIdOf(typed);
  const tenantId = typeof ctx.data.tenantId === 'string' ? ctx.data.tenantId.trim() : '';
  if (id === undefined || tenantId === '' || tenantId.length > 64) return kit.say(ctx, 'messages.incidents.unknown', { id: typed || '?' });
  const actor = kit.actor(ctx);
  const outcome = await desk.markTold(id, tenantId, { id: actor.id, ...(actor.name ? { name: actor.name } : {}) });
  if (outcome.kind === 'unknown_incident') return kit.say(ctx, 'messages.incidents.unknown', { id });
  const request = { mode: modeOf(ctx.data.mode), page: pageOf(ctx.data.page) };
  const tr = ctx.tr;
  const partner = kit.tenant(ctx);
  switch (outcome.kind) {
    case 'unknown_customer':
      return renderIncident(kit.deps.cards, tr, await desk.viewOf(tr, partner, outcome.stored, { ...request, error: tr.t('cards.incident.unknownCustomer') }));
    case 'already': {
      const told = outcome.customer.told;
      const note = tr.t('cards.incident.alreadyTold', {
        customer: inert(outcome.customer.name),
        name: inert(told?.by.name ?? told?.by.id ?? ''),
        time: shownTime(tr, told?.at),
      });
      return renderIncident(kit.deps.cards, tr, await desk.viewOf(tr, partner, outcome.stored, { ...request, note }));
    }
    case 'told': {
      const note = tr.t('cards.incident.toldNote', { customer: inert(outcome.customer.name), name: inert(actor.name ?? actor.id) });
      return renderIncident(kit.deps.cards, tr, await desk.viewOf(tr, partner, outcome.stored, { ...request, note }));
    }
  }
}
