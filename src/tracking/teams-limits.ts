/**
 * Teams' limits on proactive sends (PRODUCT.md): per bot per conversation 7 sends / 1 s,
 * 8 / 2 s, 60 / 30 s and 1800 / hour, and about 50 requests / s per app per tenant. The outbox
 * worker holds them with the project's sliding-window limiter (`limits/sliding-window.ts`).
 */
import type { RateWindow } from '../limits/sliding-window';

/** Teams' per-conversation limits. */
export const TEAMS_CONVERSATION_WINDOWS: readonly RateWindow[] = Object.freeze([
  { limit: 7, windowMs: 1_000 },
  { limit: 8, windowMs: 2_000 },
  { limit: 60, windowMs: 30_000 },
  { limit: 1_800, windowMs: 3_600_000 },
]);

/** Teams' per-tenant limit for one app. */
export const TEAMS_TENANT_WINDOWS: readonly RateWindow[] = Object.freeze([{ limit: 50, windowMs: 1_000 }]);
