/**
 * THE SEAM FOR THE INCIDENT CARD. The sweep renders every planned message of the incident channel
 * through an `IncidentRenderer`. The app wires the cards' (`card-renderer.ts`: the incident card
 * and its thread's replies, in the language of who set the channel); this plain-text stand-in
 * says the same things in English where no cards are loaded (the sweep's unit tests, the bench).
 */
import type { PlannedIncidentMessage } from '../domain/incident-messages';
import { activeCustomers, type Incident } from '../domain/incidents';

/** Renders one planned message as a Bot Framework activity (the outbox stores it as the payload's `activity`). */
export type IncidentRenderer = (message: PlannedIncidentMessage, incident: Incident) => Promise<Readonly<Record<string, unknown>>>;

/** Customers named in a stand-in message before it says "and N more". */
const NAMED = 20;

/** The plain-text stand-in for the incident card and its replies. */
export const placeholderIncidentRenderer: IncidentRenderer = (message, incident) => Promise.resolve(plainTextOf(message, incident));

function plainTextOf(message: PlannedIncidentMessage, incident: Incident): Readonly<Record<string, unknown>> {
  const lines: string[] = [];
  const head = `Microsoft ${incident.classification} ${incident.id} (${incident.service}): ${incident.title}`;
  switch (message.kind) {
    case 'post_card':
    case 'update_card':
      lines.push(head, `Status: ${incident.status}`, `Affected customers: ${namesOf(activeCustomers(incident).map((c) => c.name))}`);
      if (incident.postIncidentReview) lines.push('The post-incident review is published.');
      break;
    case 'reply':
      if (message.reply.kind === 'resolved') {
        lines.push(`Resolved: ${head}`, `Tell every affected customer: ${namesOf(incident.customers.map((c) => c.name))}`);
      } else if (message.reply.kind === 'post_incident_review') {
        lines.push(`Post-incident review published: ${head}`);
      } else {
        lines.push(`Update: ${head}`, `Status: ${incident.status}`);
        const latest = incident.posts[incident.posts.length - 1];
        if (latest && message.reply.changes.some((c) => c.kind === 'post')) lines.push(`Microsoft: ${latest.content.slice(0, 500)}`);
      }
      break;
  }
  return { type: 'message', text: lines.join('\n\n') };
};

function namesOf(names: readonly string[]): string {
  if (names.length === 0) return 'none';
  const shown = names.slice(0, NAMED).join(', ');
  return names.length > NAMED ? `${shown} and ${names.length - NAMED} more` : shown;
}
