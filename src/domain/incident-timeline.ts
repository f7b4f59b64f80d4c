/**
 * An incident's history as one timeline, read from its record: Microsoft's posts, its status as
 * of its last change, each customer it reached and each customer told, and its resolution.
 * The record keeps no history of statuses, so the status entry is the current one, at
 * Microsoft's last change. Pure: no clock, no I/O.
 */
import type { Incident } from './incidents';

/** What happened. */
export type IncidentTimelineKind = 'post' | 'status' | 'customer-added' | 'customer-told' | 'resolved';

/** One entry of an incident's timeline. */
export interface IncidentTimelineEntry {
  readonly at: string;
  readonly kind: IncidentTimelineKind;
  /** A post's content (as Microsoft wrote it, HTML), a status, or a customer's name. */
  readonly text: string;
  /** Who recorded it (a customer told). */
  readonly actor?: string;
  /** The customer an entry is about. */
  readonly tenantId?: string;
}

/** Same-instant entries read in this order: what Microsoft said, then what the desk saw and did. */
const ORDER: readonly IncidentTimelineKind[] = ['post', 'status', 'resolved', 'customer-added', 'customer-told'];

/** The timeline of an incident, oldest first (entries without a valid time are left out). */
export function incidentTimeline(incident: Incident): IncidentTimelineEntry[] {
  const entries: IncidentTimelineEntry[] = [];
  for (const post of incident.posts) entries.push({ at: post.createdDateTime, kind: 'post', text: post.content });
  if (incident.resolved && incident.resolvedAt) entries.push({ at: incident.resolvedAt, kind: 'resolved', text: incident.status });
  else entries.push({ at: incident.lastModifiedDateTime, kind: 'status', text: incident.status });
  for (const c of incident.customers) {
    entries.push({ at: c.firstSeenAt, kind: 'customer-added', text: c.name, tenantId: c.tenantId });
    if (c.told) entries.push({ at: c.told.at, kind: 'customer-told', text: c.name, tenantId: c.tenantId, ...(c.told.by.name ? { actor: c.told.by.name } : {}) });
  }
  return entries
    .map((entry, index) => ({ entry, index, time: Date.parse(entry.at) }))
    .filter((e) => !Number.isNaN(e.time))
    .sort((a, b) => a.time - b.time || ORDER.indexOf(a.entry.kind) - ORDER.indexOf(b.entry.kind) || a.index - b.index)
    .map(({ entry }) => ({ ...entry, at: new Date(Date.parse(entry.at)).toISOString() }));
}
