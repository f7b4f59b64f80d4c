/**
 * GDAP readiness inside a turn: the engineer's Entra object id as Teams sends it, and the
 * readiness read within the turn's time budget (a slow Graph gives "still being checked", never
 * a held turn; the read goes on filling the cache for the next ask).
 */
import { accessCheckFrom, readGdap, type GdapRead } from '../access/readiness';
import type { AccessProvider } from '../access/types';
import type { HealthAccessFact } from '../domain/access';
import type { AccessCheck } from '../domain/access-check';
import type { Clock } from '../domain/clock';
import type { HealthCheckFailure } from '../domain/health-check';
import type { HandlerContext } from './bot';
import { within } from './within';

/**
 * The engineer's Entra object id (`from.aadObjectId`), as sent: a local client's may not be a
 * GUID (the Agents Playground's is not), which the sandbox accepts and Graph refuses.
 */
export function engineerIdOf(ctx: HandlerContext): string | undefined {
  const id: unknown = ctx.turn.activity.from?.aadObjectId;
  return typeof id === 'string' && id.trim() !== '' ? id.trim().slice(0, 128) : undefined;
}

/** A GDAP read started now for the turn's engineer; never rejects. */
export function startGdapRead(provider: AccessProvider, ctx: HandlerContext, customerTenantId: string, clock: Clock): Promise<GdapRead> {
  return readGdap(provider, customerTenantId, engineerIdOf(ctx), () => clock.now());
}

/** A GDAP read waited for at most `ms` from now: 'late' after (the read itself never rejects). */
export function gdapWithin(read: Promise<GdapRead>, ms: number): Promise<GdapRead | 'late'> {
  return within(read, ms).catch(() => 'late' as const);
}

/** The check from a GDAP read within `ms`: "still being checked" when Graph is slower. */
export async function checkWithin(read: Promise<GdapRead>, health: HealthAccessFact, ms: number, clock: Clock): Promise<{ check: AccessCheck; read?: GdapRead }> {
  const done = await gdapWithin(read, ms);
  if (done === 'late') return { check: { outcome: 'not_checked', at: clock.now().toISOString(), failure: 'timeout' } };
  return { check: accessCheckFrom(done, health, clock.now()), read: done };
}

/** What the health lookup said of the health app's access, for readiness. */
export function healthFactOf(looked: { readonly overview: unknown } | { readonly failure: HealthCheckFailure } | 'late'): HealthAccessFact {
  if (looked === 'late') return { state: 'not_checked' };
  return 'failure' in looked ? { state: 'failed', failure: looked.failure } : { state: 'readable' };
}
