/**
 * A conversation with the escalation flow, without HTTP: the bot as the app wires it (an
 * in-memory database, the sandbox playing Microsoft) driven through botbuilder's TestAdapter,
 * and a path written as its specification, a list of [what the engineer does, what the bot
 * answers] steps. A press is made on the card the bot showed last, with that card's own action
 * data, as Teams sends it: a script cannot press a button its card does not have.
 */
import { strict as assert } from 'node:assert';
import { TestAdapter, type Activity } from 'botbuilder';
import type { App } from '../../../src/app';
import type { EscalationState } from '../../../src/domain/escalation';
import { execute, message } from '../../helpers/activities';
import { cardTexts } from '../../helpers/cards';
import { buttonData, repliesOf, SERVICE_URL, wiredApp, type Card, type Reply } from '../../helpers/chat';

/** What the engineer does. */
export type Action =
  | { readonly kind: 'types'; readonly text: string }
  | { readonly kind: 'presses'; readonly verb: string; readonly inputs: Readonly<Record<string, unknown>>; readonly times: 1 | 2 }
  | { readonly kind: 'pressesAgain' };

/** What the bot answers (or, for `trail`, what it recorded). */
export type Answer =
  | { readonly kind: 'says'; readonly pattern: RegExp }
  | { readonly kind: 'shows'; readonly patterns: readonly RegExp[] }
  | { readonly kind: 'trail'; readonly states: readonly EscalationState[] };

/** One step of a path: what the engineer does, and every answer of the bot, in order. */
export type Step = readonly [Action, Answer | readonly Answer[]];

/** A path through the flow, and the state the escalation ends in. */
export interface Path {
  readonly steps: readonly Step[];
  /** The state the escalation the last card named ends in. */
  readonly ends: EscalationState;
}

/** The engineer types a message. */
export const types = (text: string): Action => ({ kind: 'types', text });
/** The engineer presses the button of `verb` on the last card, with these inputs filled in. */
export const presses = (verb: string, inputs: Readonly<Record<string, unknown>> = {}): Action => ({ kind: 'presses', verb, inputs, times: 1 });
/** The same button pressed twice at once (a double click, or two colleagues on one channel card): the answers come in either order. */
export const pressesTwice = (verb: string, inputs: Readonly<Record<string, unknown>> = {}): Action => ({ kind: 'presses', verb, inputs, times: 2 });
/** The previous press made again on the card it was made on, now out of date. */
export const pressesAgain = (): Action => ({ kind: 'pressesAgain' });
/** A text message matching `pattern`. */
export const says = (pattern: RegExp): Answer => ({ kind: 'says', pattern });
/** A card with a text matching each pattern. */
export const shows = (...patterns: RegExp[]): Answer => ({ kind: 'shows', patterns });
/** The escalation's audit trail, as recorded: the states it went through. */
export const trail = (...states: EscalationState[]): Answer => ({ kind: 'trail', states });

function describeReply(reply: Reply): string {
  return 'text' in reply ? `says: ${reply.text}` : `shows: ${cardTexts(reply.card).join(' | ')}`;
}

function matches(answer: Exclude<Answer, { kind: 'trail' }>, reply: Reply): boolean {
  if (answer.kind === 'says') return 'text' in reply && answer.pattern.test(reply.text);
  if (!('card' in reply)) return false;
  const texts = cardTexts(reply.card);
  return answer.patterns.every((p) => texts.some((t) => p.test(t)));
}

/** Whether each answer matches a reply of its own, every reply taken. */
function pairedInAnyOrder(answers: readonly Exclude<Answer, { kind: 'trail' }>[], replies: readonly Reply[]): boolean {
  if (answers.length !== replies.length) return false;
  const [first, ...rest] = answers;
  if (first === undefined) return true;
  return replies.some((reply, i) => matches(first, reply) && pairedInAnyOrder(rest, replies.filter((_, j) => j !== i)));
}

/** The bot, and the engineer talking to it. */
export class Conversation {
  private readonly adapter: TestAdapter;
  private lastCard: Card | undefined;
  private lastPress: Partial<Activity> | undefined;
  private escalationId: string | undefined;

  private constructor(
    readonly app: App,
    private readonly locale: string,
  ) {
    this.adapter = new TestAdapter((context) => app.edge.bot.run(context));
  }

  /** The app as it is wired for real, on an in-memory database with the sandbox, not listening; the engineer writes in `locale`. */
  static async start(locale = 'en-US'): Promise<Conversation> {
    return new Conversation(await wiredApp(), locale);
  }

  /** The last card the bot showed. */
  get card(): Card | undefined {
    return this.lastCard;
  }

  /** The escalation the last card named. */
  get currentId(): string | undefined {
    return this.escalationId;
  }

  async stop(): Promise<void> {
    await this.app.close(1000);
  }

  /** Walks a path step by step, asserting every answer, then the state the escalation ends in. */
  async walk(path: Path): Promise<void> {
    for (const [i, [action, expected]] of path.steps.entries()) {
      const answers = Array.isArray(expected) ? (expected as readonly Answer[]) : [expected as Answer];
      const replies = await this.perform(action, i);
      await this.expect(answers, replies, action, i);
    }
    assert.ok(this.escalationId, 'the path made an escalation');
    assert.equal((await this.app.database.escalations.get(this.escalationId))?.state, path.ends, 'the state the path ends in');
  }

  private async perform(action: Action, step: number): Promise<Reply[]> {
    const activities: Partial<Activity>[] = [];
    if (action.kind === 'types') activities.push(message(action.text, { serviceUrl: SERVICE_URL, locale: this.locale }));
    else if (action.kind === 'pressesAgain') {
      assert.ok(this.lastPress, `step ${step + 1}: nothing was pressed before`);
      activities.push({ ...this.lastPress, id: `${String(this.lastPress.id)}-again` });
    } else {
      assert.ok(this.lastCard, `step ${step + 1}: no card to press ${action.verb} on`);
      const data = buttonData(this.lastCard, action.verb);
      assert.ok(data, `step ${step + 1}: the card has no ${action.verb} button: ${cardTexts(this.lastCard).join(' | ')}`);
      const press = execute(action.verb, { ...data, ...action.inputs }, { serviceUrl: SERVICE_URL, locale: this.locale }) as Partial<Activity>;
      this.lastPress = press;
      for (let n = 0; n < action.times; n += 1) activities.push({ ...press, id: `${String(press.id)}-${n}` });
    }
    await Promise.all(activities.map((a) => this.adapter.processActivity(a)));
    const replies = repliesOf(this.adapter.activeQueue.splice(0));
    for (const reply of replies) {
      if (!('card' in reply)) continue;
      this.lastCard = reply.card;
      this.escalationId = /"escalationId":"(ED-[0-9A-Z]{8})"/.exec(JSON.stringify(reply.card))?.[1] ?? this.escalationId;
    }
    return replies;
  }

  /** Every answer matched by one reply (in order; in any order for two presses at once), no reply left over, and the trail as recorded. */
  private async expect(answers: readonly Answer[], replies: Reply[], action: Action, step: number): Promise<void> {
    const shown = `step ${step + 1} (${JSON.stringify(action)}): the bot answered\n  ${replies.map(describeReply).join('\n  ')}`;
    const spoken = answers.filter((a): a is Exclude<Answer, { kind: 'trail' }> => a.kind !== 'trail');
    const wanted = spoken.map((a) => (a.kind === 'says' ? `say ${a.pattern}` : `show ${a.patterns.join(', ')}`)).join('; ');
    const anyOrder = action.kind === 'presses' && action.times > 1;
    const paired = anyOrder ? pairedInAnyOrder(spoken, replies) : spoken.length === replies.length && spoken.every((a, i) => matches(a, replies[i]));
    assert.ok(paired, `${shown}\nexpected it to ${wanted}${anyOrder ? ' (in any order)' : ''}`);
    for (const answer of answers) {
      if (answer.kind !== 'trail') continue;
      const recorded = this.escalationId ? await this.app.database.escalations.audit(this.escalationId) : [];
      assert.deepEqual(recorded.map((e) => e.to), answer.states, `step ${step + 1}: the audit trail`);
    }
  }
}
