/**
 * A Microsoft service health issue (incident or advisory) in our own normalized shape
 * (lowercase camelCase enums, ISO dates): what matching ranks and the tracker watches. The
 * providers in `src/health/` convert Graph's shape to this one at the edge.
 */

/** Graph's serviceHealthStatus values, camelCase; anything unknown becomes `unknownFutureValue`. */
export const SERVICE_HEALTH_STATUSES = [
  'serviceOperational',
  'investigating',
  'restoringService',
  'verifyingService',
  'serviceRestored',
  'postIncidentReviewPublished',
  'serviceDegradation',
  'serviceInterruption',
  'extendedRecovery',
  'falsePositive',
  'investigationSuspended',
  'resolved',
  'mitigatedExternal',
  'mitigated',
  'resolvedExternal',
  'confirmed',
  'reported',
  'unknownFutureValue',
] as const;
export type ServiceHealthStatus = (typeof SERVICE_HEALTH_STATUSES)[number];

export const ISSUE_CLASSIFICATIONS = ['advisory', 'incident', 'unknownFutureValue'] as const;
export type IssueClassification = (typeof ISSUE_CLASSIFICATIONS)[number];

export const ISSUE_ORIGINS = ['microsoft', 'thirdParty', 'customer', 'unknownFutureValue'] as const;
export type IssueOrigin = (typeof ISSUE_ORIGINS)[number];

export const POST_TYPES = ['regular', 'quick', 'strategic', 'unknownFutureValue'] as const;
export type PostType = (typeof POST_TYPES)[number];

/** Statuses after which an issue no longer affects the service. */
export const CLOSED_STATUSES: readonly ServiceHealthStatus[] = [
  'serviceRestored',
  'postIncidentReviewPublished',
  'falsePositive',
  'resolved',
  'resolvedExternal',
  'mitigated',
  'mitigatedExternal',
];

/** One message Microsoft posted on an issue. */
export interface IssuePost {
  readonly createdDateTime: string;
  readonly postType: PostType;
  readonly contentType: 'text' | 'html';
  readonly content: string;
}

/** One service incident or advisory. */
export interface HealthIssue {
  readonly id: string;
  readonly title: string;
  readonly service: string;
  readonly feature?: string;
  readonly featureGroup?: string;
  readonly impactDescription: string;
  readonly classification: IssueClassification;
  readonly origin: IssueOrigin;
  readonly status: ServiceHealthStatus;
  readonly isResolved: boolean;
  readonly startDateTime: string;
  readonly endDateTime?: string;
  readonly lastModifiedDateTime: string;
  readonly details: readonly { readonly name: string; readonly value: string }[];
  readonly posts: readonly IssuePost[];
}

/** Whether an issue still affects the service. */
export function isOpenIssue(issue: HealthIssue): boolean {
  return !issue.isResolved && !CLOSED_STATUSES.includes(issue.status);
}
