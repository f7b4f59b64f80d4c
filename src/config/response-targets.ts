/**
 * Per-customer overrides of the partner's own response target, from a JSON file the
 * deployment keeps (PARTNER_RESPONSE_TARGETS_FILE): `{ "<customer tenant id>": hours, … }`.
 * Partner Center's customer list carries no such figure, so a real directory's customers get
 * theirs here (the sandbox seed carries its own). Read once at start-up; a bad file stops it
 * with a message naming the setting.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from './types';

const SETTING = 'PARTNER_RESPONSE_TARGETS_FILE';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The same ceiling as PARTNER_RESPONSE_TARGET_HOURS: 30 days. */
const MAX_HOURS = 720;

/** Reads the overrides file: customer tenant id (lower-cased) → hours. No path, no overrides. */
export function readResponseTargets(path: string | undefined): Readonly<Record<string, number>> {
  if (path === undefined) return Object.freeze({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`Invalid setting ${SETTING}: cannot read the file ${path}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`Invalid setting ${SETTING}: ${path} is not JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError(`Invalid setting ${SETTING}: expected an object of customer tenant id → hours in ${path}`);
  }
  const targets: Record<string, number> = {};
  for (const [tenant, hours] of Object.entries(json)) {
    if (tenant.startsWith('$')) continue; // "$comment" and the like
    if (!GUID.test(tenant)) throw new ConfigError(`Invalid setting ${SETTING}: "${tenant.slice(0, 40)}" in ${path} is not a customer tenant id (a GUID)`);
    if (typeof hours !== 'number' || !(hours > 0 && hours <= MAX_HOURS)) {
      throw new ConfigError(`Invalid setting ${SETTING}: the hours of ${tenant} in ${path} must be a number above 0 and at most ${MAX_HOURS}`);
    }
    targets[tenant.toLowerCase()] = hours;
  }
  return Object.freeze(targets);
}
