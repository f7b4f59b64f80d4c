/**
 * The incident card's parts, built together from the app's stores and settings: the views it
 * gathers (escalations, notices, links), the renderer the sweep posts it with, the chat's
 * operations (`IncidentDesk`) and the reminder rule of customers not told. `app.ts` wires
 * them in; nothing here reads the environment.
 */
import { renderIncidentReminder } from '../cards/incident-cards';
import { cardActivity } from '../cards/notification-cards';
import type { CardRenderer } from '../cards/renderer';
import type { CloudName } from '../config/clouds';
import type { CustomerDirectory } from '../directory/types';
import type { Clock } from '../domain/clock';
import { tallyOf } from '../domain/incident-card';
import type { CardTiming } from '../domain/incident-messages';
import type { Localizer } from '../i18n';
import type { Logger } from '../log';
import type { Database } from '../store/types';
import { incidentReminders, type ReminderScan } from '../tracking/incident-reminders';
import { incidentCardRenderer } from './card-renderer';
import { IncidentViews } from './card-views';
import { IncidentDesk } from './desk';
import type { IncidentRenderer } from './render';
import { incidentTabLink, type IncidentTabLinkOptions } from './tab-link';

/** What the incident card's parts are built from. */
export interface IncidentCardOptions {
  readonly database: Pick<Database, 'escalations' | 'incidents' | 'incidentSweeps' | 'conversations'>;
  readonly cards: CardRenderer;
  readonly localizer: Localizer;
  readonly directory: Pick<CustomerDirectory, 'list'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly cardTiming: CardTiming;
  /** How "Open in the tab" links: the Teams app in its cloud, or the local tab page. */
  readonly tab: IncidentTabLinkOptions;
  readonly adminCenterUrl?: string;
  /** The reminder period of customers not told after a resolution (RESOLVED_REMINDER_HOURS). */
  readonly reminderPeriodMs: number;
}

/** The built parts. */
export interface IncidentCardParts {
  readonly views: IncidentViews;
  readonly render: IncidentRenderer;
  readonly desk: IncidentDesk;
  /** The incident channel's reminder rule, for the reminder scan. */
  readonly reminders: ReminderScan;
}

/** The tab link settings of a deployment: the Teams app (its id is the bot's by default) in its cloud, or in local mode this bot's tab page. */
export function tabLinkOptions(settings: { readonly localMode: boolean; readonly appId?: string; readonly cloud: CloudName; readonly host: string; readonly port: number }): IncidentTabLinkOptions {
  if (!settings.localMode && settings.appId) return { teamsAppId: settings.appId, cloud: settings.cloud };
  const host = settings.host === '0.0.0.0' || settings.host === '::' ? 'localhost' : settings.host;
  return { localTabUrl: `http://${host}:${settings.port}/tab/index.html` };
}

/** Builds the incident card's parts. */
export function createIncidentCard(options: IncidentCardOptions): IncidentCardParts {
  const { database, cards, localizer, clock, logger } = options;
  const views = new IncidentViews({
    escalations: database.escalations,
    localizer,
    customers: () => options.directory.list(),
    tabLink: incidentTabLink(options.tab),
    adminCenterUrl: options.adminCenterUrl,
    logger,
  });
  const render = incidentCardRenderer({ cards, localizer, views, incidents: database.incidents, conversations: database.conversations });
  const desk = new IncidentDesk({
    incidents: database.incidents,
    sweeps: database.incidentSweeps,
    conversations: database.conversations,
    views,
    render,
    clock,
    cardTiming: options.cardTiming,
    logger,
  });
  const reminders = incidentReminders({
    incidents: database.incidents,
    periodMs: options.reminderPeriodMs,
    render: (incident, due, channel) => {
      const tr = localizer.forLocale(channel.setBy.locale, channel.setBy.timeZone);
      return { activity: cardActivity(renderIncidentReminder(cards, tr, { incident, tally: tallyOf(incident), waitedMs: due.waitedMs })) };
    },
  });
  return { views, render, desk, reminders };
}
