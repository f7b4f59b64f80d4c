import { strict as assert } from 'node:assert';
import { escalationIdFor } from '../../src/domain/escalation-id';

describe('domain/escalation-id', () => {
  it('derives the same id as every stored escalation was given (a refresh by flow id finds it)', () => {
    assert.equal(escalationIdFor('0b6f0c1e-0000-4000-8000-000000000001'), 'ED-K9NJ5QKF');
    assert.equal(escalationIdFor('flow-0000001'), 'ED-ZG1HQ0YN');
  });

  it('is ED- and eight Crockford base-32 characters (no I, L, O or U), the same for the same flow', () => {
    for (let i = 0; i < 200; i += 1) {
      const id = escalationIdFor(`flow-${i}`);
      assert.match(id, /^ED-[0-9A-HJKMNP-TV-Z]{8}$/);
      assert.equal(escalationIdFor(`flow-${i}`), id);
    }
  });

  it('gives different flows different ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, (_, i) => escalationIdFor(`flow-${i}`)));
    assert.equal(ids.size, 1000);
  });
});
