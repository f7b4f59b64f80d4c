/**
 * The incident channel's reminders, a rule of the reminder scan (`reminders.ts` runs it with the
 * escalations' rules, in the same loop and the same enqueue): a resolved Microsoft incident whose
 * affected customers are not all told is reminded in its card's thread once per period
 * (RESOLVED_REMINDER_HOURS, the period of a resolved escalation whose customer was not told),
 * until every customer is marked told. The rule is the domain's (`incidentReminderDue`); the
 * outbox dedupe key names the incident, its resolution and the period, so however many instances
 * scan, one reminder goes per period.
 */
import { incidentReminderDue, incidentReminderTarget, planIncidentReminder, type IncidentReminderDue } from '../domain/incident-card';
import type { Incident } from '../domain/incidents';
import type { PlannedNotification } from '../domain/notifications';
import type { IncidentChannel, IncidentStore } from '../store/incidents';
import type { NotificationPayload } from './types';

/** What the incident reminder rule reads. */
export interface IncidentReminderOptions {
  readonly incidents: Pick<IncidentStore, 'list' | 'getChannel'>;
  /** How long customers may stay untold after the resolution before (and between) reminders. */
  readonly periodMs: number;
  /** The reminder's message, in the channel's language. */
  readonly render: (incident: Incident, due: IncidentReminderDue, channel: IncidentChannel) => NotificationPayload;
  /** Most resolved incidents scanned per round (default 5,000). */
  readonly maxScan?: number;
}

/** A reminder rule beyond the escalations' own: the reminders due at `now`, planned with their dedupe keys. */
export type ReminderScan = (now: Date) => Promise<PlannedNotification[]>;

/** The incident channel's reminder rule. */
export function incidentReminders(options: IncidentReminderOptions): ReminderScan {
  return async (now) => {
    const { incidents, periodMs } = options;
    const channel = await incidents.getChannel();
    if (!channel) return [];
    const planned: PlannedNotification[] = [];
    let cursor: string | undefined;
    let scanned = 0;
    do {
      const page = await incidents.list({ resolved: true, limit: 500, cursor });
      for (const { incident, card } of page.items) {
        const due = incidentReminderDue(incident, periodMs, now);
        const target = due && incidentReminderTarget(card, channel.conversationKey);
        if (!due || !target) continue;
        planned.push(planIncidentReminder({ incident, due, target, message: options.render(incident, due, channel) }));
      }
      scanned += page.items.length;
      cursor = page.nextCursor;
    } while (cursor && scanned < (options.maxScan ?? 5000));
    return planned;
  };
}
