/**
 * Polls Microsoft for the escalations the tracking table says are due: the linked service
 * request (SupportProvider) or the watched incident (the incident sweep's record when it follows
 * it, else HealthProvider). A change moves the
 * escalation through the domain `transition()` as Microsoft, and the notification is enqueued
 * in the same transaction as the escalation update, so a crash can neither lose nor double it.
 * Each escalation is leased to one tracker instance at a time; a crashed instance's lease
 * expires and another takes over. How often each is polled is the domain's polling policy
 * (`domain/polling-policy.ts`): what is at stake is polled at the short interval, only quiet,
 * lower-severity requests back off, and service-request reads stay within a per-minute budget.
 *
 * Just over 300 lines: the poll loop, one escalation's observation and its versioned save with
 * the clock times it records are one protocol; its rules already live in `domain/tracking.ts`.
 */
import { LoopRunner } from './loop-runner';
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import { transition, type Actor, type Escalation, type EscalationState } from '../domain/escalation';
import { detailsOf, type ClockDetails } from '../domain/details';
import { requestTimesToRecord } from '../domain/escalation-clocks';
import { planNotifications, notificationKindFor, notifyTargetsOf, type NotificationKind, type SentNotification } from '../domain/notifications';
import { stateAfterObservation, type TrackingKind } from '../domain/tracking';
import {
  DEFAULT_POLLING,
  failedPollInterval,
  incidentSnapshotMaxAgeMs,
  latestOf,
  nextPollInterval,
  type PollingSettings,
  type PollSeverity,
} from '../domain/polling-policy';
import type { HealthProvider } from '../health/types';
import type { IncidentStore } from '../store/incidents';
import type { EscalationStore } from '../store/types';
import { ConcurrencyError, NotFoundError } from '../store/types';
import type { TrackedItem, TrackingStore } from '../store/queues';
import { SupportAccessError, UnknownServiceRequestError, type ServiceRequest, type SupportProvider } from '../support/types';
import { SlidingWindowLimiter } from '../limits/sliding-window';
import type { NotificationPayload } from './types';

/** The key of this instance's Partner Center read budget. */
const READS_KEY = 'partner-center';

/** Microsoft, as the actor of transitions the tracker observes. */
export const MICROSOFT_ACTOR: Actor = Object.freeze({ kind: 'microsoft', id: 'microsoft' });

/** What the tracker saw upstream when it decided to move an escalation. */
export interface Observation {
  readonly kind: TrackingKind;
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
  /**
   * The incident sweep's records: a watched incident the sweep follows is observed there (no Graph
   * read, and the same resolution the incident card shows); Graph is read only for one it does not.
   */
  readonly incidents?: Pick<IncidentStore, 'get'>;
  /** How often a watched incident is polled: the health cache's freshness (default 2 min). */
  readonly incidentIntervalMs?: number;
  /** Service-request reads per minute this instance may send to Partner Center (default 600). */
  readonly requestPollsPerMinute?: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Lease owner name, unique per process (default: a random id). */
  readonly owner?: string;
  readonly render?: NotificationRenderer;
  /** The read-only status the flow's own card becomes when Microsoft acts (without it, that card is left as it is). */
  readonly renderStatus?: (escalation: Escalation) => NotificationPayload;
  /** The notifications already sent for an escalation: earlier events' cards become the status too. */
  readonly sentFor?: (escalationId: string) => Promise<readonly SentNotification[]>;
  /** Where to notify about an escalation (default: `details.notifyTargets`). */
  readonly targetsOf?: (escalation: Escalation) => readonly string[];
  /** Escalations claimed per round (default 40). */
  readonly batchSize?: number;
  /** Polls at once (default 8). */
  readonly concurrency?: number;
  /** Lease per claimed escalation (default 2 min); longer than one poll with its retries. */
  readonly leaseMs?: number;
  /**
   * The short interval of the polling policy (default 30 s): what is at stake is polled this
   * often; quiet requests back off from it up to `maxIntervalMs` (default 30 min).
   */
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
  /** The polling policy's intervals, from the options. */
  readonly polling: PollingSettings;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly runner = new LoopRunner();
  /** Partner Center reads of this instance in the last minute. */
  private readonly requestReads: SlidingWindowLimiter;

  constructor(private readonly options: TrackerOptions) {
    this.owner = options.owner ?? `tracker-${randomUUID()}`;
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined));
    const active = options.minIntervalMs ?? DEFAULT_POLLING.activeIntervalMs;
    const quietMax = Math.max(active, options.maxIntervalMs ?? DEFAULT_POLLING.quietMaxIntervalMs);
    this.polling = {
      activeIntervalMs: active,
      activeWindowMs: DEFAULT_POLLING.activeWindowMs,
      moderateMaxIntervalMs: Math.max(active, Math.min(DEFAULT_POLLING.moderateMaxIntervalMs, quietMax)),
      quietMaxIntervalMs: quietMax,
      incidentIntervalMs: Math.max(active, options.incidentIntervalMs ?? DEFAULT_POLLING.incidentIntervalMs),
    };
    this.requestReads = new SlidingWindowLimiter([{ limit: options.requestPollsPerMinute ?? 600, windowMs: 60_000 }]);
  }

  /** The shortest polling interval, as `pollNow` callers should pass it. */
  get minIntervalMs(): number {
    return this.polling.activeIntervalMs;
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
    // Only as many as this minute's Partner Center budget can still read: the rest stay due in
    // order, so the longest-waiting escalation is claimed first when the budget frees up.
    const room = this.requestReads.available(READS_KEY, clock.now().getTime());
    if (room === 0) return { claimed: 0, changed: 0 };
    const items = await tracking.claimDue(this.owner, clock.now(), Math.min(room, this.options.batchSize ?? 40), this.options.leaseMs ?? 120_000);
    let changed = 0;
    const queue = [...items];
    const workers = Array.from({ length: Math.min(queue.length, this.options.concurrency ?? 8) }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        if (await this.poll(item)) changed++;
        // SQLite answers synchronously: without a turn of the event loop between polls, a round
        // of hundreds (an incident's resolution) would hold back every send and turn until it ends.
        await nextTurn();
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
    const max = this.polling.quietMaxIntervalMs;
    try {
      const escalation = await this.options.escalations.get(item.escalationId);
      if (!escalation) return false;
      if (item.kind === 'service_request') this.requestReads.record(READS_KEY, this.options.clock.now().getTime());
      const observed = await this.observe(item);
      if (!observed) {
        await this.reschedule(item, max);
        return false;
      }
      // The response clocks' times (the request's creation, Microsoft's first response), once each.
      const times = observed.request ? requestTimesToRecord(escalation, observed.request, this.options.clock.now()) : undefined;
      const to = stateAfterObservation(escalation, item.kind, observed);
      if (!to) {
        if (times) await this.record(escalation, times);
        await this.reschedule(item, this.nextInterval(item, escalation, observed), observed.status);
        return false;
      }
      await this.apply(escalation, to, observed, times);
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
        await this.reschedule(item, failedPollInterval(item.intervalMs, this.polling));
      }
      return false;
    }
  }

  /** The polling policy's interval after a poll that changed nothing. */
  private nextInterval(item: TrackedItem, escalation: Escalation, observed: Observation): number {
    const request = observed.request;
    const severity: PollSeverity | undefined =
      request && request.severity !== 'unknown' ? request.severity : detailsOf(escalation).severity;
    const lastActivityAt = latestOf(
      escalation.updatedAt,
      request?.lastModifiedDate,
      ...(request?.notes ?? []).map((n) => n.createdDate),
    );
    const now = this.options.clock.now().getTime();
    return nextPollInterval({ target: item.kind, state: escalation.state, severity, lastActivityAt }, item.intervalMs, now, this.polling).intervalMs;
  }

  private async observe(item: TrackedItem): Promise<Observation | undefined> {
    if (item.kind === 'service_request') {
      const request = await this.options.support.getRequest(item.ref);
      return { kind: item.kind, ref: item.ref, status: request.status, request };
    }
    // The sweep already reads every customer's health: its record says what Graph would.
    const record = await this.options.incidents?.get(item.ref);
    if (record) return { kind: item.kind, ref: item.ref, status: record.incident.resolved ? 'resolved' : record.incident.status };
    if (!this.options.health) return undefined;
    // A snapshot much younger than the interval: the cache's age and the interval must not add up.
    const maxAgeMs = incidentSnapshotMaxAgeMs(this.polling.incidentIntervalMs);
    const issue = (await this.options.health.getIssue(item.tenantId, item.ref, { maxAgeMs })).value;
    return { kind: item.kind, ref: item.ref, status: issue.isResolved ? 'resolved' : issue.status };
  }

  /**
   * Saves what was observed of the request without a state change. `updatedAt` stays: it is when
   * the escalation last changed (what the polling policy and the reminders measure from), and
   * learning a request's creation time is no change of it.
   */
  private async record(escalation: Escalation, times: ClockDetails): Promise<void> {
    await this.options.escalations.update({ ...escalation, details: { ...escalation.details, ...times } }, escalation.version, []);
  }

  private async apply(escalation: Escalation, to: EscalationState, observed: Observation, times?: ClockDetails): Promise<void> {
    const at = this.options.clock.now();
    const { escalation: next, event } = transition(escalation, to, {
      actor: MICROSOFT_ACTOR,
      at,
      details: {
        ...times,
        microsoftStatus: { source: observed.kind, status: observed.status, at: at.toISOString() },
        // Microsoft's newest notes, for the cards and the timeline (its question, its closing words).
        ...(observed.request ? { microsoftNotes: observed.request.notes.slice(-5) } : {}),
      },
    });
    const kind = notificationKindFor(to);
    const sent = kind && this.options.sentFor ? await this.options.sentFor(escalation.id) : [];
    const outbox = kind
      ? planNotifications({
          occasion: 'microsoft_moved',
          escalation: next,
          version: escalation.version + 1,
          message: (this.options.render ?? defaultRender)(kind, next, observed),
          status: this.options.renderStatus?.(next),
          sent,
          targets: (this.options.targetsOf ?? notifyTargetsOf)(next),
        })
      : [];
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

/** A plain-text message; the bot's cards replace it through `render`. */
function defaultRender(kind: NotificationKind, escalation: Escalation, observed: Observation): NotificationPayload {
  const subject = observed.kind === 'service_request' ? `Microsoft service request ${observed.ref}` : `Service incident ${observed.ref}`;
  const text =
    kind === 'resolved'
      ? `${subject} for "${escalation.title}" is resolved. Please tell the customer and confirm here.`
      : `${subject} for "${escalation.title}" needs information from you. Please answer in Partner Center.`;
  return { activity: { type: 'message', text } };
}
