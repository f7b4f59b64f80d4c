/**
 * Reminds the partner of GDAP relationships that end within 30 days and do not extend
 * themselves: one message per relationship and end date, to the incident channel (the partner's
 * admin channel), through the outbox with a dedupe key naming both, so several instances and
 * every restart add no second one. With no incident channel set, nothing is sent: the scan says
 * so in the log (how many, never which customers) and sends once a channel is set.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AccessProvider } from '../access/types';
import type { Customer } from '../directory';
import { relationshipsEndingSoon, type GdapRelationship } from '../domain/access';
import type { Clock } from '../domain/clock';
import { planNotifications, type PlannedNotification } from '../domain/notifications';
import type { IncidentStore, OutboxStore } from '../store/types';
import { LoopRunner } from './loop-runner';
import type { NotificationPayload } from './types';

/** Dependencies of the renewal reminders. */
export interface GdapRenewalsOptions {
  readonly access: Pick<AccessProvider, 'listRelationships'>;
  /** Names the customer in the message (its tenant id when the directory cannot). */
  readonly directory: { get(tenantId: string): Promise<Customer | undefined> };
  readonly incidents: Pick<IncidentStore, 'getChannel'>;
  readonly outbox: Pick<OutboxStore, 'enqueue'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly render: (relationship: GdapRelationship, customerName: string, now: Date) => NotificationPayload;
  /** Pause between scans (default 1 hour: relationships end in days). */
  readonly intervalMs?: number;
}

/** What one scan found and did. */
export interface RenewalScan {
  /** Relationships ending within 30 days without extending themselves. */
  readonly ending: number;
  /** Reminders enqueued that were not there already. */
  readonly enqueued: number;
  /** Whether an incident channel was set to send them to. */
  readonly channel: boolean;
}

/** The periodic scan of GDAP relationships ending soon. */
export class GdapRenewals {
  private readonly runner = new LoopRunner();

  constructor(private readonly options: GdapRenewalsOptions) {}

  /** Starts the loop; resolves at once. Call `stop()` to end it. */
  start(): void {
    this.runner.start((signal) => this.loop(signal));
  }

  /** Stops the loop and waits for the scan in progress. */
  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** One scan: a reminder per relationship ending soon, once per relationship and end date. */
  async runOnce(): Promise<RenewalScan> {
    const { access, incidents, outbox, clock, logger } = this.options;
    const now = clock.now();
    const ending = relationshipsEndingSoon((await access.listRelationships()).value, now);
    if (ending.length === 0) return { ending: 0, enqueued: 0, channel: false };
    const channel = await incidents.getChannel();
    if (!channel) {
      logger.warn({ ending: ending.length }, 'GDAP relationships end soon, but no incident channel is set: no reminder sent until one is');
      return { ending: ending.length, enqueued: 0, channel: false };
    }
    const rows: PlannedNotification[] = [];
    for (const relationship of ending) {
      const name = (await this.options.directory.get(relationship.customerTenantId).catch(() => undefined))?.companyName ?? relationship.customerTenantId;
      rows.push(
        ...planNotifications({
          occasion: 'gdap_ending',
          relationshipId: relationship.id,
          endDateTime: relationship.endDateTime ?? '',
          target: channel.conversationKey,
          message: this.options.render(relationship, name, now),
        }),
      );
    }
    const enqueued = await outbox.enqueue(rows, now);
    if (enqueued > 0) logger.info({ enqueued }, 'GDAP renewal reminders enqueued');
    return { ending: ending.length, enqueued, channel: true };
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.runOnce();
      } catch (error) {
        this.options.logger.error({ err: error instanceof Error ? error.name : 'unknown' }, 'GDAP renewal scan failed');
      }
      await delay(this.options.intervalMs ?? 3_600_000, undefined, { signal }).catch(() => undefined);
    }
  }
}
