/**
 * `incidents`: the open Microsoft incidents across customers with their affected-customer counts,
 * and the customers whose service health could not be read, with why. `incidents here` in a team
 * channel makes it the incident channel (its root is stored, so cards start posts of their own
 * rather than replies in the thread the command was said in); `incidents off` stops the cards.
 * (`incident <id>` is the incident card's verb, typed: see `flow/steps/incident.ts`.)
 */
import type { CardRenderer } from '../../cards';
import { inert } from '../../cards/inert';
import { renderIncidentList } from '../../cards/incident-cards';
import type { Clock } from '../../domain/clock';
import type { IncidentDesk } from '../../incidents/desk';
import type { Handler, HandlerContext } from '../bot';
import { channelRootReferenceOf } from '../conversation-refs';

/** Dependencies of the command. */
export interface IncidentsCommandOptions {
  /** Without it, incidents are not followed by this deployment. */
  readonly desk?: IncidentDesk;
  readonly cards: CardRenderer;
  readonly clock: Clock;
}

/** The words after `incidents`, in English and Korean. */
const HERE = ['here', '여기'];
const OFF = ['off', '해제', '끄기'];

/** Creates the `incidents` command handler. */
export function createIncidentsCommand(options: IncidentsCommandOptions): Handler {
  return async (ctx: HandlerContext) => {
    const say = async (key: string, vars: Record<string, string> = {}): Promise<undefined> => {
      const shown = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, inert(v)]));
      await ctx.turn.sendActivity(ctx.tr.t(`messages.incidents.${key}`, shown));
      return undefined;
    };
    const desk = options.desk;
    if (!desk) return say('unavailable');
    const word = ctx.args.trim().toLowerCase();
    if (word === '') return renderIncidentList(options.cards, ctx.tr, await desk.overview());
    if (OFF.includes(word)) return say((await desk.clearChannel()) ? 'channelOff' : 'channelWasOff');
    if (!HERE.includes(word)) return say('badArguments');

    const root = channelRootReferenceOf(ctx.turn, options.clock.now());
    if (!root) return say('channelOnly');
    const from = ctx.turn.activity.from;
    const set = await desk.setChannel(root, {
      id: ctx.info.userId ?? 'unknown',
      ...(typeof from?.name === 'string' ? { name: from.name.slice(0, 200) } : {}),
      ...(ctx.info.locale ? { locale: ctx.info.locale } : {}),
      ...(ctx.info.timeZone ? { timeZone: ctx.info.timeZone } : {}),
    });
    if (set.already && set.posted === 0) return say('channelAlready');
    const posted = set.posted > 0 ? ctx.tr.t('messages.incidents.postedCards', { n: set.posted }) : ctx.tr.t('messages.incidents.noOpenIncident');
    await ctx.turn.sendActivity(ctx.tr.t('messages.incidents.channelSet', { posted }));
    return undefined;
  };
}
