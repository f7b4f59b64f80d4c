/**
 * One typed render function per card: the only way the bot builds a card.
 */
import type { Translator } from '../i18n';
import { inert } from './inert';
import type { AdaptiveCardJson, CardRenderer } from './renderer';

export type { AdaptiveCardJson } from './renderer';
export { CardRenderer, MAX_CARD_BYTES } from './renderer';

/** Data of the welcome card. */
export interface WelcomeCardData {
  /** Shows the "local mode" note when Bot Framework authentication is off. */
  readonly localMode: boolean;
}

/**
 * The welcome card: what the bot does, its commands and main actions. A command's arguments
 * (`health <customer> [service]`) are made inert: Teams reads `<customer>` as a tag and drops it.
 */
export function renderWelcome(cards: CardRenderer, tr: Translator, data: WelcomeCardData): AdaptiveCardJson {
  const section = tr.section('cards.welcome');
  const steps = section.steps;
  const commands = Array.isArray(section.commands) ? (section.commands as unknown[]) : [];
  return cards.render('welcome', tr, {
    localMode: data.localMode,
    steps: (Array.isArray(steps) ? steps : []).map((text: unknown, i) => ({ number: i + 1, text: String(text) })),
    commands: commands.map((c) => {
      const { name, help } = (c ?? {}) as { name?: unknown; help?: unknown };
      return { name: inert(typeof name === 'string' ? name : ''), help: typeof help === 'string' ? help : '' };
    }),
  });
}

/** Longest description an offer carries: the describe card takes 4,000 characters. */
export const MAX_OFFERED_DESCRIPTION = 4000;
/** Longest preview of it the offer shows. */
const OFFER_PREVIEW = 400;

/**
 * The offer to start an escalation with free text the engineer typed as its description: a
 * preview of it (inert), and the button that opens the describe card with it filled in.
 */
export function renderOffer(cards: CardRenderer, tr: Translator, data: { readonly text: string }): AdaptiveCardJson {
  const description = [...data.text.trim()].slice(0, MAX_OFFERED_DESCRIPTION).join('');
  const chars = [...description];
  const preview = chars.length > OFFER_PREVIEW ? `${chars.slice(0, OFFER_PREVIEW - 1).join('').trimEnd()}…` : description;
  return cards.render('escalate-offer', tr, { preview: inert(preview), description });
}

/** One service line of the health card. */
export interface HealthCardService {
  readonly name: string;
  readonly status: string;
}

/** One open issue on the health card. */
export interface HealthCardIssue {
  readonly id: string;
  readonly title: string;
  readonly kind: string;
  readonly status: string;
  readonly service: string;
  readonly impact: string;
  readonly since: string;
}

/** Data of the health card (already localized by the caller). */
export interface HealthCardData {
  readonly tenantId: string;
  readonly title: string;
  readonly asOf: string;
  readonly stale: boolean;
  readonly issuesHeading: string;
  readonly services: readonly HealthCardService[];
  readonly issues: readonly HealthCardIssue[];
  /** The asking engineer's GDAP readiness for the customer, one line (empty: not shown). */
  readonly readiness?: string;
  /** Nothing blocks the engineer (the line is shown as good news). */
  readonly readinessGood?: boolean;
}

/** The service health of one customer tenant: statuses and open issues. */
export function renderHealth(cards: CardRenderer, tr: Translator, data: HealthCardData): AdaptiveCardJson {
  // Microsoft's issue id is shown inert like its title; the raw id stays in the action data.
  return cards.render('health', tr, {
    ...data,
    readiness: data.readiness ?? '',
    readinessGood: data.readinessGood === true,
    issues: data.issues.map((i) => ({ ...i, shownId: inert(i.id) })),
  });
}
