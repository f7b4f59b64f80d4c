/**
 * Reminders for escalations that wait on the engineer: resolved but the customer not told,
 * escalated with no update from Microsoft for days, a prepared request not filed. Each goes
 * through the outbox with a dedupe key naming its period, so an escalation gets at most one
 * reminder of a kind per period, however many instances run and however often they look.
 * The response clocks remind the owner too, once at 80 % and once at breach (`runClocksOnce`).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import type { Escalation, EscalationState } from '../domain/escalation';
import { clockRemindersFor, type ClockSettings, type DueClockReminder } from '../domain/escalation-clocks';
import { OPEN_STATES } from '../domain/states';
import {
  REMINDER_RULES,
  notifyTargetsOf,
  planNotifications,
  reminderDue,
  type PlannedNotification,
  type ReminderPeriods,
  type ReminderRule,
} from '../domain/notifications';
import type { OutboxStore } from '../store/queues';
import type { EscalationStore } from '../store/types';
import type { ReminderScan } from './incident-reminders';
import { LoopRunner } from './loop-runner';
import type { NotificationPayload } from './types';

export type { ReminderPeriods, ReminderRule };

/** Dependencies of the reminder loop. */
export interface RemindersOptions {
  readonly escalations: EscalationStore;
  readonly outbox: Pick<OutboxStore, 'enqueue'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly periods: ReminderPeriods;
  readonly render: (rule: ReminderRule, escalation: Escalation, waitedMs: number) => NotificationPayload;
  /** Where to remind (default: `details.notifyTargets`). */
  readonly targetsOf?: (escalation: Escalation) => readonly string[];
  /**
   * The response clocks' reminders (80 % and breach, once each), when the clocks are configured:
   * what they are measured against and how a reminder reads.
   */
  readonly clocks?: {
    readonly settings: ClockSettings;
    readonly render: (due: DueClockReminder, escalation: Escalation) => NotificationPayload;
  };
  /** Pause between scans (default 5 min). */
  readonly intervalMs?: number;
  /** Most escalations scanned per rule and round (default 5,000). */
  readonly maxScan?: number;
  /** Rules beyond the escalations' (the incident channel's customers not told), enqueued with them. */
  readonly scans?: readonly ReminderScan[];
}

/** Where a response clock may still run: every open state but "not warranted" (the partner's own fix). */
const CLOCK_STATES: readonly EscalationState[] = OPEN_STATES.filter((s) => s !== 'not_warranted');

/** The periodic reminder scan. */
export class Reminders {
  private readonly runner = new LoopRunner();

  constructor(private readonly options: RemindersOptions) {}

  /** Starts the loop; resolves at once. Call `stop()` to end it. */
  start(): void {
    this.runner.start((signal) => this.loop(signal));
  }

  /** Stops the loop and waits for the scan in progress. */
  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** One scan: enqueues the reminders that are due; returns how many were new. */
  async runOnce(): Promise<number> {
    const now = this.options.clock.now();
    const notifications: PlannedNotification[] = [];
    const targetsOf = this.options.targetsOf ?? notifyTargetsOf;
    for (const { rule, state, period } of REMINDER_RULES) {
      await this.scan([state], (e) => {
        const due = reminderDue(e, this.options.periods[period], now);
        if (!due) return;
        const message = this.options.render(rule, e, due.waitedMs);
        notifications.push(...planNotifications({ occasion: 'reminder', escalation: e, rule, periods: due.periods, message, targets: targetsOf(e) }));
      });
    }
    for (const scan of this.options.scans ?? []) notifications.push(...(await scan(now)));
    return notifications.length === 0 ? 0 : this.options.outbox.enqueue(notifications, now);
  }

  /**
   * One scan of the response clocks: enqueues the 80 % and breach reminders that are due (none
   * without clock settings); returns how many were new. Clocks are read from stored times at each
   * scan, so a restart, or another instance, reads the same and the outbox keeps each once.
   */
  async runClocksOnce(): Promise<number> {
    const clocks = this.options.clocks;
    if (!clocks) return 0;
    const now = this.options.clock.now();
    const targetsOf = this.options.targetsOf ?? notifyTargetsOf;
    const notifications: PlannedNotification[] = [];
    await this.scan(CLOCK_STATES, (e) => {
      for (const due of clockRemindersFor(e, clocks.settings, now)) {
        const message = clocks.render(due, e);
        notifications.push(
          ...planNotifications({ occasion: 'clock_reminder', escalation: e, side: due.side, reminder: due.reminder, startedAt: due.startedAt, message, targets: targetsOf(e) }),
        );
      }
    });
    return notifications.length === 0 ? 0 : this.options.outbox.enqueue(notifications, now);
  }

  /** Visits the escalations in `states`, a page at a time, up to `maxScan` of them. */
  private async scan(states: readonly EscalationState[], visit: (e: Escalation) => void): Promise<void> {
    let cursor: string | undefined;
    let scanned = 0;
    do {
      const page = await this.options.escalations.list({ states, limit: 500, cursor });
      for (const e of page.items) visit(e);
      scanned += page.items.length;
      cursor = page.nextCursor;
    } while (cursor && scanned < (this.options.maxScan ?? 5000));
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const added = (await this.runOnce()) + (await this.runClocksOnce());
        if (added > 0) this.options.logger.info({ added }, 'reminders enqueued');
      } catch (error) {
        this.options.logger.error({ err: error instanceof Error ? error.name : 'unknown' }, 'reminder scan failed');
      }
      await delay(this.options.intervalMs ?? 300_000, undefined, { signal }).catch(() => undefined);
    }
  }
}
