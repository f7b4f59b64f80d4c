/**
 * The incident channel's reminders: a resolved Microsoft incident whose affected customers are not
 * all told gets a reminder in its card's thread once per period (RESOLVED_REMINDER_HOURS, the
 * period of a resolved escalation whose customer was not told), until every customer is marked
 * told. The rule is the domain's (`incidentReminderDue`); the outbox dedupe key names the incident,
 * its resolution and the period, so however many instances scan, one reminder goes per period.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import { incidentReminderDue, incidentReminderTarget, planIncidentReminder, type IncidentReminderDue } from '../domain/incident-card';
import type { Incident } from '../domain/incidents';
import type { PlannedNotification } from '../domain/notifications';
import type { IncidentChannel, IncidentStore } from '../store/incidents';
import type { OutboxStore } from '../store/queues';
import { LoopRunner } from './loop-runner';
import type { NotificationPayload } from './types';

/** Dependencies of the incident reminder loop. */
export interface IncidentRemindersOptions {
  readonly incidents: Pick<IncidentStore, 'list' | 'getChannel'>;
  readonly outbox: Pick<OutboxStore, 'enqueue'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long customers may stay untold after the resolution before (and between) reminders. */
  readonly periodMs: number;
  /** The reminder's message, in the channel's language. */
  readonly render: (incident: Incident, due: IncidentReminderDue, channel: IncidentChannel) => NotificationPayload;
  /** Pause between scans (default 5 min). */
  readonly intervalMs?: number;
  /** Most resolved incidents scanned per round (default 5,000). */
  readonly maxScan?: number;
}

/** The periodic scan of resolved incidents with customers not told. */
export class IncidentReminders {
  private readonly runner = new LoopRunner();

  constructor(private readonly options: IncidentRemindersOptions) {}

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
    const { incidents, clock, periodMs } = this.options;
    const channel = await incidents.getChannel();
    if (!channel) return 0;
    const now = clock.now();
    const notifications: PlannedNotification[] = [];
    let cursor: string | undefined;
    let scanned = 0;
    do {
      const page = await incidents.list({ resolved: true, limit: 500, cursor });
      for (const { incident, card } of page.items) {
        const due = incidentReminderDue(incident, periodMs, now);
        const target = due && incidentReminderTarget(card, channel.conversationKey);
        if (!due || !target) continue;
        notifications.push(planIncidentReminder({ incident, due, target, message: this.options.render(incident, due, channel) }));
      }
      scanned += page.items.length;
      cursor = page.nextCursor;
    } while (cursor && scanned < (this.options.maxScan ?? 5000));
    return notifications.length === 0 ? 0 : this.options.outbox.enqueue(notifications, now);
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const added = await this.runOnce();
        if (added > 0) this.options.logger.info({ added }, 'incident reminders enqueued');
      } catch (error) {
        this.options.logger.error({ err: error instanceof Error ? error.name : 'unknown' }, 'incident reminder scan failed');
      }
      await delay(this.options.intervalMs ?? 300_000, undefined, { signal }).catch(() => undefined);
    }
  }
}
