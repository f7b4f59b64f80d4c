/**
 * Graph's GDAP and directory payloads (delegatedAdminRelationship, delegatedAdminAccessAssignment,
 * checkMemberGroups, group), read loosely (unknown fields ignored, enums in any case) and turned
 * into the domain's shapes.
 */
import { z } from 'zod';
import {
  ASSIGNMENT_STATUSES,
  RELATIONSHIP_STATUSES,
  type AssignmentStatus,
  type GdapAccessAssignment,
  type GdapRelationship,
  type RelationshipStatus,
} from '../domain/access';

/** An enum value compared case-insensitively (Graph documents camelCase, some payloads differ). */
function enumOf<T extends string>(values: readonly T[]) {
  return z.string().nullish().transform((raw): T => {
    const wanted = (raw ?? '').trim().toLowerCase();
    return values.find((v) => v.toLowerCase() === wanted) ?? ('unknownFutureValue' as T);
  });
}

/** An ISO time normalized to UTC with milliseconds; absent when empty or unreadable. */
const time = z
  .string()
  .nullish()
  .transform((raw) => {
    if (!raw) return undefined;
    const at = Date.parse(raw);
    return Number.isNaN(at) ? undefined : new Date(at).toISOString();
  });

const roles = z
  .object({ unifiedRoles: z.array(z.object({ roleDefinitionId: z.string() })).nullish() })
  .nullish()
  .transform((details) => (details?.unifiedRoles ?? []).map((r) => r.roleDefinitionId.toLowerCase()));

const relationship = z.object({
  id: z.string().min(1),
  displayName: z.string().nullish(),
  status: enumOf<RelationshipStatus>(RELATIONSHIP_STATUSES),
  endDateTime: time,
  autoExtendDuration: z.string().nullish(),
  customer: z.object({ tenantId: z.string().nullish() }).nullish(),
  accessDetails: roles,
});

const assignment = z.object({
  id: z.string().min(1),
  status: enumOf<AssignmentStatus>(ASSIGNMENT_STATUSES),
  accessContainer: z.object({ accessContainerId: z.string().min(1), accessContainerType: z.string().nullish() }),
  accessDetails: roles,
});

/** One page of a Graph collection of T. */
function page<T extends z.ZodType>(item: T) {
  return z.object({ value: z.array(item), '@odata.nextLink': z.string().nullish() });
}

export const RELATIONSHIP_PAGE = page(relationship);
export const ASSIGNMENT_PAGE = page(assignment);
/** checkMemberGroups answers a collection of group ids. */
export const MEMBER_GROUPS = z.object({ value: z.array(z.string()) });
export const GROUP = z.object({ id: z.string(), displayName: z.string().nullish() });

/** A relationship in the domain's shape. */
export function toRelationship(raw: z.output<typeof relationship>): GdapRelationship {
  return {
    id: raw.id,
    displayName: raw.displayName ?? raw.id,
    customerTenantId: (raw.customer?.tenantId ?? '').toLowerCase(),
    status: raw.status,
    ...(raw.endDateTime ? { endDateTime: raw.endDateTime } : {}),
    ...(raw.autoExtendDuration ? { autoExtendDuration: raw.autoExtendDuration } : {}),
    roleIds: raw.accessDetails,
  };
}

/** An assignment in the domain's shape; undefined for a container that is not a security group. */
export function toAssignment(raw: z.output<typeof assignment>, relationshipId: string): GdapAccessAssignment | undefined {
  const type = raw.accessContainer.accessContainerType;
  if (type && type.toLowerCase() !== 'securitygroup') return undefined;
  return {
    id: raw.id,
    relationshipId,
    status: raw.status,
    groupId: raw.accessContainer.accessContainerId.toLowerCase(),
    roleIds: raw.accessDetails,
  };
}
