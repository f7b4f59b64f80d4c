/**
 * "Open in the tab" on the incident cards: a Teams deep link to the app's personal tab
 * (`my-escalations`) naming the incident as its sub-entity (`incident:<id>`, or `incidents` for
 * the list), which the tab reads from its context (`page.subPageId`); in local mode, where no
 * Teams client opens deep links, the tab's page on this bot with `?incident=<id>`.
 */
import type { CloudName } from '../config/clouds';

/** Where the Teams web client of each cloud opens deep links. */
export const TEAMS_HOSTS: { readonly [C in CloudName]: string } = {
  public: 'https://teams.microsoft.com',
  gcchigh: 'https://gov.teams.microsoft.us',
  dod: 'https://dod.teams.microsoft.us',
  china: 'https://teams.microsoftonline.cn',
};

/** The tab the link opens: the personal tab of the manifest. */
const TAB_ENTITY_ID = 'my-escalations';

/** How to link the tab. */
export type IncidentTabLinkOptions =
  /** The Teams app's id (the manifest's `id`: TEAMS_APP_ID when packaged, by default the bot's id) and its cloud. */
  | { readonly teamsAppId: string; readonly cloud: CloudName }
  /** Local mode: the tab's page as this bot serves it (e.g. `http://127.0.0.1:3978/tab/index.html`). */
  | { readonly localTabUrl: string };

/** The link to an incident (or, without an id, to the incidents) in the tab. */
export function incidentTabLink(options: IncidentTabLinkOptions): (incidentId?: string) => string {
  return (incidentId) => {
    if ('localTabUrl' in options) {
      const url = new URL(options.localTabUrl);
      url.searchParams.set(incidentId ? 'incident' : 'view', incidentId ?? 'incidents');
      return url.toString();
    }
    const context = JSON.stringify({ subEntityId: incidentId ? `incident:${incidentId}` : 'incidents' });
    const label = incidentId ? `Incident ${incidentId}` : 'Incidents';
    const base = `${TEAMS_HOSTS[options.cloud]}/l/entity/${encodeURIComponent(options.teamsAppId)}/${TAB_ENTITY_ID}`;
    return `${base}?label=${encodeURIComponent(label)}&context=${encodeURIComponent(context)}`;
  };
}
