/**
 * The sandbox seed (`sandbox/health.json`): fictional customers and their service health
 * in Graph's own shape, validated at load with messages that point at the bad field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { sandboxGdapSchema, type SandboxGdap } from './sandbox-gdap';
import { graphServiceHealthSchema } from './graph-shape';
import type { ServiceHealth } from './types';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const customerSchema = z.object({
  tenantId: z.string().regex(GUID, { message: 'expected a tenant GUID' }),
  companyName: z.string().min(1),
  domain: z.string().min(3),
  /** 'denied' makes the sandbox answer like Graph's 403 for this tenant. */
  healthAccess: z.enum(['granted', 'denied']).default('granted'),
  healthOverviews: z.array(graphServiceHealthSchema(true)).default([]),
  /** The customer's GDAP picture for ACCESS_SOURCE=sandbox (absent: no relationship). */
  gdap: sandboxGdapSchema.optional(),
});

const fileSchema = z
  .object({ $comment: z.string().optional(), customers: z.array(customerSchema).min(1) })
  .superRefine((data, ctx) => {
    const tenants = new Set<string>();
    data.customers.forEach((customer, c) => {
      const tenant = customer.tenantId.toLowerCase();
      if (tenants.has(tenant)) ctx.addIssue({ code: 'custom', path: ['customers', c, 'tenantId'], message: 'duplicate tenantId' });
      tenants.add(tenant);
      const issueIds = new Set<string>();
      customer.healthOverviews.forEach((service, s) => {
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
  readonly healthAccess: 'granted' | 'denied';
  readonly services: readonly ServiceHealth[];
  readonly gdap?: SandboxGdap;
}

/** The parsed sandbox seed. */
export interface SandboxData {
  readonly customers: readonly SandboxCustomer[];
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
  return {
    customers: parsed.data.customers.map((c) => ({
      tenantId: c.tenantId.toLowerCase(),
      companyName: c.companyName,
      domain: c.domain,
      healthAccess: c.healthAccess,
      services: c.healthOverviews,
      ...(c.gdap ? { gdap: c.gdap } : {}),
    })),
  };
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
