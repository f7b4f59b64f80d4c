/**
 * The escalation conversation as card actions: describe → health check → troubleshooting →
 * category and severity → decision → hand-off → closing the loop. Every step's state lives in
 * the escalation record (not in memory, not in the card), and every action is checked against
 * the states its verb may start from, so a card pressed twice, by two people or after a restart
 * does the right thing once. The steps are in `steps/`, one file each; `verb-table.ts` says
 * which verb runs which, from which states.
 */
import type { AdaptiveCardJson } from '../../cards';
import type { Verb } from '../../cards/verbs';
import type { Escalation } from '../../domain/escalation';
import { stepOf } from '../../domain/flow';
import type { Translator } from '../../i18n';
import type { Handler } from '../bot';
import type { CommandName } from '../commands';
import { FlowKit, type EscalationFlowOptions } from './kit';
import { FLOW_COMMANDS, FLOW_VERBS, type VerbRoute } from './verb-table';

/** The escalation flow's handlers, by verb and by command. */
export class EscalationFlow {
  private readonly kit: FlowKit;
  private readonly handlers: ReadonlyMap<Verb, Handler>;

  constructor(options: EscalationFlowOptions, routes: readonly VerbRoute[] = FLOW_VERBS) {
    this.kit = new FlowKit(options);
    const handlers = new Map<Verb, Handler>();
    for (const route of routes) {
      if (handlers.has(route.verb)) throw new Error(`The verb ${route.verb} has two routes.`);
      handlers.set(route.verb, this.handlerOf(route));
    }
    this.handlers = handlers;
  }

  /** Verb handlers for the flow's cards. */
  verbs(): Partial<Record<Verb, Handler>> {
    return Object.fromEntries(this.handlers);
  }

  /** Command handlers (typed text): each runs the verb of its name. */
  commands(): Partial<Record<CommandName, Handler>> {
    return Object.fromEntries(
      Object.entries(FLOW_COMMANDS).flatMap(([command, verb]) => {
        const handler = this.handlers.get(verb);
        return handler ? [[command, handler]] : [];
      }),
    );
  }

  /** The card for wherever an escalation stands (the tab shows it). */
  cardFor(tr: Translator, e: Escalation): Promise<AdaptiveCardJson> {
    return this.kit.card(tr, e);
  }

  /**
   * A route's handler: a verb with states loads the escalation it names and checks where it
   * stands first; whatever the step could not save because the escalation moved on meanwhile
   * is answered with the current card.
   */
  private handlerOf(route: VerbRoute): Handler {
    const kit = this.kit;
    if (route.from === 'any') {
      const handle = route.handle;
      return (ctx) => kit.settle(ctx, () => handle(kit, ctx));
    }
    const { from, step, handle } = route;
    return async (ctx) => {
      const e = await kit.load(ctx, ctx.data.escalationId);
      if (!e) return undefined;
      if (!from.includes(e.state) || (step !== undefined && stepOf(e) !== step)) return kit.stale(ctx, e);
      return kit.settle(ctx, () => handle(kit, ctx, e));
    };
  }
}
