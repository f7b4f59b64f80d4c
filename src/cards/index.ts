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
