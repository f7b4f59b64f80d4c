/**
 * The Teams activity handler: routes messages to commands, card actions to verb handlers,
 * and greets on install. It holds no logic of the product itself.
 */
import {
  CardFactory,
  TeamsActivityHandler,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type BotState,
  type InvokeResponse,
} from 'botbuilder';
import { renderOffer, renderWelcome, type AdaptiveCardJson, type CardRenderer } from '../cards';
import { readsLikeProblem } from '../domain/free-text';
import { isDataset, isVerb, type Dataset, type Verb } from '../cards/verbs';
import type { Localizer, Translator } from '../i18n';
import type { Logger } from '../log';
import { cleanData, cleanText } from './clean-input';
import { parseCommand, type CommandName } from './commands';
import { turnInfo, type TurnInfo } from './turn-context';

/** What a command or verb handler gets: the turn, its info and a translator for the user's language. */
export interface HandlerContext {
  readonly turn: TurnContext;
  readonly info: TurnInfo;
  readonly tr: Translator;
  /** The text after the command word, or the card's submitted data for a verb. */
  readonly args: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * A handler answers with a card (sent as a message, or returned from an invoke so the card
 * updates in place) or with nothing when it already replied itself.
 */
export type Handler = (ctx: HandlerContext) => Promise<AdaptiveCardJson | undefined>;

/** What a typeahead asked for: the text typed so far and which page of the matches. */
export interface SearchQuery {
  /** Trimmed, at most MAX_SEARCH_TEXT characters; empty when nothing is typed yet. */
  readonly text: string;
  readonly skip: number;
  readonly top: number;
}

/** One choice offered by a typeahead: what the engineer reads and what the card submits. */
export interface SearchChoice {
  readonly title: string;
  readonly value: string;
}

/** A typeahead's answer: a page of choices, or a failure to tell the engineer about. */
export type SearchAnswer =
  | { readonly results: readonly SearchChoice[] }
  | { readonly error: { readonly statusCode: number; readonly code: string; readonly message: string } };

/** Answers an `application/search` invoke for one dataset. */
export type SearchHandler = (ctx: HandlerContext, query: SearchQuery) => Promise<SearchAnswer>;

/** Dependencies of the bot, passed in by the composition root. */
export interface BotOptions {
  readonly cards: CardRenderer;
  readonly localizer: Localizer;
  readonly logger: Logger;
  readonly localMode: boolean;
  /** States saved at the end of every turn (conversation and user state). */
  readonly states: readonly BotState[];
  /** Extra command handlers (by command name); `help` is built in. */
  readonly commands?: Partial<Record<CommandName, Handler>>;
  /** Extra verb handlers (by verb); `help` is built in. */
  readonly verbs?: Partial<Record<Verb, Handler>>;
  /** Typeahead handlers (by dataset), for `Input.ChoiceSet`s whose choices come from the bot. */
  readonly searches?: Partial<Record<Dataset, SearchHandler>>;
}

/** Longest message text the bot reads at all; Teams itself caps messages near 28 KB. */
const MAX_TEXT = 28 * 1024;

/** Longest typeahead text read. */
const MAX_SEARCH_TEXT = 100;
/** Teams asks for 15 choices a page (its dropdown shows at most 15); a page is never larger than this. */
const DEFAULT_SEARCH_TOP = 15;
const MAX_SEARCH_TOP = 50;
const MAX_SEARCH_SKIP = 10_000;

/** A non-negative whole number from an invoke field, clamped, or `fallback`. */
function whole(value: unknown, fallback: number, max: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? Math.min(max, Math.max(0, Math.floor(n))) : fallback;
}

/** Escalation Desk's Teams bot. */
export class EscalationDeskBot extends TeamsActivityHandler {
  private readonly commandHandlers: Partial<Record<CommandName, Handler>>;
  private readonly verbHandlers: Partial<Record<Verb, Handler>>;

  constructor(private readonly options: BotOptions) {
    super();
    const help: Handler = (ctx) => Promise.resolve(this.welcome(ctx.tr));
    this.commandHandlers = { help, ...options.commands };
    this.verbHandlers = { help, ...options.verbs };

    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      const tr = this.options.localizer.forLocale(context.activity.locale);
      await context.sendActivity({ attachments: [CardFactory.adaptiveCard(this.welcome(tr))] });
      await next();
    });
  }

  /** The verbs that have a handler, for the test that every card verb is handled. */
  handledVerbs(): readonly Verb[] {
    return Object.keys(this.verbHandlers) as Verb[];
  }

  /** The datasets that have a search handler, for the test that every card dataset is searchable. */
  handledDatasets(): readonly Dataset[] {
    return Object.keys(this.options.searches ?? {}) as Dataset[];
  }

  /** Runs the turn, then saves bot state whatever the handlers did. */
  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    for (const state of this.options.states) await state.saveChanges(context, false);
  }

  private welcome(tr: Translator): AdaptiveCardJson {
    return renderWelcome(this.options.cards, tr, { localMode: this.options.localMode });
  }

  private context(turn: TurnContext, args: string, data: Readonly<Record<string, unknown>>): HandlerContext {
    const info = turnInfo(turn, this.options.logger);
    return {
      turn,
      info,
      // The reader's language and time zone: every time on their cards is on their own clock.
      tr: this.options.localizer.forLocale(turn.activity.locale, info.timeZone),
      args,
      data,
    };
  }

  private async handleMessage(turn: TurnContext): Promise<void> {
    const activity = turn.activity;
    const value: unknown = activity.value;
    // An Action.Submit fallback arrives as a message whose value carries the verb.
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'verb' in value) {
      const data = cleanData(value) as Record<string, unknown>;
      const card = await this.runVerb(turn, data.verb, data);
      if (card) await turn.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] });
      return;
    }
    const raw = typeof activity.text === 'string' ? cleanText(activity.text.slice(0, MAX_TEXT)) : '';
    const text = raw.length > 0 ? TurnContext.removeRecipientMention({ ...activity, text: raw }) : '';
    const command = parseCommand(text);
    if (!command) return this.notACommand(turn, text);
    const handler = this.commandHandlers[command.name] ?? this.commandHandlers.help;
    if (!handler) return;
    const card = await handler(this.context(turn, command.args, {}));
    if (card) await turn.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] });
  }

  /**
   * Text that is no command: a problem described in free text is offered as a new escalation's
   * description; anything else gets a short pointer, not the whole help card. An empty message
   * (only the @mention) is a greeting and gets the help card.
   */
  private async notACommand(turn: TurnContext, text: string): Promise<void> {
    const tr = this.options.localizer.forLocale(turn.activity.locale);
    if (text.trim() === '') {
      await turn.sendActivity({ attachments: [CardFactory.adaptiveCard(this.welcome(tr))] });
      return;
    }
    if (readsLikeProblem(text)) {
      await turn.sendActivity({ attachments: [CardFactory.adaptiveCard(renderOffer(this.options.cards, tr, { text }))] });
      return;
    }
    await turn.sendActivity(tr.t('messages.didNotGetThat'));
  }

  private async runVerb(
    turn: TurnContext,
    verb: unknown,
    data: Readonly<Record<string, unknown>>,
  ): Promise<AdaptiveCardJson | undefined> {
    const tr = this.options.localizer.forLocale(turn.activity.locale);
    const handler = isVerb(verb) ? this.verbHandlers[verb] : undefined;
    if (!handler) {
      turnInfo(turn, this.options.logger).logger.info('card action with an unknown verb');
      await turn.sendActivity(tr.t('messages.unknownAction'));
      return this.welcome(tr);
    }
    return handler(this.context(turn, '', data));
  }

  /**
   * Invokes the bot does not handle (message extensions, task modules, …) get a clear 400:
   * botbuilder's default 501 would be a server error for a request that is simply not ours.
   */
  protected override async onInvokeActivity(turn: TurnContext): Promise<InvokeResponse> {
    // Ours rather than botbuilder's onSearchInvoke: that one refuses an empty queryText, which
    // is how a client asks for the first choices before anything is typed.
    if (turn.activity.name === 'application/search') return this.search(turn);
    const response = await super.onInvokeActivity(turn);
    if (response.status !== 501) return response;
    return { status: 400, body: { code: 'UnsupportedInvoke', message: 'Escalation Desk does not handle this kind of request.' } };
  }

  /** Universal Actions (`Action.Execute`): answer with the card that replaces the one clicked. */
  protected override async onAdaptiveCardInvoke(
    turn: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const data = cleanData(invokeValue.action?.data ?? {}) as Record<string, unknown>;
    const card = await this.runVerb(turn, invokeValue.action?.verb ?? data.verb, data);
    if (card) return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card };
    // Teams takes a plain string as the value of a message response; botbuilder types it as an object.
    const message: unknown = this.options.localizer.forLocale(turn.activity.locale).t('messages.done');
    return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: message as Record<string, unknown> };
  }

  /**
   * A typeahead (`application/search` invoke: `{queryText, dataset, queryOptions: {skip, top}}`)
   * answered with a page of `{title, value}` choices as `application/vnd.microsoft.search.searchResponse`.
   */
  private async search(turn: TurnContext): Promise<InvokeResponse> {
    const tr = this.options.localizer.forLocale(turn.activity.locale);
    const value: unknown = turn.activity.value;
    const v = (value !== null && typeof value === 'object' ? value : {}) as { queryText?: unknown; dataset?: unknown; queryOptions?: unknown };
    const options = (v.queryOptions !== null && typeof v.queryOptions === 'object' ? v.queryOptions : {}) as { skip?: unknown; top?: unknown };
    const handler = isDataset(v.dataset) ? this.options.searches?.[v.dataset] : undefined;
    if (!handler || (v.queryText !== undefined && v.queryText !== null && typeof v.queryText !== 'string')) {
      turnInfo(turn, this.options.logger).logger.info('typeahead for an unknown dataset or with a malformed query');
      return searchError(400, 'BadRequest', tr.t('messages.unknownSearch'));
    }
    const query: SearchQuery = {
      text: typeof v.queryText === 'string' ? v.queryText.trim().slice(0, MAX_SEARCH_TEXT) : '',
      skip: whole(options.skip, 0, MAX_SEARCH_SKIP),
      top: Math.max(1, whole(options.top, DEFAULT_SEARCH_TOP, MAX_SEARCH_TOP)),
    };
    const answer = await handler(this.context(turn, '', {}), query);
    if ('error' in answer) return searchError(answer.error.statusCode, answer.error.code, answer.error.message);
    const results = answer.results.slice(0, query.top).map((c) => ({ title: c.title, value: c.value }));
    return { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.search.searchResponse', value: { results } } };
  }
}

/** A typeahead failure as Teams shows it: an `application/vnd.microsoft.error` body in a 200 answer. */
function searchError(statusCode: number, code: string, message: string): InvokeResponse {
  return { status: 200, body: { statusCode, type: 'application/vnd.microsoft.error', value: { code, message } } };
}
