/**
 * What the desk's conversation needs of GDAP, built once by the composition root: the cached
 * provider every readiness line reads, an uncached view of group membership for the one check
 * that must be current (who may grant consent), and the consent grant with its record.
 */
import type { HealthConsentGranter } from './consent';
import type { ConsentLedger } from './consent-ledger';
import type { AccessProvider } from './types';

/** GDAP readiness and the health-consent grant, as the flow and the commands use them. */
export interface AccessDesk {
  /** The cached, coalescing provider (one instance for the whole app). */
  readonly provider: AccessProvider;
  /** Group membership asked of the source itself, never the cache: a removed admin is refused at once. */
  readonly freshMembership: Pick<AccessProvider, 'memberGroups'>;
  /** Members of this partner-tenant group may grant the health app's consent; none: nobody may. */
  readonly consentAdminGroupId?: string;
  /** The consent grant; undefined when this deployment cannot make one (no Partner Center user, no Graph health). */
  readonly consent?: HealthConsentGranter;
  readonly ledger: ConsentLedger;
}
