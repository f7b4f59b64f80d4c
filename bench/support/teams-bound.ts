/** The shortest time Teams' send limits allow for a fan-out: what the notification benches compare against. */
import { SlidingWindowLimiter } from '../../src/limits/sliding-window';
import { TEAMS_CONVERSATION_WINDOWS, TEAMS_TENANT_WINDOWS } from '../../src/tracking/teams-limits';

/**
 * The shortest time in which Teams' limits let `perConversation[c]` sends reach each conversation
 * `c` of one tenant (a number: the same for each of `conversations`): a greedy schedule, which is
 * optimal for sliding windows (sending as early as allowed never delays a later send). With
 * `marginMs`, every window widened by it, as the outbox worker holds them (its arrival margin).
 */
export function lowerBoundMs(conversations: number, perConversation: number | readonly number[], marginMs = 0): number {
  const conv = new SlidingWindowLimiter(TEAMS_CONVERSATION_WINDOWS, 1, marginMs);
  const tenant = new SlidingWindowLimiter(TEAMS_TENANT_WINDOWS, 1, marginMs);
  const left = Array.from({ length: conversations }, (_, c) => (typeof perConversation === 'number' ? perConversation : (perConversation[c] ?? 0)));
  let now = 0;
  let remaining = left.reduce((a, b) => a + b, 0);
  for (let guard = 0; remaining > 0 && guard < 10_000_000; guard++) {
    let nextWait = Number.POSITIVE_INFINITY;
    for (let c = 0; c < conversations && remaining > 0; c++) {
      if (left[c] === 0) continue;
      const wait = Math.max(conv.waitMs(String(c), now), tenant.waitMs('t', now));
      if (wait === 0) {
        conv.record(String(c), now);
        tenant.record('t', now);
        left[c]--;
        remaining--;
      } else {
        nextWait = Math.min(nextWait, wait);
      }
    }
    if (remaining > 0 && Number.isFinite(nextWait)) now += nextWait;
  }
  return now;
}
