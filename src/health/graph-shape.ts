/**
 * Graph's service-health shapes and their conversion to ours. Real payloads carry PascalCase
 * enums ("ServiceRestored", "Incident") while the docs list camelCase: enums are matched
 * case-insensitively. Used for Graph answers (lenient: an unknown value becomes
 * `unknownFutureValue`) and for the sandbox data file (strict: a typo is an error).
 */
import { z } from 'zod';
import {
  ISSUE_CLASSIFICATIONS,
  ISSUE_ORIGINS,
  POST_TYPES,
  SERVICE_HEALTH_STATUSES,
  type HealthIssue,
  type ServiceHealth,
} from './types';

/** Matches `value` case-insensitively against a list of camelCase names. */
export function normalizeEnum<T extends string>(values: readonly T[], value: string): T | undefined {
  const wanted = value.trim().toLowerCase();
  return values.find((v) => v.toLowerCase() === wanted);
}

function enumField<T extends string>(values: readonly T[], strict: boolean, fallback: T) {
  return z.string().transform((raw, ctx): T => {
    const known = normalizeEnum(values, raw);
    if (known) return known;
    if (strict) {
      ctx.addIssue({ code: 'custom', message: `"${raw}" is not one of ${values.join(', ')} (any letter case)` });
      return z.NEVER;
    }
    return fallback;
  });
}

const isoDate = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), { message: 'expected an ISO date-time' })
  .transform((v) => new Date(v).toISOString());

const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? undefined : v));

/** The Zod schema of a Graph serviceHealthIssue, converting to `HealthIssue`. */
export function graphIssueSchema(strict: boolean) {
  return z
    .object({
      id: z.string().min(1),
      title: z.string(),
      service: z.string(),
      feature: optionalText,
      featureGroup: optionalText,
      impactDescription: z.string().nullish(),
      classification: enumField(ISSUE_CLASSIFICATIONS, strict, 'unknownFutureValue'),
      origin: enumField(ISSUE_ORIGINS, strict, 'unknownFutureValue').nullish(),
      status: enumField(SERVICE_HEALTH_STATUSES, strict, 'unknownFutureValue'),
      isResolved: z.boolean(),
      startDateTime: isoDate,
      endDateTime: isoDate.nullish(),
      lastModifiedDateTime: isoDate,
      details: z.array(z.object({ name: z.string(), value: z.string().nullish() })).nullish(),
      posts: z
        .array(
          z.object({
            createdDateTime: isoDate,
            postType: enumField(POST_TYPES, strict, 'unknownFutureValue').nullish(),
            description: z.object({
              contentType: enumField(['text', 'html'] as const, strict, 'text'),
              content: z.string(),
            }),
          }),
        )
        .nullish(),
    })
    .transform(
      (raw): HealthIssue => ({
        id: raw.id,
        title: raw.title,
        service: raw.service,
        ...(raw.feature ? { feature: raw.feature } : {}),
        ...(raw.featureGroup ? { featureGroup: raw.featureGroup } : {}),
        impactDescription: raw.impactDescription ?? '',
        classification: raw.classification,
        origin: raw.origin ?? 'microsoft',
        status: raw.status,
        isResolved: raw.isResolved,
        startDateTime: raw.startDateTime,
        ...(raw.endDateTime ? { endDateTime: raw.endDateTime } : {}),
        lastModifiedDateTime: raw.lastModifiedDateTime,
        details: (raw.details ?? []).map((d) => ({ name: d.name, value: d.value ?? '' })),
        posts: (raw.posts ?? [])
          .map((p) => ({
            createdDateTime: p.createdDateTime,
            postType: p.postType ?? 'regular',
            contentType: p.description.contentType,
            content: p.description.content,
          }))
          .sort((a, b) => a.createdDateTime.localeCompare(b.createdDateTime)),
      }),
    );
}

/** The Zod schema of a Graph serviceHealth (one healthOverviews entry with expanded issues). */
export function graphServiceHealthSchema(strict: boolean) {
  return z
    .object({
      id: z.string().min(1),
      service: z.string(),
      status: enumField(SERVICE_HEALTH_STATUSES, strict, 'unknownFutureValue'),
      issues: z.array(graphIssueSchema(strict)).nullish(),
    })
    .transform((raw): ServiceHealth => ({ id: raw.id, service: raw.service, status: raw.status, issues: raw.issues ?? [] }));
}

/** One page of a Graph collection. */
export function graphPageSchema<T extends z.ZodType>(item: T) {
  return z.object({ value: z.array(item), '@odata.nextLink': z.string().nullish() });
}

/** Lenient schemas for Graph answers, built once per process (they hold no state). */
export const GRAPH_ISSUE = graphIssueSchema(false);
export const GRAPH_OVERVIEW_PAGE = graphPageSchema(graphServiceHealthSchema(false));
