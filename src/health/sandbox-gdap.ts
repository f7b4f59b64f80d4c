/**
 * The GDAP picture a sandbox customer may carry in `sandbox/health.json` (its optional `gdap`
 * section): relationships with their roles and access assignments, and who is in each group.
 * Ends may be given relative to the sandbox's clock (`endsInDays`), so "expiring in 10 days"
 * stays true whatever day the demo runs.
 */
import { z } from 'zod';
import { ASSIGNMENT_STATUSES, RELATIONSHIP_STATUSES } from '../domain/access';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const guid = z.string().regex(GUID, { message: 'expected a GUID' }).transform((v) => v.toLowerCase());

const assignmentSchema = z.object({
  id: z.string().min(1),
  status: z.enum(ASSIGNMENT_STATUSES).default('active'),
  groupId: guid,
  groupName: z.string().min(1).optional(),
  roles: z.array(guid),
  /** Who is in the group: every engineer, nobody, or these Entra object ids. */
  members: z.union([z.literal('everyone'), z.literal('nobody'), z.array(guid)]).default('everyone'),
});

const relationshipSchema = z
  .object({
    id: z.string().min(1),
    displayName: z.string().min(1),
    status: z.enum(RELATIONSHIP_STATUSES).default('active'),
    endDateTime: z.iso.datetime({ offset: true }).optional(),
    /** The end, in days from when the bot started (may be negative: ended that long ago). */
    endsInDays: z.number().optional(),
    autoExtendDuration: z.string().default('PT0S'),
    roles: z.array(guid),
    accessAssignments: z.array(assignmentSchema).default([]),
  })
  .refine((r) => !(r.endDateTime && r.endsInDays !== undefined), { message: 'give endDateTime or endsInDays, not both' });

/** The optional `gdap` section of a sandbox customer. */
export const sandboxGdapSchema = z.object({ relationships: z.array(relationshipSchema).default([]) });

/** A sandbox customer's GDAP picture, validated. */
export type SandboxGdap = z.output<typeof sandboxGdapSchema>;

/** A security group of the partner's own tenant that no customer's assignment names (the consent admin group, for one). */
export const sandboxPartnerGroupSchema = z.object({
  id: guid,
  name: z.string().min(1).optional(),
  /** Who is in the group: every engineer, nobody, or these Entra object ids. */
  members: z.union([z.literal('everyone'), z.literal('nobody'), z.array(guid)]).default('nobody'),
});

/** A partner group of the sandbox, validated. */
export type SandboxPartnerGroup = z.output<typeof sandboxPartnerGroupSchema>;
