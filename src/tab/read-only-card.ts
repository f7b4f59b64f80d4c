/**
 * The bot's card as the tab shows it: read-only. The tab cannot act (actions run in the chat,
 * where the bot answers them), so buttons that look live would only mislead: actions, action
 * sets, select actions and the refresh go; an input becomes its label and its value as text
 * (all of it: a drafted message is read in full, not in a box of one and a half lines), and an
 * input with nothing in it goes. What a button would have opened (an `Action.ShowCard` panel,
 * e.g. the resolved card's drafted message) is shown open. The card's own timeline goes too: the tab shows one timeline
 * of its own beside the card. Pure: card JSON in, card JSON out.
 */
import { inert } from '../cards/inert';
import type { AdaptiveCardJson } from '../cards/renderer';

type Json = Readonly<Record<string, unknown>>;

/** The id the escalation card gives the container of its timeline (cards/escalation.json). */
export const CARD_TIMELINE_ID = 'timeline';

const ACTION_ELEMENTS = new Set(['ActionSet']);
/** An input label's closing parenthesis of instructions ("(edit, copy, send)", "(수정, 복사, 전송)"). */
const EDITING_HINT = /\s*\([^()]*\)\s*$/;
/** Properties of an element that hold child elements. */
const CHILD_LISTS = ['items', 'columns', 'cells', 'rows'] as const;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: string, extra: Json = {}): Json {
  return { type: 'TextBlock', text: value, wrap: true, ...extra };
}

/** What an input holds, as text; undefined when it holds nothing. */
function inputValue(input: Json): string | undefined {
  const value = input.value;
  switch (input.type) {
    case 'Input.ChoiceSet': {
      if (typeof value !== 'string' || value === '') return undefined;
      const choices = Array.isArray(input.choices) ? input.choices.filter(isObject) : [];
      const chosen = value.split(',').map((v) => {
        const choice = choices.find((c) => c.value === v);
        return typeof choice?.title === 'string' ? choice.title : v;
      });
      return chosen.join(', ');
    }
    case 'Input.Toggle': {
      const on = typeof input.valueOn === 'string' ? input.valueOn : 'true';
      const title = typeof input.title === 'string' ? input.title : '';
      if (!title) return undefined;
      return `${value === on ? '☑' : '☐'} ${title}`;
    }
    default:
      if (typeof value === 'number') return String(value);
      return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  }
}

/** An input as its label and value, or nothing when it is empty. */
function inputAsText(input: Json): Json | undefined {
  const value = inputValue(input);
  if (value === undefined) return undefined;
  // A trailing "(edit, copy, send)" tells how to use the input; read-only it would mislead.
  const label = typeof input.label === 'string' && input.label.trim() !== '' ? input.label.replace(EDITING_HINT, '') : undefined;
  // A toggle's value already names it; other inputs need their label.
  const items = [
    ...(label && input.type !== 'Input.Toggle' ? [text(label, { weight: 'Bolder', size: 'Small' })] : []),
    text(inert(value), { spacing: label ? 'None' : 'Small' }),
  ];
  return { type: 'Container', items, spacing: 'Small' };
}

/** One element made read-only, or undefined when it goes. */
function element(node: Json, dropIds: ReadonlySet<string>): Json | undefined {
  if (typeof node.id === 'string' && dropIds.has(node.id)) return undefined;
  const type = typeof node.type === 'string' ? node.type : '';
  if (ACTION_ELEMENTS.has(type)) {
    const panels = shownPanels(node.actions, dropIds);
    return panels.length > 0 ? { type: 'Container', items: panels } : undefined;
  }
  if (type.startsWith('Input.')) return inputAsText(node);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'selectAction') continue;
    out[key] = (CHILD_LISTS as readonly string[]).includes(key) && Array.isArray(value) ? children(value, dropIds) : value;
  }
  return out;
}

function children(list: readonly unknown[], dropIds: ReadonlySet<string>): unknown[] {
  return list.flatMap((child) => {
    if (!isObject(child)) return [child];
    const made = element(child, dropIds);
    return made ? [made] : [];
  });
}

/** The panels a list of actions opens (`Action.ShowCard`), made read-only, each in a container. */
function shownPanels(actions: unknown, dropIds: ReadonlySet<string>): Json[] {
  if (!Array.isArray(actions)) return [];
  return actions.filter(isObject).flatMap((action) => {
    const card = action.card;
    if (action.type !== 'Action.ShowCard' || !isObject(card) || !Array.isArray(card.body)) return [];
    const items = children(card.body, dropIds);
    return items.length > 0 ? [{ type: 'Container', items, spacing: 'Medium' }] : [];
  });
}

/** The card without anything that looks actionable, and without its own timeline. */
export function readOnlyCard(card: AdaptiveCardJson, dropIds: readonly string[] = [CARD_TIMELINE_ID]): AdaptiveCardJson {
  const drop = new Set(dropIds);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(card)) {
    if (key === 'actions' || key === 'refresh' || key === 'selectAction') continue;
    out[key] = key === 'body' && Array.isArray(value) ? children(value, drop) : value;
  }
  // What the card's buttons would have opened, shown open below its body.
  const panels = shownPanels(card.actions, drop);
  const body: readonly unknown[] = Array.isArray(out.body) ? (out.body as unknown[]) : [];
  if (panels.length > 0) out.body = [...body, ...panels];
  return out;
}
