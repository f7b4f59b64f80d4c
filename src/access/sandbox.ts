/**
 * GDAP access from the sandbox seed (ACCESS_SOURCE=sandbox, the default): each sandbox
 * customer's `gdap` section in `sandbox/health.json`, so a newcomer sees every readiness case
 * without a partner tenant. A customer without a section has no relationship at all.
 */
import type { GdapAccessAssignment, GdapRelationship } from '../domain/access';
import type { Clock } from '../domain/clock';
import type { SandboxGdap, SandboxPartnerGroup } from '../health/sandbox-gdap';
import { checkGuid, type AccessProvider, type CustomerAccess, type Snapshot } from './types';

/** One sandbox customer as the access sandbox needs it. */
export interface SandboxAccessCustomer {
  readonly tenantId: string;
  readonly gdap?: SandboxGdap;
}

const DAY_MS = 86_400_000;

/** The sandbox's GDAP answers. */
export class SandboxAccessProvider implements AccessProvider {
  private readonly customers = new Map<string, SandboxGdap>();
  /** Group id → who is in it (the same group may serve several customers). */
  private readonly members = new Map<string, 'everyone' | 'nobody' | readonly string[]>();
  /**
   * What `endsInDays` counts from: when the provider was built, so an end stays put while the bot
   * runs (a reminder per relationship and end date must not meet a new end at every read).
   */
  private readonly startedAt: number;

  constructor(
    customers: readonly SandboxAccessCustomer[],
    private readonly clock: Clock,
    /** The partner tenant's own groups (the consent admin group, for one). */
    partnerGroups: readonly SandboxPartnerGroup[] = [],
  ) {
    this.startedAt = clock.now().getTime();
    for (const group of partnerGroups) this.members.set(group.id, group.members);
    for (const customer of customers) {
      if (!customer.gdap) continue;
      this.customers.set(customer.tenantId.toLowerCase(), customer.gdap);
      for (const relationship of customer.gdap.relationships) {
        for (const assignment of relationship.accessAssignments) {
          const known = this.members.get(assignment.groupId);
          if (known !== undefined && JSON.stringify(known) !== JSON.stringify(assignment.members)) {
            throw new RangeError(`Sandbox group ${assignment.groupId} is given different members in two places.`);
          }
          this.members.set(assignment.groupId, assignment.members);
        }
      }
    }
  }

  /** The customer's relationships and the active ones' assignments. */
  getCustomerAccess(customerTenantId: string): Promise<Snapshot<CustomerAccess>> {
    return Promise.resolve().then(() => {
      const tenant = checkGuid(customerTenantId, 'A customer tenant id');
      const relationships = this.relationshipsOf(tenant);
      const active = new Set(relationships.filter((r) => r.status === 'active').map((r) => r.id));
      const assignments: GdapAccessAssignment[] = (this.customers.get(tenant)?.relationships ?? [])
        .filter((r) => active.has(r.id))
        .flatMap((r) =>
          r.accessAssignments.map((a) => ({
            id: a.id,
            relationshipId: r.id,
            status: a.status,
            groupId: a.groupId,
            ...(a.groupName ? { groupName: a.groupName } : {}),
            roleIds: a.roles,
          })),
        );
      return this.snapshot({ customerTenantId: tenant, relationships, assignments });
    });
  }

  /** The groups among `groupIds` the user is in, as the seed says. */
  memberGroups(userObjectId: string, groupIds: readonly string[]): Promise<Snapshot<readonly string[]>> {
    return Promise.resolve().then(() => {
      const user = userObjectId.toLowerCase();
      const member = groupIds
        .map((g) => g.toLowerCase())
        .filter((g) => {
          const members = this.members.get(g);
          return members === 'everyone' || (Array.isArray(members) && members.includes(user));
        });
      return this.snapshot([...new Set(member)]);
    });
  }

  /** Every seeded relationship. */
  listRelationships(): Promise<Snapshot<readonly GdapRelationship[]>> {
    return Promise.resolve().then(() => this.snapshot([...this.customers.keys()].flatMap((tenant) => this.relationshipsOf(tenant))));
  }

  private relationshipsOf(tenant: string): GdapRelationship[] {
    return (this.customers.get(tenant)?.relationships ?? []).map((r) => {
      const end = r.endsInDays !== undefined ? new Date(this.startedAt + r.endsInDays * DAY_MS).toISOString() : r.endDateTime;
      return {
        id: r.id,
        displayName: r.displayName,
        customerTenantId: tenant,
        status: r.status,
        ...(end ? { endDateTime: new Date(end).toISOString() } : {}),
        autoExtendDuration: r.autoExtendDuration,
        roleIds: r.roles,
      };
    });
  }

  private snapshot<T>(value: T): Snapshot<T> {
    return { value, fetchedAt: this.clock.now().toISOString(), stale: false };
  }
}
