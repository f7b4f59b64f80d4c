/**
 * `access <customer>` and the health-consent grant. The first shows the engineer's whole GDAP
 * picture for a customer (every problem and warning, the roles they hold, the relationships);
 * the second lets a partner admin (a member of CONSENT_ADMIN_GROUP_ID, checked against the
 * source, never the cache) grant the health app's Graph permission in a customer whose health
 * cannot be read, through Partner Center's application consent: the request id is recorded
 * before it is sent (a lost answer is asked again as the same request), 409 counts as "already
 * granted", and the outcome is verified by reading the customer's health again.
 */
import { isConsentAdmin, type ConsentOutcome } from '../../../access/consent';
import type { AccessDesk } from '../../../access/desk';
import { healthAccessFact, relationshipsOf } from '../../../access/readiness';
import { InvalidIdError } from '../../../access/types';
import type { AdaptiveCardJson } from '../../../cards';
import { renderAccess } from '../../../cards/access-cards';
import { cardActivity } from '../../../cards/notification-cards';
import { inert } from '../../../cards/inert';
import { byCompanyName, type Customer } from '../../../directory';
import { resolveCustomer } from '../../../directory/resolve';
import { healthNeedsConsent, type HealthAccessFact } from '../../../domain/access';
import type { HealthCheckFailure } from '../../../domain/health-check';
import { healthFailureOf } from '../../../health/failure';
import { untilAborted } from '../../../limits/deadline';
import type { HandlerContext } from '../../bot';
import { conversationKeyOf } from '../../conversation-refs';
import { checkWithin, engineerIdOf } from '../../readiness';
import { readGdap } from '../../../access/readiness';
import type { Translator } from '../../../i18n';
import type { Logger } from '../../../log';
import { BudgetTimeoutError } from '../../within';
import { field } from '../input';
import type { FlowKit, StepAnswer } from '../kit';

/** `access <customer>` (typed), or the access card's "Check again": the full picture. */
export async function access(kit: FlowKit, ctx: HandlerContext): StepAnswer {
  const customer = await customerOf(kit, ctx);
  if (!customer) return undefined;
  const desk = kit.deps.access;
  if (!desk) return kit.say(ctx, 'access.notChecked.unavailable', { customer: customer.companyName });
  if (ctx.turn.activity.type === 'message') await ctx.turn.sendActivity({ type: 'typing' });
  return picture(kit, askerOf(ctx), desk, customer);
}

/**
 * Who asks, read from the turn while it lasts: work finishing after the turn (a slow Partner
 * Center) must not touch the turn's context, which botbuilder revokes when the turn ends.
 */
interface Asker {
  readonly tr: Translator;
  readonly logger: Logger;
  /** The engineer's Entra object id, as sent. */
  readonly engineer?: string;
}

function askerOf(ctx: HandlerContext): Asker {
  return { tr: ctx.tr, logger: ctx.info.logger, engineer: engineerIdOf(ctx) };
}

/** "Grant health consent" on the access card. */
export async function grantHealthConsent(kit: FlowKit, ctx: HandlerContext): StepAnswer {
  const desk = kit.deps.access;
  if (!desk) return kit.say(ctx, 'access.consent.unavailable');
  const customer = await customerOf(kit, ctx);
  if (!customer) return undefined;
  const asker = askerOf(ctx);
  const { tr } = asker;
  const vars = { customer: inert(customer.companyName), code: ctx.info.correlationId.slice(0, 8) };
  const refuse = (key: string): Promise<AdaptiveCardJson> => picture(kit, asker, desk, customer, { text: tr.t(`access.consent.${key}`, vars), good: false });
  // One deadline for the whole press: Teams wants the invoke answered within seconds.
  const deadline = AbortSignal.timeout(kit.turnBudgetMs);
  const inTime = <T>(work: Promise<T>): Promise<T> => untilAborted(work, deadline, () => new BudgetTimeoutError());

  const { consent } = desk;
  if (!consent) return refuse('unavailable');
  if (!desk.consentAdminGroupId) return refuse('noAdminGroup');
  const { engineer } = asker;
  if (!engineer) return refuse('unknownEngineer');
  try {
    if (!(await inTime(isConsentAdmin(desk.freshMembership, engineer, desk.consentAdminGroupId)))) {
      ctx.info.logger.info('health consent refused: not a member of the consent admin group');
      return await refuse('notAdmin');
    }
  } catch (error) {
    if (error instanceof InvalidIdError) return refuse('unknownEngineer');
    ctx.info.logger.warn({ err: error }, 'consent admin membership could not be checked');
    return refuse('membershipUnavailable');
  }

  // Recorded before it is sent: a grant whose answer is lost is asked again as the same request.
  const requestId = await desk.ledger.begin(customer.tenantId, engineer, kit.deps.clock.now());
  const asked = consent.grantHealthConsent(customer.tenantId, requestId);
  let outcome: ConsentOutcome;
  try {
    outcome = await inTime(asked);
  } catch (error) {
    const target = conversationKeyOf(ctx.turn);
    const activityId = ctx.turn.activity.replyToId;
    if (error instanceof BudgetTimeoutError && kit.deps.background && target) {
      // Partner Center is slow: the card pressed shows the outcome when it comes.
      kit.deps.background.run('late health consent', async () => {
        const late = await untilAborted(asked, AbortSignal.timeout(kit.lateWorkMs), () => new BudgetTimeoutError()).catch(() => undefined);
        const banner = late
          ? await settle(kit, desk, asker, customer, requestId, engineer, late, AbortSignal.timeout(kit.lateWorkMs))
          : { text: tr.t('access.consent.upstream', vars), good: false };
        const card = await picture(kit, asker, desk, customer, banner, banner.health);
        await kit.notify({ occasion: 'consent_settled', customerTenantId: customer.tenantId, requestId, target, ...(activityId ? { activityId } : {}), message: { activity: cardActivity(card) } });
      });
      return refuse('pending');
    }
    ctx.info.logger.warn({ err: error }, 'Partner Center did not answer the health consent');
    return refuse('upstream');
  }
  const banner = await settle(kit, desk, asker, customer, requestId, engineer, outcome, deadline);
  return picture(kit, asker, desk, customer, banner, banner.health);
}

/** What a grant came to, as the access card's banner, with the health access it verified. */
interface Banner {
  readonly text: string;
  readonly good: boolean;
  readonly health?: HealthAccessFact;
}

/**
 * Records a grant's outcome and, when it was granted (or already was), reads the customer's
 * health again to say whether it worked; the banner says what came of it.
 */
async function settle(
  kit: FlowKit,
  desk: AccessDesk,
  asker: Asker,
  customer: Customer,
  requestId: string,
  engineer: string,
  outcome: ConsentOutcome,
  deadline: AbortSignal,
): Promise<Banner> {
  const { tr, logger } = asker;
  const name = inert(customer.companyName);
  const now = () => kit.deps.clock.now();
  if (outcome.kind === 'refused') {
    await desk.ledger.finish(customer.tenantId, requestId, outcome.kind, engineer, now());
    logger.warn({ reason: outcome.reason, code: outcome.code }, 'health consent refused by Partner Center');
    return { text: tr.t(`access.consent.refused.${outcome.reason}`, { customer: name }), good: false };
  }
  // The proof is a read of the customer's service health that works now.
  const read = await untilAborted(kit.deps.health.getOverview(customer.tenantId), deadline, () => new BudgetTimeoutError()).then(
    (): { readable: true } => ({ readable: true }),
    (error: unknown): { failure: HealthCheckFailure } => ({ failure: healthFailureOf(error) }),
  );
  const verified = 'readable' in read ? 'readable' : 'unreadable';
  await desk.ledger.finish(customer.tenantId, requestId, outcome.kind, engineer, now(), verified);
  logger.info({ outcome: outcome.kind, verified }, 'health consent asked from the desk');
  const key = outcome.kind === 'granted' ? (verified === 'readable' ? 'granted' : 'grantedUnreadable') : verified === 'readable' ? 'already' : 'alreadyUnreadable';
  const reason = 'failure' in read ? tr.t(`flow.healthCheck.failures.${read.failure}`) : '';
  return { text: tr.t(`access.consent.${key}`, { customer: name, reason }), good: verified === 'readable', health: healthAccessFact(read) };
}

/**
 * The access card: the GDAP facts and the customer's health access read within the turn (health
 * as given, when the caller just read it), decided for the engineer.
 */
async function picture(
  kit: FlowKit,
  asker: Asker,
  desk: AccessDesk,
  customer: Customer,
  banner?: { text: string; good: boolean },
  knownHealth?: HealthAccessFact,
): Promise<AdaptiveCardJson> {
  const read = readGdap(desk.provider, customer.tenantId, asker.engineer, () => kit.deps.clock.now());
  const health =
    knownHealth ??
    healthAccessFact(
      await untilAborted(kit.deps.health.getOverview(customer.tenantId), AbortSignal.timeout(kit.turnBudgetMs), () => new BudgetTimeoutError()).then(
        (): { readable: true } => ({ readable: true }),
        (error: unknown): { failure: HealthCheckFailure } => ({ failure: healthFailureOf(error) }),
      ),
    );
  const { check, read: done } = await checkWithin(read, health, kit.turnBudgetMs, kit.deps.clock);
  return renderAccess(kit.deps.cards, asker.tr, {
    customer: { name: customer.companyName, tenantId: customer.tenantId },
    check,
    relationships: done ? relationshipsOf(done) : [],
    ...(banner ? { banner: { text: banner.text, good: banner.good } } : {}),
    canGrant: desk.consent !== undefined && healthNeedsConsent(health),
  });
}

/** The customer a press names (its tenant id) or the text after `access` names; says why when none. */
async function customerOf(kit: FlowKit, ctx: HandlerContext): Promise<Customer | undefined> {
  const { directory } = kit.deps;
  const code = ctx.info.correlationId.slice(0, 8);
  try {
    const id = field(ctx.data, 'customerTenantId', 64);
    if (id) {
      const customer = await directory.get(id);
      if (!customer) await kit.say(ctx, 'flow.errors.unknownCustomer');
      return customer;
    }
    if (ctx.args.trim() === '') {
      await kit.say(ctx, 'access.usage', { customers: await customerHint(kit) });
      return undefined;
    }
    const found = await resolveCustomer(directory, ctx.args);
    if (found.kind === 'found') return found.customer;
    if (found.kind === 'ambiguous') {
      await kit.say(ctx, 'messages.health.ambiguousCustomer', { query: found.query, customers: found.candidates.map((c) => c.companyName).join(', ') });
      return undefined;
    }
    await kit.say(ctx, 'messages.health.unknownCustomer', { query: found.query, customers: await customerHint(kit) });
    return undefined;
  } catch (error) {
    ctx.info.logger.warn({ err: error }, 'customer directory unavailable');
    await kit.say(ctx, 'messages.health.directoryDown', { code });
    return undefined;
  }
}

/** A few customer names for a hint, never the whole list. */
async function customerHint(kit: FlowKit): Promise<string> {
  const all = [...(await kit.deps.directory.list())].sort(byCompanyName);
  const names = all.slice(0, 8).map((c) => c.companyName);
  return all.length > 8 ? `${names.join(', ')}, …` : names.join(', ');
}
