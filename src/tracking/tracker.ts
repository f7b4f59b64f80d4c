/**
 * Polls Microsoft for the escalations the tracking table says are due: the linked service
 * request (SupportProvider) or the watched incident (HealthProvider). A change moves the
 * escalation through the domain `transition()` as Microsoft, and the notification is enqueued
 * in the same transaction as the escalation update, so a crash can neither lose nor double it.
 * Each escalation is leased to one tracker instance at a time; a crashed instance's lease
 * expires and another takes over. Quiet requests are polled less and less often.
 */
import { LoopRunner } from './loop-runner';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import { transition, type Actor, type Escalation, type EscalationState } from '../domain/escalation';
import type { HealthProvider } from '../health/types';
import type { EscalationStore } from '../store/types';
import { ConcurrencyError, NotFoundError } from '../store/types';
import type { NewNotification, NotificationKind, TrackedItem, TrackingStore } from '../store/queues';
import { SupportAccessError, UnknownServiceRequestError, type ServiceRequest, type SupportProvider } from '../support/types';
import type { NotificationPayload } from './types';

/** Microsoft, as the actor of transitions the tracker observes. */
export const MICROSOFT_ACTOR: Actor = Object.freeze({ kind: 'microsoft', id: 'microsoft' });

/** The `details` field listing the conversation keys to notify about an escalation. */
export const NOTIFY_TARGETS_DETAIL = 'notifyTargets';

/** What the tracker saw upstream when it decided to move an escalation. */
export interface Observation {
  readonly kind: 'service_request' | 'health_issue';
  readonly ref: string;
  /** Upstream status, e.g. `attention_needed`, `closed`, `serviceRestored`. */
  readonly status: string;
  readonly request?: ServiceRequest;
}

/** Builds the message of a notification (the lead's cards plug in here). */
export type NotificationRenderer = (kind: NotificationKind, escalation: Escalation, observed: Observation) => NotificationPayload;

/** Dependencies and settings of the tracker. */
export interface TrackerOptions {
  readonly escalations: EscalationStore;
  readonly tracking: TrackingStore;
  readonly support: SupportProvider;
  /** Needed to watch known incidents; without it, health items are rescheduled at the longest interval. */
  readonly health?: Pick<HealthProvider, 'getIssue'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Lease owner name, unique per process (default: a random id). */
  readonly owner?: string;
  readonly render?: NotificationRenderer;
  /** Where to notify about an escalation (default: `details.notifyTargets`). */
  readonly targetsOf?: (escalation: Escalation) => readonly string[];
  /** Escalations claimed per round (default 20). */
  readonly batchSize?: number;
  /** Polls at once (default 4). */
  readonly concurrency?: number;
  /** Lease per claimed escalation (default 2 min); longer than one poll with its retries. */
  readonly leaseMs?: number;
  /** First and shortest interval (default 1 min); doubled for quiet requests up to `maxIntervalMs` (default 30 min). */
  readonly minIntervalMs?: number;
  readonly maxIntervalMs?: number;
  /** Pause between rounds when nothing is due (default 5 s). */
  readonly idleMs?: number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** What one round did. */
export interface TrackerRound {
  readonly claimed: number;
  readonly changed: number;
}

/** The tracking loop. */
export class Tracker {
  readonly owner: string;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly runner = new LoopRunner();

  constructor(private readonly options: TrackerOptions) {
    this.owner = options.owner ?? `tracker-${randomUUID()}`;
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined));
  }

  /** The shortest polling interval, as `pollNow` callers should pass it. */
  get minIntervalMs(): number {
    return this.options.minIntervalMs ?? 60_000;
  }

  /** Starts the loop; resolves at once. Call `stop()` to end it. */
  start(): void {
    this.runner.start((signal) => this.loop(signal));
  }

  /** Stops claiming, waits for the round in progress, and resolves. */
  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** Polls the escalation at the next round (after the engineer added a note, for instance). */
  pollNow(escalationId: string): Promise<boolean> {
    return this.options.tracking.pollNow(escalationId, this.options.clock.now(), this.minIntervalMs);
  }

  /** One round: claim due escalations and poll them. */
  async runOnce(): Promise<TrackerRound> {
    const { tracking, clock } = this.options;
    const items = await tracking.claimDue(this.owner, clock.now(), this.options.batchSize ?? 20, this.options.leaseMs ?? 120_000);
    let changed = 0;
    const queue = [...items];
    const workers = Array.from({ length: Math.min(queue.length, this.options.concurrency ?? 4) }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        if (await this.poll(item)) changed++;
      }
    });
    const settled = await Promise.allSettled(workers);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return { claimed: items.length, changed };
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let round: TrackerRound | undefined;
      try {
        round = await this.runOnce();
      } catch (error) {
        this.options.logger.error({ err: error instanceof Error ? error.name : 'unknown', owner: this.owner }, 'tracking round failed');
      }
      if (!round || round.claimed === 0) await this.sleep(this.options.idleMs ?? 5_000, signal);
    }
  }

  /** Polls one escalation; true when it changed state. */
  private async poll(item: TrackedItem): Promise<boolean> {
    const { logger } = this.options;
    const max = this.options.maxIntervalMs ?? 30 * 60_000;
    const quiet = Math.min(max, Math.max(this.minIntervalMs, item.intervalMs * 2));
    try {
      const escalation = await this.options.escalations.get(item.escalationId);
      if (!escalation) return false;
      const observed = await this.observe(item);
      if (!observed) {
        await this.reschedule(item, max);
        return false;
      }
      const to = stillClosedBeforeReopen(escalation, observed) ? undefined : nextState(escalation.state, item.kind, observed.status);
      if (!to) {
        await this.reschedule(item, quiet, observed.status);
        return false;
      }
      await this.apply(escalation, to, observed);
      logger.info({ escalationId: escalation.id, from: escalation.state, to, source: item.kind }, 'Microsoft changed an escalation');
      // The row is gone when the new state is not tracked (resolved); otherwise poll again soon.
      await this.reschedule(item, this.minIntervalMs, observed.status);
      return true;
    } catch (error) {
      if (error instanceof ConcurrencyError) {
        // Someone saved the escalation meanwhile: look again at once with the fresh record.
        await this.reschedule(item, 0);
      } else if (error instanceof NotFoundError) {
        return false;
      } else if (error instanceof UnknownServiceRequestError || error instanceof SupportAccessError) {
        logger.warn({ escalationId: item.escalationId, err: error.name }, 'service request cannot be read; polling rarely');
        await this.reschedule(item, max);
      } else {
        logger.warn({ escalationId: item.escalationId, err: error instanceof Error ? error.name : 'unknown' }, 'poll failed; backing off');
        await this.reschedule(item, quiet);
      }
      return false;
    }
  }

  private async observe(item: TrackedItem): Promise<Observation | undefined> {
    if (item.kind === 'service_request') {
      const request = await this.options.support.getRequest(item.ref);
      return { kind: item.kind, ref: item.ref, status: request.status, request };
    }
    if (!this.options.health) return undefined;
    const issue = (await this.options.health.getIssue(item.tenantId, item.ref)).value;
    return { kind: item.kind, ref: item.ref, status: issue.isResolved ? 'resolved' : issue.status };
  }

  private async apply(escalation: Escalation, to: EscalationState, observed: Observation): Promise<void> {
    const at = this.options.clock.now();
    const { escalation: next, event } = transition(escalation, to, {
      actor: MICROSOFT_ACTOR,
      at,
      details: {
        microsoftStatus: { source: observed.kind, status: observed.status, at: at.toISOString() },
        // Microsoft's newest notes, for the cards and the timeline (its question, its closing words).
        ...(observed.request ? { microsoftNotes: observed.request.notes.slice(-5) } : {}),
      },
    });
    const kind = notificationKindFor(to);
    const outbox: NewNotification[] = [];
    if (kind) {
      const render = this.options.render ?? defaultRender;
      const targets = (this.options.targetsOf ?? defaultTargets)(next);
      // The stored version after this save names the transition: one notification per target, ever.
      const version = escalation.version + 1;
      const payload = render(kind, next, observed);
      // The flow's own card, where it was posted, changes in place to the same state.
      const cardActivityId = next.details.cardActivityId;
      const cardTarget = targets[0];
      if (typeof cardActivityId === 'string' && cardActivityId !== '' && cardTarget) {
        outbox.push({
          id: randomUUID(),
          escalationId: escalation.id,
          kind: 'card_update',
          target: cardTarget,
          payload: { ...payload, updateActivityId: cardActivityId },
          dedupeKey: `card_update:${escalation.id}:v${version}:${cardTarget}`,
        });
      }
      for (const target of new Set(targets)) {
        outbox.push({
          id: randomUUID(),
          escalationId: escalation.id,
          kind,
          target,
          payload: { ...payload },
          dedupeKey: `${kind}:${escalation.id}:v${version}:${target}`,
        });
      }
    }
    await this.options.escalations.update(next, escalation.version, [event], outbox);
  }

  private async reschedule(item: TrackedItem, intervalMs: number, lastObserved?: string): Promise<void> {
    const now = this.options.clock.now().getTime();
    const interval = Math.max(intervalMs, 0);
    await this.options.tracking.schedule(item.escalationId, this.owner, {
      nextPollAt: new Date(now + interval),
      intervalMs: Math.max(interval, this.minIntervalMs),
      ...(lastObserved ? { lastObserved } : {}),
    });
  }
}

/**
 * After the engineer reopens a resolved request, Partner Center still says `closed` until
 * Microsoft works it again: that old closure must not resolve the escalation a second time.
 */
export function stillClosedBeforeReopen(escalation: Escalation, observed: Observation): boolean {
  const reopenedAt = escalation.details.reopenedAt;
  if (typeof reopenedAt !== 'string' || observed.status !== 'closed') return false;
  const closedAt = observed.request?.lastClosedDate ?? observed.request?.lastModifiedDate;
  return closedAt === undefined || Date.parse(closedAt) <= Date.parse(reopenedAt);
}

/** The state Microsoft's status moves an escalation to, if any. */
export function nextState(current: EscalationState, source: TrackedItem['kind'], status: string): EscalationState | undefined {
  if (source === 'health_issue') return current === 'known_issue' && status === 'resolved' ? 'resolved' : undefined;
  if (current !== 'escalated' && current !== 'attention_needed') return undefined;
  if (status === 'closed') return 'resolved';
  if (status === 'attention_needed' && current === 'escalated') return 'attention_needed';
  // Microsoft has what it asked for: the request is worked again.
  if (status === 'open' && current === 'attention_needed') return 'escalated';
  return undefined;
}

/** Which notification a transition by Microsoft sends (none when the partner caused it). */
export function notificationKindFor(to: EscalationState): NotificationKind | undefined {
  if (to === 'resolved') return 'resolved';
  if (to === 'attention_needed') return 'attention_needed';
  return undefined;
}

function defaultTargets(escalation: Escalation): readonly string[] {
  const value = escalation.details[NOTIFY_TARGETS_DETAIL];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

/** A plain-text message; the bot's cards replace it through `render`. */
function defaultRender(kind: NotificationKind, escalation: Escalation, observed: Observation): NotificationPayload {
  const subject = observed.kind === 'service_request' ? `Microsoft service request ${observed.ref}` : `Service incident ${observed.ref}`;
  const text =
    kind === 'resolved'
      ? `${subject} for "${escalation.title}" is resolved. Please tell the customer and confirm here.`
      : `${subject} for "${escalation.title}" needs information from you. Please answer in Partner Center.`;
  return { activity: { type: 'message', text } };
}
