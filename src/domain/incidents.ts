/**
 * One Microsoft incident across every customer tenant it hits. Graph reports service health per
 * tenant; the same issue id (e.g. `EX226792`) shows up in each affected tenant's overview. This
 * module correlates those sightings into one record per issue id: Microsoft's own fields (taken
 * from the newest sighting), its posts (the union of what any tenant showed), and each affected
 * customer with when it was first and last seen, since when it is gone (the issue left that
 * tenant's list while still open), and who told it when. Merging one tenant's sweep returns what
 * changed as events; `incident-messages.ts` turns events into messages for the incident channel.
 *
 * Pure: no clock, no I/O. Statuses and classifications are compared case-insensitively (real
 * Graph payloads are PascalCase while the docs list camelCase).
 *
 * Over 300 lines: the record, its events and the merge that makes them are one rule set, and half
 * of the file is the documented shape of the record.
 */

/** One message Microsoft posted on the issue. */
export interface IncidentPost {
  readonly createdDateTime: string;
  readonly postType: string;
  readonly contentType: string;
  readonly content: string;
}

/**
 * An issue as one tenant's service health shows it: the fields of Graph's serviceHealthIssue the
 * correlation reads (the health providers' `HealthIssue` is one).
 */
export interface ObservedIssue {
  readonly id: string;
  readonly title: string;
  readonly service: string;
  readonly feature?: string;
  readonly impactDescription: string;
  readonly classification: string;
  readonly status: string;
  readonly isResolved: boolean;
  readonly startDateTime: string;
  readonly endDateTime?: string;
  readonly lastModifiedDateTime: string;
  readonly posts: readonly IncidentPost[];
}

/** Who recorded that a customer was told (or set the incident channel). */
export interface IncidentActor {
  readonly id: string;
  readonly name?: string;
  /** Their language (Teams locale), where it matters: the incident channel's cards speak the language of who set it. */
  readonly locale?: string;
  /** Their time zone (IANA id): the incident channel's cards show times on the clock of who set it. */
  readonly timeZone?: string;
}

/** A customer tenant the incident hits. */
export interface AffectedCustomer {
  readonly tenantId: string;
  readonly name: string;
  /** When a sweep first saw the issue in this tenant. */
  readonly firstSeenAt: string;
  /** When a sweep last saw it there. */
  readonly lastSeenAt: string;
  /** Set when the issue left this tenant's list while the incident was still open. */
  readonly goneSince?: string;
  /** Set when someone recorded that the customer was told. */
  readonly told?: { readonly by: IncidentActor; readonly at: string };
}

/** One Microsoft incident (or advisory) and every customer it affects. */
export interface Incident {
  /** Microsoft's issue id, e.g. EX226792. */
  readonly id: string;
  readonly service: string;
  readonly feature?: string;
  readonly classification: string;
  readonly status: string;
  readonly title: string;
  readonly impactDescription: string;
  /** Microsoft's posts, oldest first. */
  readonly posts: readonly IncidentPost[];
  readonly startDateTime: string;
  readonly endDateTime?: string;
  /** Microsoft's last change, as the newest sighting said: older sightings do not overwrite newer ones. */
  readonly lastModifiedDateTime: string;
  readonly resolved: boolean;
  /** When a sweep first saw it resolved. */
  readonly resolvedAt?: string;
  /** Microsoft published the post-incident review (status postIncidentReviewPublished). */
  readonly postIncidentReview: boolean;
  /** When the desk first saw it. */
  readonly detectedAt: string;
  /** When the record last changed (not counting `lastSeenAt` alone). */
  readonly updatedAt: string;
  /** Affected customers, in the order they were first seen. */
  readonly customers: readonly AffectedCustomer[];
}

/** What a merge changed, for the incident channel and the logs. */
export type IncidentEvent =
  | { readonly kind: 'opened'; readonly incidentId: string }
  | { readonly kind: 'customers_added'; readonly incidentId: string; readonly tenantIds: readonly string[] }
  | { readonly kind: 'customer_gone'; readonly incidentId: string; readonly tenantId: string }
  | { readonly kind: 'customer_returned'; readonly incidentId: string; readonly tenantId: string }
  | { readonly kind: 'customer_told'; readonly incidentId: string; readonly tenantId: string }
  | { readonly kind: 'post_added'; readonly incidentId: string; readonly post: IncidentPost }
  | { readonly kind: 'status_changed'; readonly incidentId: string; readonly from: string; readonly to: string }
  | { readonly kind: 'details_changed'; readonly incidentId: string }
  | { readonly kind: 'resolved'; readonly incidentId: string }
  | { readonly kind: 'reopened'; readonly incidentId: string }
  | { readonly kind: 'post_incident_review'; readonly incidentId: string };

/** Which issues become incidents. Existing records are followed whatever the filter says now. */
export interface IncidentFilter {
  /** Classifications followed (any case): `incident` by default; `advisory` is opt-in. */
  readonly classifications: readonly string[];
  /** Services followed (any case, e.g. "Exchange Online"); empty follows every service. */
  readonly services: readonly string[];
}

/** Incidents of every service; advisories left out. */
export const DEFAULT_INCIDENT_FILTER: IncidentFilter = Object.freeze({ classifications: Object.freeze(['incident']), services: Object.freeze([]) });

/** Statuses after which an issue no longer affects the service (Graph's, camelCase). */
const CLOSED_STATUSES: ReadonlySet<string> = new Set(
  ['serviceRestored', 'postIncidentReviewPublished', 'falsePositive', 'resolved', 'resolvedExternal', 'mitigated', 'mitigatedExternal'].map(folded),
);
const POST_INCIDENT_REVIEW_PUBLISHED = folded('postIncidentReviewPublished');

/** Case-insensitive form of an enum value. */
function folded(value: string): string {
  return value.trim().toLowerCase();
}

/** Whether two Graph enum values are the same, in any letter case. */
export function sameValue(a: string, b: string): boolean {
  return folded(a) === folded(b);
}

/** Whether a sighting says the issue is over. */
export function isResolvedIssue(issue: Pick<ObservedIssue, 'isResolved' | 'status'>): boolean {
  return issue.isResolved || CLOSED_STATUSES.has(folded(issue.status));
}

/** Whether the filter follows an issue. */
export function matchesIncidentFilter(issue: Pick<ObservedIssue, 'classification' | 'service'>, filter: IncidentFilter): boolean {
  const classification = folded(issue.classification);
  if (!filter.classifications.some((c) => folded(c) === classification)) return false;
  const service = folded(issue.service);
  return filter.services.length === 0 || filter.services.some((s) => folded(s) === service);
}

/** The customer this tenant is on the incident, if it is one (tenant ids compare in any case). */
export function customerOf(incident: Incident, tenantId: string): AffectedCustomer | undefined {
  const wanted = folded(tenantId);
  return incident.customers.find((c) => folded(c.tenantId) === wanted);
}

/** Customers still affected: seen and not gone. */
export function activeCustomers(incident: Incident): readonly AffectedCustomer[] {
  return incident.customers.filter((c) => c.goneSince === undefined);
}

/** The tenant whose sweep is merged. */
export interface SweptTenant {
  readonly tenantId: string;
  readonly name: string;
}

/**
 * How one tenant's sweep saw one issue: in its overview (`listed`), or no longer there
 * (`absent`) with what the single-issue read said: the issue (resolved, usually) or nothing
 * (Graph answered that the tenant has no such issue).
 */
export type Sighting =
  | { readonly kind: 'listed'; readonly issue: ObservedIssue }
  | { readonly kind: 'absent'; readonly issue?: ObservedIssue };

/** The outcome of one merge. */
export interface IncidentMerge {
  /** The record after the merge; undefined when there is none (an issue the filter leaves out). */
  readonly incident?: Incident;
  readonly events: readonly IncidentEvent[];
  /** Whether the record differs from the one given (events, or `lastSeenAt` moved). */
  readonly changed: boolean;
  /** Tenant ids whose customer entry changed (the store rewrites only those). */
  readonly changedCustomers: readonly string[];
}

const UNCHANGED: IncidentMerge = Object.freeze({ events: Object.freeze([]), changed: false, changedCustomers: Object.freeze([]) });

/**
 * Merges what one tenant's sweep saw of one issue into its record (undefined: none yet). A new
 * record is made only for an open issue the filter follows; a record is followed whatever the
 * filter says now. Microsoft's fields come from the newest sighting (`lastModifiedDateTime`),
 * posts are the union of every sighting's.
 */
export function mergeSighting(
  record: Incident | undefined,
  tenant: SweptTenant,
  sighting: Sighting,
  filter: IncidentFilter,
  at: string,
): IncidentMerge {
  if (!record) {
    if (sighting.kind !== 'listed') return UNCHANGED;
    const issue = sighting.issue;
    if (!matchesIncidentFilter(issue, filter) || isResolvedIssue(issue)) return UNCHANGED;
    const incident: Incident = {
      ...issueFields(issue),
      resolved: false,
      postIncidentReview: false,
      detectedAt: at,
      updatedAt: at,
      customers: [{ tenantId: tenant.tenantId, name: tenant.name, firstSeenAt: at, lastSeenAt: at }],
    };
    return { incident, events: [{ kind: 'opened', incidentId: issue.id }], changed: true, changedCustomers: [tenant.tenantId] };
  }

  const events: IncidentEvent[] = [];
  let next = sighting.issue ? applyIssue(record, sighting.issue, at, events) : record;
  const customer = customerOf(next, tenant.tenantId);
  let customerChanged = false;
  const stillThere = sighting.kind === 'listed' || (sighting.issue !== undefined && !isResolvedIssue(sighting.issue));
  if (stillThere) {
    if (!customer) {
      next = { ...next, customers: [...next.customers, { tenantId: tenant.tenantId, name: tenant.name, firstSeenAt: at, lastSeenAt: at }] };
      events.push({ kind: 'customers_added', incidentId: record.id, tenantIds: [tenant.tenantId] });
      customerChanged = true;
    } else {
      const returned = customer.goneSince !== undefined;
      const renamed = customer.name !== tenant.name && tenant.name !== '';
      const { goneSince: _gone, ...rest } = customer;
      next = replaceCustomer(next, { ...rest, lastSeenAt: at, ...(renamed ? { name: tenant.name } : {}) });
      if (returned) events.push({ kind: 'customer_returned', incidentId: record.id, tenantId: customer.tenantId });
      customerChanged = true;
    }
  } else if (sighting.kind === 'absent' && sighting.issue === undefined && customer && customer.goneSince === undefined && !next.resolved) {
    // Graph says this tenant has no such issue any more while the incident goes on elsewhere.
    next = replaceCustomer(next, { ...customer, goneSince: at });
    events.push({ kind: 'customer_gone', incidentId: record.id, tenantId: customer.tenantId });
    customerChanged = true;
  }
  if (events.length > 0) next = { ...next, updatedAt: at };
  const changed = events.length > 0 || customerChanged;
  return {
    incident: next,
    events,
    changed,
    changedCustomers: customerChanged ? [customerOf(next, tenant.tenantId)?.tenantId ?? tenant.tenantId] : [],
  };
}

/** Microsoft's fields of a sighting. */
function issueFields(issue: ObservedIssue): Pick<
  Incident,
  'id' | 'service' | 'feature' | 'classification' | 'status' | 'title' | 'impactDescription' | 'posts' | 'startDateTime' | 'endDateTime' | 'lastModifiedDateTime'
> {
  return {
    id: issue.id,
    service: issue.service,
    ...(issue.feature ? { feature: issue.feature } : {}),
    classification: issue.classification,
    status: issue.status,
    title: issue.title,
    impactDescription: issue.impactDescription,
    posts: sortedPosts(issue.posts),
    startDateTime: issue.startDateTime,
    ...(issue.endDateTime ? { endDateTime: issue.endDateTime } : {}),
    lastModifiedDateTime: issue.lastModifiedDateTime,
  };
}

/** Applies a sighting's fields to a record, pushing the events they make. */
function applyIssue(record: Incident, issue: ObservedIssue, at: string, events: IncidentEvent[]): Incident {
  const id = record.id;
  const known = new Set(record.posts.map(postKey));
  const added = sortedPosts(issue.posts.filter((p) => !known.has(postKey(p))));
  let next: Incident = added.length > 0 ? { ...record, posts: sortedPosts([...record.posts, ...added]) } : record;
  for (const post of added) events.push({ kind: 'post_added', incidentId: id, post });

  // An older sighting (a tenant read before Microsoft's last change) must not undo a newer one.
  if (Date.parse(issue.lastModifiedDateTime) < Date.parse(record.lastModifiedDateTime)) return next;
  const fields = issueFields(issue);
  const resolved = isResolvedIssue(issue);
  const reviewed = folded(issue.status) === POST_INCIDENT_REVIEW_PUBLISHED;
  const statusChanged = !sameValue(record.status, issue.status);
  const detailsChanged =
    record.title !== issue.title ||
    record.impactDescription !== issue.impactDescription ||
    record.endDateTime !== fields.endDateTime ||
    record.startDateTime !== issue.startDateTime;
  next = {
    ...next,
    ...fields,
    posts: next.posts,
    resolved,
    ...(resolved && !record.resolved ? { resolvedAt: at } : {}),
    postIncidentReview: record.postIncidentReview || reviewed,
  };
  if (!resolved) {
    const { resolvedAt: _r, ...open } = next;
    next = open;
  }
  // The resolution and the review stand for the status they came with.
  const newlyResolved = resolved && !record.resolved;
  if (newlyResolved) events.push({ kind: 'resolved', incidentId: id });
  else if (!resolved && record.resolved) events.push({ kind: 'reopened', incidentId: id });
  if (reviewed && !record.postIncidentReview) events.push({ kind: 'post_incident_review', incidentId: id });
  else if (statusChanged && !newlyResolved) events.push({ kind: 'status_changed', incidentId: id, from: record.status, to: issue.status });
  if (detailsChanged) events.push({ kind: 'details_changed', incidentId: id });
  return next;
}

/** Identity of a post: Microsoft never edits a post, it adds another. */
function postKey(post: IncidentPost): string {
  return `${new Date(post.createdDateTime).toISOString()}\n${post.content}`;
}

function sortedPosts(posts: readonly IncidentPost[]): IncidentPost[] {
  return [...posts].sort((a, b) => Date.parse(a.createdDateTime) - Date.parse(b.createdDateTime));
}

function replaceCustomer(incident: Incident, customer: AffectedCustomer): Incident {
  const wanted = folded(customer.tenantId);
  return { ...incident, customers: incident.customers.map((c) => (folded(c.tenantId) === wanted ? customer : c)) };
}

/** One tenant's sweep: its overview's issues and, for issues it no longer lists, the single-issue reads. */
export interface TenantSweep extends SweptTenant {
  readonly at: string;
  /** Every issue of the tenant's overview. */
  readonly issues: readonly ObservedIssue[];
  /**
   * The single-issue reads of `issuesToLookUp`: the issue, or null when Graph said the tenant has
   * no such issue. An id missing here could not be read this time: nothing is concluded from it.
   */
  readonly lookups: ReadonlyMap<string, ObservedIssue | null>;
}

/**
 * The open incidents this tenant was an active customer of that its overview no longer lists:
 * each needs one single-issue read to learn whether it was resolved or left this tenant.
 */
export function issuesToLookUp(records: readonly Incident[], tenantId: string, issues: readonly Pick<ObservedIssue, 'id'>[]): string[] {
  const listed = new Set(issues.map((i) => i.id));
  return records
    .filter((r) => !r.resolved && !listed.has(r.id))
    .filter((r) => {
      const customer = customerOf(r, tenantId);
      return customer !== undefined && customer.goneSince === undefined;
    })
    .map((r) => r.id);
}

/**
 * Merges one tenant's sweep into the records it concerns (those of its issues, and the open ones
 * it was a customer of). Returns one merge per record that changed or was created, in the order
 * of the tenant's issues then of `records`.
 */
export function mergeTenantSweep(records: readonly Incident[], sweep: TenantSweep, filter: IncidentFilter): IncidentMerge[] {
  const byId = new Map(records.map((r) => [r.id, r]));
  const merges: IncidentMerge[] = [];
  const seen = new Set<string>();
  for (const issue of sweep.issues) {
    if (seen.has(issue.id)) continue;
    seen.add(issue.id);
    const merge = mergeSighting(byId.get(issue.id), sweep, { kind: 'listed', issue }, filter, sweep.at);
    if (merge.changed) merges.push(merge);
  }
  for (const id of issuesToLookUp(records, sweep.tenantId, sweep.issues)) {
    const looked = sweep.lookups.get(id);
    if (looked === undefined) continue;
    const merge = mergeSighting(byId.get(id), sweep, { kind: 'absent', ...(looked ? { issue: looked } : {}) }, filter, sweep.at);
    if (merge.changed) merges.push(merge);
  }
  return merges;
}

/** Records that a customer was told about the incident; an unknown tenant is refused. */
export function markCustomerTold(incident: Incident, tenantId: string, by: IncidentActor, at: string): IncidentMerge {
  const customer = customerOf(incident, tenantId);
  if (!customer) throw new RangeError(`Tenant ${tenantId.slice(0, 40)} is not affected by incident ${incident.id}.`);
  if (customer.told) return { ...UNCHANGED, incident };
  const next = replaceCustomer({ ...incident, updatedAt: at }, { ...customer, told: { by, at } });
  return {
    incident: next,
    events: [{ kind: 'customer_told', incidentId: incident.id, tenantId: customer.tenantId }],
    changed: true,
    changedCustomers: [customer.tenantId],
  };
}
