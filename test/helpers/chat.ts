/**
 * The bot as the app wires it (in-memory database, the sandbox playing Microsoft), spoken to one
 * activity at a time through botbuilder's TestAdapter: what it answers, texts and cards as the
 * engineer reads them. For tests of what a message or a press gets, in any language or scope.
 */
import { TestAdapter, type Activity } from 'botbuilder';
import { createApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { execute, mentionMessage, message, type ActivityOptions } from './activities';
import { cardInput, cardTexts } from './cards';
import { logSink } from './run-log';

export type Card = Readonly<Record<string, unknown>>;

/** A reply: a text message, or a card (sent, or the answer to a press). */
export type Reply = { readonly text: string; readonly activity: Partial<Activity> } | { readonly card: Card; readonly activity: Partial<Activity> };

export const SERVICE_URL = 'https://smba.trafficmanager.net/test/';

/** The texts of replies as one string per reply (a card's texts joined with " | "). */
export function shown(replies: readonly Reply[]): string[] {
  return replies.map((r) => ('text' in r ? r.text : cardTexts(r.card).join(' | ')));
}

/** The `Action.Execute` data of the button with `verb` on a card. */
export function buttonData(card: Card, verb: string): Record<string, unknown> | undefined {
  let found: Record<string, unknown> | undefined;
  const walk = (node: unknown, key: string): void => {
    if (found || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n) => walk(n, key));
    const o = node as Record<string, unknown>;
    if (key !== 'refresh' && o.type === 'Action.Execute' && o.verb === verb) found = (o.data ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) walk(v, k);
  };
  walk(card, '');
  return found;
}

/** The value an input of a card starts with, by its id. */
export function inputValue(card: Card, id: string): unknown {
  return cardInput(card, id)?.value;
}

/** The reply an activity the bot sent carries (typing indicators carry none). */
function replyOf(activity: Partial<Activity>): Reply | undefined {
  if (activity.type === 'invokeResponse') {
    const body = (activity.value as { body?: { type?: string; value?: unknown } } | undefined)?.body;
    return body?.type === 'application/vnd.microsoft.card.adaptive' ? { card: body.value as Card, activity } : { text: String(body?.value), activity };
  }
  if (activity.type !== 'message') return undefined;
  const content = (activity.attachments ?? [])[0]?.content as Card | undefined;
  return content ? { card: content, activity } : { text: String(activity.text), activity };
}

/** The replies among what the bot sent. */
export function repliesOf(activities: readonly Partial<Activity>[]): Reply[] {
  return activities.flatMap((a) => {
    const reply = replyOf(a);
    return reply ? [reply] : [];
  });
}

/** The app as wired for real on an in-memory database with the sandbox, not listening. */
export async function wiredApp(extraEnv: Readonly<Record<string, string>> = {}): Promise<App> {
  const env = { DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'warn', ...extraEnv };
  const config = loadConfig({ env, dotenvPath: null });
  return createApp(config, createLogger({ level: config.logLevel, destination: logSink(env) }));
}

/** The bot, spoken to. */
export class Chat {
  private readonly adapter: TestAdapter;

  private constructor(readonly app: App) {
    this.adapter = new TestAdapter((context) => app.edge.bot.run(context));
  }

  /** The app as wired for real on an in-memory database with the sandbox, not listening. */
  static async start(extraEnv: Readonly<Record<string, string>> = {}): Promise<Chat> {
    return new Chat(await wiredApp(extraEnv));
  }

  async stop(): Promise<void> {
    await this.app.close(1000);
  }

  /** The engineer types `text` (in a channel, with the bot @mentioned). */
  types(text: string, o: Partial<ActivityOptions> = {}): Promise<Reply[]> {
    const options = { serviceUrl: SERVICE_URL, ...o };
    return this.send(o.conversationType === 'channel' ? mentionMessage(text, options) : message(text, options));
  }

  /** The engineer presses the button of `verb` with `data`. */
  presses(verb: string, data: Record<string, unknown>, o: Partial<ActivityOptions> = {}): Promise<Reply[]> {
    return this.send(execute(verb, data, { serviceUrl: SERVICE_URL, ...o }));
  }

  /** The engineer presses the button of `verb` on `card`, with `inputs` filled in. */
  pressesOn(card: Card, verb: string, inputs: Record<string, unknown> = {}, o: Partial<ActivityOptions> = {}): Promise<Reply[]> {
    const data = buttonData(card, verb);
    if (!data) throw new Error(`the card has no ${verb} button: ${cardTexts(card).join(' | ')}`);
    return this.presses(verb, { ...data, ...inputs }, o);
  }

  private async send(activity: Record<string, unknown>): Promise<Reply[]> {
    await this.adapter.processActivity(activity);
    return repliesOf(this.adapter.activeQueue.splice(0));
  }
}

/** The last card among replies. */
export function lastCard(replies: readonly Reply[]): Card {
  const cards = replies.flatMap((r) => ('card' in r ? [r.card] : []));
  const card = cards.at(-1);
  if (!card) throw new Error(`no card among: ${shown(replies).join(' / ')}`);
  return card;
}
