import { strict as assert } from 'node:assert';
import { ConfigError, loadConfig } from '../../src/config';

const load = (env: Record<string, string>) => loadConfig({ env, dotenvPath: null });
const refusal = (env: Record<string, string>): string => {
  try {
    load(env);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected start-up to be refused');
};

describe('config: the incident sweep', () => {
  it('defaults: every tenant every 5 minutes, incidents only, every service, one card update a minute', () => {
    assert.deepEqual(load({}).incidents, { sweepIntervalMs: 300_000, classifications: ['incident'], services: [], cardUpdateWindowMs: 60_000 });
  });

  it('reads lists in any case and spacing; 0 minutes turns the sweep off', () => {
    const c = load({ INCIDENT_CLASSIFICATIONS: ' Incident, ADVISORY ,incident', INCIDENT_SERVICES: 'Exchange Online, Microsoft Teams', INCIDENT_SWEEP_MINUTES: '0' });
    assert.deepEqual(c.incidents.classifications, ['incident', 'advisory']);
    assert.deepEqual(c.incidents.services, ['Exchange Online', 'Microsoft Teams']);
    assert.equal(c.incidents.sweepIntervalMs, 0);
  });

  it('refuses what it cannot read, naming the setting', () => {
    assert.equal(refusal({ INCIDENT_CLASSIFICATIONS: 'incident,outage' }), 'Invalid setting INCIDENT_CLASSIFICATIONS: expected a comma-separated list of incident | advisory');
    assert.match(refusal({ INCIDENT_SWEEP_MINUTES: 'often' }), /INCIDENT_SWEEP_MINUTES.*whole number from 0 to 1440/);
    assert.match(refusal({ INCIDENT_CARD_UPDATE_SECONDS: '1' }), /INCIDENT_CARD_UPDATE_SECONDS.*from 10 to 3600/);
  });
});
