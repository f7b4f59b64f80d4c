/** Helpers that read cards the way a Teams client would: with the Adaptive Cards SDK. */
import type { AdaptiveCardJson } from '../../src/cards';

// The package's Node entry needs the browser bundle path (PRODUCT.md); its typings match.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof import('adaptivecards');

/** Parses and validates a card; returns every message the SDK reported (empty = clean). */
export function cardProblems(card: AdaptiveCardJson): string[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  parsed.parse(card, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i += 1) problems.push(context.getEventAt(i).message);
  for (const e of parsed.validateProperties().validationEvents) problems.push(e.message);
  return problems;
}

/** Every object of a card (elements, actions, their data), depth first, each before what it holds. */
export function cardNodes(card: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(card)) card.forEach((c) => cardNodes(c, out));
  else if (card !== null && typeof card === 'object') {
    out.push(card as Record<string, unknown>);
    Object.values(card).forEach((v) => cardNodes(v, out));
  }
  return out;
}

/** The input with `id` on a card, the first in card order. */
export function cardInput(card: unknown, id: string): Record<string, unknown> | undefined {
  return cardNodes(card).find((n) => typeof n.type === 'string' && n.type.startsWith('Input.') && n.id === id);
}

/** Every action verb in a card (Action.Execute verbs and `data.verb` of submits), fallbacks included. */
export function cardVerbs(card: unknown): string[] {
  const verbs: string[] = [];
  for (const o of cardNodes(card)) {
    if (o.type === 'Action.Execute' && typeof o.verb === 'string') verbs.push(o.verb);
    if ((o.type === 'Action.Submit' || o.type === 'Action.Execute') && o.data && typeof o.data === 'object') {
      const v = (o.data as Record<string, unknown>).verb;
      if (typeof v === 'string') verbs.push(v);
    }
  }
  return [...new Set(verbs)];
}

/** All TextBlock texts of a card, in order (to assert what a user reads). */
export function cardTexts(card: unknown): string[] {
  const texts: string[] = [];
  for (const o of cardNodes(card)) {
    if (o.type === 'TextBlock' && typeof o.text === 'string') texts.push(o.text);
    if (typeof o.title === 'string' && typeof o.value === 'string') texts.push(`${o.title}: ${o.value}`);
  }
  return texts;
}
