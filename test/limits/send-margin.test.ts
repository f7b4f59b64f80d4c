import { strict as assert } from 'node:assert';
import { SendMargin } from '../../src/limits/send-margin';

describe('the outbox arrival margin (SendMargin)', () => {
  it('holds the base while Teams accepts the sends', () => {
    const margin = new SendMargin({ baseMs: 25 });
    for (let i = 0; i < 500; i++) assert.equal(margin.accepted(), 25);
  });

  it('a 429 doubles it (at least 100 ms, at most the ceiling) until enough sends in a row went through', () => {
    const margin = new SendMargin({ baseMs: 25, holdSends: 5, ceilingMs: 300 });
    assert.equal(margin.throttled(), 100, 'at least 100 ms');
    for (let i = 0; i < 4; i++) assert.equal(margin.accepted(), 100, `accepted send ${i + 1}: still raised`);
    assert.equal(margin.throttled(), 200, 'a second 429 doubles it and restarts the count');
    assert.equal(margin.throttled(), 300, 'held at the ceiling');
    for (let i = 0; i < 4; i++) margin.accepted();
    assert.equal(margin.ms, 300);
    assert.equal(margin.accepted(), 25, 'five sends in a row went through: back to the base');
  });

  it('a base of 100 is honoured; a ceiling below the base is lifted to it; the default base is none (windows held from answers)', () => {
    assert.equal(new SendMargin().ms, 0);
    assert.equal(new SendMargin().throttled(), 100, 'a 429 still raises it to at least 100 ms');
    assert.equal(new SendMargin({ baseMs: 100 }).ms, 100);
    const tight = new SendMargin({ baseMs: 50, ceilingMs: 10 });
    assert.equal(tight.ms, 50);
    assert.equal(tight.throttled(), 50);
  });
});
