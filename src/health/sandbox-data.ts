/**
 * The sandbox seed (`sandbox/health.json`): fictional customers and their service health
 * in Graph's own shape, validated at load with messages that point at the bad field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { graphIssueSchema, graphServiceHealthSchema } from './graph-shape';
import { sandboxGdapSchema, sandboxPartnerGroupSchema, type SandboxGdap, type SandboxPartnerGroup } from './sandbox-gdap';
import { isOpenIssue, type HealthIssue, type ServiceHealth } from './types';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How the sandbox answers for a tenant: readable, Graph's 403 (`denied`), or Entra refusing a token (`unconsented`). */
export const SANDBOX_HEALTH_ACCESS = ['granted', 'denied', 'unconsented'] as const;

const customerSchema = z.object({
  tenantId: z.string().regex(GUID, { message: 'expected a tenant GUID' }),
  companyName: z.string().min(1),
  domain: z.string().min(3),
  /** The customer's language (BCP 47, e.g. `ko-KR`): notices to it are drafted in it. */
  language: z.string().min(2).max(35).optional(),
  /** The partner's own response target for this customer, in hours (the directory's override of PARTNER_RESPONSE_TARGET_HOURS). */
  responseTargetHours: z.number().positive().max(720).optional(),
  healthAccess: z.enum(SANDBOX_HEALTH_ACCESS).default('granted'),
  /** Absent: the file's `defaultServices`, all operational. */
  healthOverviews: z.array(graphServiceHealthSchema(true)).optional(),
  /** The customer's GDAP picture for ACCESS_SOURCE=sandbox (absent: no relationship). */
  gdap: sandboxGdapSchema.optional(),
});

/** A service every customer has unless it lists its own `healthOverviews`. */
const defaultServiceSchema = z.object({ id: z.string().min(1), service: z.string().min(1) });

/** One issue shared by several tenants: written once, put into each tenant's service `serviceId`. */
const sharedIssueSchema = z.object({
  $comment: z.string().optional(),
  serviceId: z.string().min(1),
  tenants: z.array(z.string().regex(GUID, { message: 'expected a tenant GUID' })).min(1),
  issue: graphIssueSchema(true),
});

const fileSchema = z
  .object({
    $comment: z.string().optional(),
    defaultServices: z.array(defaultServiceSchema).default([]),
    customers: z.array(customerSchema).min(1),
    sharedIssues: z.array(sharedIssueSchema).default([]),
    /** Groups of the partner tenant besides the customers' assignments (ACCESS_SOURCE=sandbox): e.g. the consent admin group. */
    partnerGroups: z.array(sandboxPartnerGroupSchema).default([]),
  })
  .superRefine((data, ctx) => {
    const tenants = new Set<string>();
    data.sharedIssues.forEach((shared, i) => {
      shared.tenants.forEach((tenant, t) => {
        if (!data.customers.some((c) => c.tenantId.toLowerCase() === tenant.toLowerCase())) {
          ctx.addIssue({ code: 'custom', path: ['sharedIssues', i, 'tenants', t], message: 'not a customer of this file' });
        }
      });
    });
    data.customers.forEach((customer, c) => {
      const tenant = customer.tenantId.toLowerCase();
      if (tenants.has(tenant)) ctx.addIssue({ code: 'custom', path: ['customers', c, 'tenantId'], message: 'duplicate tenantId' });
      tenants.add(tenant);
      const issueIds = new Set<string>();
      for (const shared of data.sharedIssues) {
        if (shared.tenants.some((t) => t.toLowerCase() === tenant)) issueIds.add(shared.issue.id);
      }
      (customer.healthOverviews ?? []).forEach((service, s) => {
        service.issues.forEach((issue, i) => {
          const path = ['customers', c, 'healthOverviews', s, 'issues', i];
          if (issueIds.has(issue.id)) ctx.addIssue({ code: 'custom', path: [...path, 'id'], message: `duplicate issue id ${issue.id}` });
          issueIds.add(issue.id);
          if (issue.service !== service.service) {
            ctx.addIssue({ code: 'custom', path: [...path, 'service'], message: `expected "${service.service}" like its service` });
          }
        });
      });
    });
  });

/** One sandbox customer and its service health. */
export interface SandboxCustomer {
  readonly tenantId: string;
  readonly companyName: string;
  readonly domain: string;
  readonly language?: string;
  readonly responseTargetHours?: number;
  readonly healthAccess: (typeof SANDBOX_HEALTH_ACCESS)[number];
  readonly services: readonly ServiceHealth[];
  readonly gdap?: SandboxGdap;
}

/** The parsed sandbox seed. */
export interface SandboxData {
  readonly customers: readonly SandboxCustomer[];
  /** The partner tenant's own groups the seed names (ACCESS_SOURCE=sandbox). */
  readonly partnerGroups?: readonly SandboxPartnerGroup[];
}

/** The sandbox seed file was unreadable or invalid; the message names the file and the field. */
export class SandboxDataError extends Error {
  override readonly name = 'SandboxDataError';
}

/** Where the seed is: the repo's `sandbox/health.json`, from `dist/src/health` or from `src/health`. */
export function defaultSandboxHealthPath(): string {
  const fromDist = resolve(__dirname, '..', '..', '..', 'sandbox', 'health.json');
  return existsSync(fromDist) ? fromDist : resolve(__dirname, '..', '..', 'sandbox', 'health.json');
}

/** Validates sandbox data already parsed from JSON. */
export function parseSandboxData(json: unknown, source = 'sandbox data'): SandboxData {
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    throw new SandboxDataError(`${source} is invalid:\n${z.prettifyError(parsed.error)}`);
  }
  const { defaultServices, sharedIssues, partnerGroups } = parsed.data;
  return {
    partnerGroups,
    customers: parsed.data.customers.map((c) => {
      const tenantId = c.tenantId.toLowerCase();
      let services: ServiceHealth[] =
        c.healthOverviews ?? defaultServices.map((d) => ({ id: d.id, service: d.service, status: 'serviceOperational' as const, issues: [] }));
      for (const shared of sharedIssues) {
        if (shared.tenants.some((t) => t.toLowerCase() === tenantId)) services = withSharedIssue(services, shared.serviceId, shared.issue);
      }
      return {
        tenantId,
        companyName: c.companyName,
        domain: c.domain,
        ...(c.language ? { language: c.language } : {}),
        ...(c.responseTargetHours === undefined ? {} : { responseTargetHours: c.responseTargetHours }),
        healthAccess: c.healthAccess,
        services,
        ...(c.gdap ? { gdap: c.gdap } : {}),
      };
    }),
  };
}

/**
 * A tenant's services with a shared issue put first in service `serviceId` (added if the tenant
 * lacks it); an operational service takes the open issue's status.
 */
export function withSharedIssue(services: readonly ServiceHealth[], serviceId: string, issue: HealthIssue): ServiceHealth[] {
  const wanted = serviceId.toLowerCase();
  const index = services.findIndex((s) => s.id.toLowerCase() === wanted || s.service.toLowerCase() === wanted);
  const service: ServiceHealth = index >= 0 ? services[index] : { id: serviceId, service: issue.service, status: 'serviceOperational', issues: [] };
  const issues = [issue, ...service.issues.filter((i) => i.id !== issue.id)];
  const status = service.status === 'serviceOperational' && isOpenIssue(issue) ? issue.status : service.status;
  const next = [...services];
  if (index >= 0) next[index] = { ...service, issues, status };
  else next.push({ ...service, issues, status });
  return next;
}

/** Reads and validates the sandbox seed file. */
export function loadSandboxData(path: string = defaultSandboxHealthPath()): SandboxData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new SandboxDataError(`Cannot read the sandbox data file ${path}.`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new SandboxDataError(`${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return parseSandboxData(json, path);
}
