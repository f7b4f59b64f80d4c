/**
 * Microsoft support requests as the bot sees them: one normalized `ServiceRequest` shape and
 * the `SupportProvider` that reads and updates them (Partner Center, a manual log, or a sandbox
 * that plays Microsoft). Plain TypeScript: no HTTP here.
 */
import { z } from 'zod';

/** Severities in Partner Center's order (numeric form: the index). */
export const SERVICE_REQUEST_SEVERITIES = ['unknown', 'critical', 'moderate', 'minimal'] as const;
/** A request's severity: critical = Sev A, moderate = Sev B, minimal = Sev C. */
export type ServiceRequestSeverity = (typeof SERVICE_REQUEST_SEVERITIES)[number];

/** Statuses in Partner Center's order (numeric form: the index). */
export const SERVICE_REQUEST_STATUSES = ['none', 'open', 'closed', 'attention_needed'] as const;
/** A request's status as Partner Center reports it. */
export type ServiceRequestStatus = (typeof SERVICE_REQUEST_STATUSES)[number];

/** A status a provider may be asked to set (Partner Center itself only accepts `closed`). */
export type SettableStatus = Exclude<ServiceRequestStatus, 'none'>;

/** One note on a request, from Microsoft or the partner. */
export interface ServiceRequestNote {
  readonly createdByName: string;
  readonly createdDate: string;
  readonly text: string;
}

/** A Microsoft service request, normalized. */
export interface ServiceRequest {
  /** Numeric string, up to 16 digits. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly severity: ServiceRequestSeverity;
  readonly status: ServiceRequestStatus;
  readonly supportTopicName: string;
  readonly productName: string;
  readonly createdDate?: string;
  readonly lastModifiedDate?: string;
  readonly lastClosedDate?: string;
  readonly notes: readonly ServiceRequestNote[];
}

/** Reads and updates Microsoft service requests. */
export interface SupportProvider {
  /** Which implementation this is, for logs and cards. */
  readonly source: 'partnercenter' | 'manual' | 'sandbox';
  /** One request; throws `UnknownServiceRequestError` when there is no such request. */
  getRequest(id: string): Promise<ServiceRequest>;
  /** A customer's requests (as far as the source knows them). */
  listCustomerRequests(customerTenantId: string): Promise<readonly ServiceRequest[]>;
  /**
   * Adds a note; resolves with the updated request when the source returned it. `requestId`
   * makes it idempotent where the source supports it (Partner Center's MS-RequestId): the same
   * id sent again adds no second note.
   */
  addNote(id: string, text: string, author?: string, requestId?: string): Promise<ServiceRequest | undefined>;
  /** Sets the status; resolves with the updated request when the source returned it. */
  setStatus(id: string, status: SettableStatus): Promise<ServiceRequest | undefined>;
}

const SERVICE_REQUEST_ID = /^\d{1,16}$/;

/** Whether a string is a Partner Center service request number (digits only, 1–16). */
export function isValidServiceRequestId(value: unknown): value is string {
  return typeof value === 'string' && SERVICE_REQUEST_ID.test(value);
}

/** No request with this id exists (or the partner cannot see it). */
export class UnknownServiceRequestError extends Error {
  override readonly name = 'UnknownServiceRequestError';
  constructor(readonly requestId: string) {
    super(`No Microsoft service request ${requestId.slice(0, 20)} was found for this partner.`);
  }
}

/** The source cannot act for the partner: the token was refused, or the call was forbidden. */
export class SupportAccessError extends Error {
  override readonly name = 'SupportAccessError';
  constructor(
    /** `refresh_token`: Entra refused the refresh token; 401/403: Partner Center refused the call. */
    readonly reason: 'refresh_token' | 401 | 403,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(
      reason === 'refresh_token'
        ? 'Microsoft Entra refused the Partner Center refresh token' +
            (code ? ` (${code})` : '') +
            '. An admin must renew PARTNER_CENTER_REFRESH_TOKEN through the Secure Application Model ' +
            '(sign in again as a partner Admin Agent with MFA and store the new refresh token).'
        : `Partner Center refused the request (HTTP ${reason}). Check that the Secure Application Model user ` +
            'is an Admin Agent of the partner tenant and that PARTNER_CENTER_REFRESH_TOKEN belongs to that user.',
      options,
    );
  }
}

/** The source does not support this operation (e.g. Partner Center only accepts status `closed`). */
export class UnsupportedSupportOperationError extends Error {
  override readonly name = 'UnsupportedSupportOperationError';
}

/** Reads an enum given as its name (any case, `attentionNeeded` too) or as its Partner Center number. */
function enumValue<T extends string>(values: readonly T[], fallback: T) {
  return z.union([z.string(), z.number(), z.null()]).optional().transform((raw): T => {
    if (typeof raw === 'number') return Number.isInteger(raw) && raw >= 0 && raw < values.length ? values[raw] : fallback;
    if (typeof raw !== 'string') return fallback;
    const text = raw.trim();
    if (/^\d+$/.test(text)) return values[Number(text)] ?? fallback;
    const normalized = text.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
    return values.find((v) => v === normalized) ?? fallback;
  });
}

const optionalText = z.string().nullish().transform((v) => v ?? '');
const optionalDate = z.string().nullish().transform((v) => v ?? undefined);

/** The Partner Center ServiceRequest resource, loosely: unknown fields ignored, enums in either form. */
export const serviceRequestSchema = z.object({
  id: z.union([z.string(), z.number()]).transform((v) => String(v)),
  title: optionalText,
  description: optionalText,
  severity: enumValue(SERVICE_REQUEST_SEVERITIES, 'unknown'),
  status: enumValue(SERVICE_REQUEST_STATUSES, 'none'),
  supportTopicName: optionalText,
  productName: optionalText,
  createdDate: optionalDate,
  lastModifiedDate: optionalDate,
  lastClosedDate: optionalDate,
  notes: z
    .array(
      z.object({
        createdByName: optionalText,
        createdDate: optionalText,
        text: optionalText,
      }),
    )
    .nullish()
    .transform((v) => v ?? []),
});

/** Normalizes a Partner Center ServiceRequest; undefined when the body is not one. */
export function normalizeServiceRequest(raw: unknown): ServiceRequest | undefined {
  const parsed = serviceRequestSchema.safeParse(raw);
  if (!parsed.success || !isValidServiceRequestId(parsed.data.id)) return undefined;
  const { createdDate, lastModifiedDate, lastClosedDate, ...rest } = parsed.data;
  return {
    ...rest,
    ...(createdDate ? { createdDate } : {}),
    ...(lastModifiedDate ? { lastModifiedDate } : {}),
    ...(lastClosedDate ? { lastClosedDate } : {}),
  };
}
