/**
 * The hand-off: the engineer filed the prepared request in Partner Center (its API cannot create
 * one) and gives back its number, typed or picked from the customer's recent requests. The
 * number is checked with Microsoft's side before the escalation is linked and tracked.
 */
import { renderHandoff } from '../../../cards/escalation-cards';
import type { Escalation } from '../../../domain/escalation';
import { decisionOf } from '../../../domain/flow';
import { isServiceRequestNumber } from '../../../domain/triage';
import { UnknownServiceRequestError } from '../../../support/types';
import type { HandlerContext } from '../../bot';
import { field } from '../input';
import type { FlowKit, StepAnswer } from '../kit';

/** The request number given back: linked, and the escalation is with Microsoft. */
export async function handoffLink(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  const number = field(ctx.data, 'requestNumber') || field(ctx.data, 'pickedRequest');
  const refuse = (error: string) => {
    const view = kit.view(e, error);
    return renderHandoff(kit.deps.cards, ctx.tr, { ...view, reasons: decisionOf(view.details).reasons, deepLink: kit.deepLink(e) });
  };
  if (!isServiceRequestNumber(number)) return refuse(ctx.tr.t('flow.errors.requestNumber'));
  try {
    // Links the request on Microsoft's side (the sandbox starts playing it) and catches typos.
    await kit.deps.support.getRequest(number);
  } catch (error) {
    if (error instanceof UnknownServiceRequestError) return refuse(ctx.tr.t('flow.errors.unknownRequest', { id: number }));
    // Partner Center is down or slow: link anyway, the tracker reads it later.
    ctx.info.logger.warn({ err: error }, 'could not read the service request while linking it');
  }
  return kit.summary(ctx.tr, await kit.apply(e, kit.move(ctx, 'escalated', { serviceRequestId: number, step: 'done' })));
}
