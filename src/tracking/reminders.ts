/**
 * Reminders for escalations that wait on the engineer: resolved but the customer not told,
 * escalated with no update from Microsoft for days, a prepared request not filed. Each goes
 * through the outbox with a dedupe key naming its period, so an escalation gets at most one
 * reminder of a kind per period, however many instances run and however often they look.
 */
import { LoopRunner } from './loop-runner';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import type { Escalation, EscalationState } from '../domain/escalation';
import type { NewNotification, OutboxStore } from '../store/queues';
import type { EscalationStore } from '../store/types';
import type { NotificationPayload } from './types';

/** The kinds of reminder. */
export type ReminderRule = 'resolved' | 'quiet' | 'handoff';

/** How long each waiting state may last before (and between) reminders. */
export interface ReminderPeriods {
  readonly resolvedMs: number;
  readonly quietRequestMs: number;
  readonly handoffMs: number;
}

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
  /** Pause between scans (default 5 min). */
  readonly intervalMs?: number;
  /** Most escalations scanned per rule and round (default 5,000). */
  readonly maxScan?: number;
}

const RULES: ReadonlyArray<readonly [ReminderRule, EscalationState, keyof ReminderPeriods]> = [
  ['resolved', 'resolved', 'resolvedMs'],
  ['quiet', 'escalated', 'quietRequestMs'],
  ['handoff', 'awaiting_handoff', 'handoffMs'],
];

function defaultTargets(e: Escalation): readonly string[] {
  const value = e.details.notifyTargets;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

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
    const notifications: NewNotification[] = [];
    for (const [rule, state, periodKey] of RULES) {
      const period = this.options.periods[periodKey];
      let cursor: string | undefined;
      let scanned = 0;
      do {
        const page = await this.options.escalations.list({ states: [state], limit: 500, cursor });
        for (const e of page.items) {
          // Waiting since the last change: a state change restarts the clock.
          const waited = now.getTime() - Date.parse(e.updatedAt);
          const periods = Math.floor(waited / period);
          if (periods < 1) continue;
          const payload = this.options.render(rule, e, waited);
          for (const target of new Set((this.options.targetsOf ?? defaultTargets)(e))) {
            notifications.push({
              id: randomUUID(),
              escalationId: e.id,
              kind: 'reminder',
              target,
              payload: { ...payload },
              dedupeKey: `reminder:${e.id}:${rule}:${e.updatedAt}:${periods}:${target}`,
            });
          }
        }
        scanned += page.items.length;
        cursor = page.nextCursor;
      } while (cursor && scanned < (this.options.maxScan ?? 5000));
    }
    return notifications.length === 0 ? 0 : this.options.outbox.enqueue(notifications, now);
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const added = await this.runOnce();
        if (added > 0) this.options.logger.info({ added }, 'reminders enqueued');
      } catch (error) {
        this.options.logger.error({ err: error instanceof Error ? error.name : 'unknown' }, 'reminder scan failed');
      }
      await delay(this.options.intervalMs ?? 300_000, undefined, { signal }).catch(() => undefined);
    }
  }
}
