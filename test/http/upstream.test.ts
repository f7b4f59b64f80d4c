import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import { UpstreamError, UpstreamStatusError } from '../../src/http/errors';
import { collectPages } from '../../src/http/paging';
import { parseRetryAfter } from '../../src/http/retry-after';
import { UpstreamClient, type RetryPolicy } from '../../src/http/upstream';
import { HttpDouble, recordingSleep, runLogger, type Reply } from './helpers/http-double';

const FAST: Partial<RetryPolicy> = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxTotalMs: 5_000, attemptTimeoutMs: 1_000 };

/** Answers with the scripted replies in order, then with the last one. */
function script(...replies: Reply[]) {
  let i = 0;
  return () => replies[Math.min(i++, replies.length - 1)];
}

describe('UpstreamClient', () => {
  let double: HttpDouble | undefined;
  afterEach(async () => {
    await double?.close();
    double = undefined;
  });

  it('waits out a 429 Retry-After in seconds, then succeeds', async () => {
    double = await HttpDouble.start(script({ status: 429, headers: { 'retry-after': '2' } }, { json: { ok: true } }));
    const { waits, sleep } = recordingSleep();
    const client = new UpstreamClient({ upstream: 'Test', logger: runLogger(), policy: FAST, sleep, random: () => 0 });
    assert.deepEqual(await client.json({ url: `${double.url}/x` }), { ok: true });
    assert.equal(double.requests.length, 2);
    assert.deepEqual(waits, [2000]);
  });

  it('reads a Retry-After HTTP date against the injected clock', async () => {
    const clock = new ManualClock('2025-03-10T10:00:00Z');
    double = await HttpDouble.start(
      script({ status: 429, headers: { 'retry-after': 'Mon, 10 Mar 2025 10:00:03 GMT' } }, { json: { ok: true } }),
    );
    const { waits, sleep } = recordingSleep();
    const client = new UpstreamClient({ upstream: 'Test', logger: runLogger(), policy: FAST, sleep, clock, random: () => 0 });
    await client.json({ url: `${double.url}/x` });
    assert.deepEqual(waits, [3000]);
  });

  it('retries 503 with jittered capped backoff, then succeeds', async () => {
    double = await HttpDouble.start(script({ status: 503 }, { status: 503 }, { status: 502 }, { json: [1] }));
    const { waits, sleep } = recordingSleep();
    const client = new UpstreamClient({ upstream: 'Test', logger: runLogger(), policy: FAST, sleep, random: () => 0.5 });
    assert.deepEqual(await client.json({ url: `${double.url}/x` }), [1]);
    assert.equal(double.requests.length, 4);
    // steps 5, 10, 20 (capped at maxDelayMs 20); equal jitter puts each in [step/2, step].
    assert.deepEqual(waits, [3.75, 7.5, 15]);
  });

  it('retries a timed-out attempt, then succeeds', async () => {
    double = await HttpDouble.start(script({ delayMs: 500, json: { slow: true } }, { json: { slow: false } }));
    const client = new UpstreamClient({
      upstream: 'Test',
      logger: runLogger(),
      policy: { ...FAST, attemptTimeoutMs: 100 },
      sleep: recordingSleep().sleep,
    });
    assert.deepEqual(await client.json({ url: `${double.url}/x` }), { slow: false });
    assert.equal(double.requests.length, 2);
  });

  it('gives up after maxAttempts with a user-safe UpstreamError', async () => {
    double = await HttpDouble.start(() => ({ status: 503, raw: 'secret internals' }));
    const client = new UpstreamClient({ upstream: 'Test', logger: runLogger(), policy: FAST, sleep: recordingSleep().sleep });
    const error = await client.json({ url: `${double.url}/x` }).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.failure, 'unavailable');
    assert.equal(error.lastStatus, 503);
    assert.equal(error.attempts, 4);
    assert.doesNotMatch(error.message, /secret/);
    assert.equal(double.requests.length, 4);
  });

  it('stops within the total time budget even with attempts left', async () => {
    double = await HttpDouble.start(() => ({ status: 500 }));
    const clock = new ManualClock();
    const sleep = (ms: number) => {
      clock.advance(ms);
      return Promise.resolve();
    };
    const client = new UpstreamClient({
      upstream: 'Test',
      logger: runLogger(),
      clock,
      sleep,
      random: () => 1,
      policy: { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1_000, maxTotalMs: 350, attemptTimeoutMs: 1_000 },
    });
    await assert.rejects(client.json({ url: `${double.url}/x` }), UpstreamError);
    // waits 100 then 200 fit in 350 ms; the third (400) would not.
    assert.equal(double.requests.length, 3);
  });

  it('does not wait out a Retry-After beyond the cap: fails as throttled with the retry time', async () => {
    const clock = new ManualClock('2025-03-10T10:00:00Z');
    double = await HttpDouble.start(() => ({ status: 429, headers: { 'retry-after': '120' } }));
    const client = new UpstreamClient({ upstream: 'Test', logger: runLogger(), policy: FAST, clock, sleep: recordingSleep().sleep });
    const error = await client.json({ url: `${double.url}/x` }).catch((e: unknown) => e);
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.failure, 'throttled');
    assert.equal(error.retryAt?.toISOString(), '2025-03-10T10:02:00.000Z');
    assert.equal(double.requests.length, 1);
  });

  it('sends the same custom headers on every retry (MS-RequestId idempotency)', async () => {
    double = await HttpDouble.start(script({ status: 503 }, { status: 429, headers: { 'retry-after': '0' } }, { json: {} }));
    const client = new UpstreamClient({ upstream: 'Test', logger: runLogger(), policy: FAST, sleep: recordingSleep().sleep });
    await client.json({ url: `${double.url}/x`, method: 'PATCH', body: { Status: 'closed' }, headers: { 'MS-RequestId': 'abc' } });
    assert.deepEqual(
      double.requests.map((r) => [r.method, r.headers['ms-requestid'], r.body]),
      Array(3).fill(['PATCH', 'abc', '{"Status":"closed"}']),
    );
  });

  it('does not retry a 400 and reports the service error code', async () => {
    double = await HttpDouble.start(() => ({ status: 400, json: { error: { code: 'BadRequest', message: 'x' } } }));
    const client = new UpstreamClient({ upstream: 'Test', logger: runLogger(), policy: FAST, sleep: recordingSleep().sleep });
    const error = await client.json({ url: `${double.url}/x` }).catch((e: unknown) => e);
    assert.ok(error instanceof UpstreamStatusError);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'BadRequest');
    assert.equal(double.requests.length, 1);
  });

  it('turns a malformed JSON body into UpstreamError(malformed)', async () => {
    double = await HttpDouble.start(() => ({ raw: '{"value": [' }));
    const client = new UpstreamClient({ upstream: 'Test', logger: runLogger(), policy: FAST });
    const error = await client.json({ url: `${double.url}/x` }).catch((e: unknown) => e);
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.failure, 'malformed');
  });

  it('asks for a bearer token before each attempt', async () => {
    double = await HttpDouble.start(script({ status: 503 }, { json: {} }));
    let issued = 0;
    const client = new UpstreamClient({ upstream: 'Test', logger: runLogger(), policy: FAST, sleep: recordingSleep().sleep });
    await client.json({ url: `${double.url}/x`, bearerToken: () => Promise.resolve(`t${++issued}`) });
    assert.deepEqual(double.requests.map((r) => r.headers.authorization), ['Bearer t1', 'Bearer t2']);
  });
});

describe('collectPages', () => {
  let double: HttpDouble | undefined;
  afterEach(async () => {
    await double?.close();
    double = undefined;
  });

  it('refuses a next link to another origin (the bearer token must not leave)', async () => {
    double = await HttpDouble.start(() => ({ json: { value: [1], next: 'http://127.0.0.2:1/steal' } }));
    const client = new UpstreamClient({ upstream: 'Test', logger: runLogger(), policy: FAST });
    const read = (body: unknown) => {
      const b = body as { value: number[]; next: string };
      return { items: b.value, next: { url: b.next } };
    };
    await assert.rejects(collectPages(client, { url: `${double.url}/list` }, read), UpstreamError);
    assert.equal(double.requests.length, 1);
  });

  it('stops a next link that loops back to a page already read', async () => {
    double = await HttpDouble.start((req, d) => ({ json: { value: [req.url], next: `${d.url}/list` } }));
    const client = new UpstreamClient({ upstream: 'Test', logger: runLogger(), policy: FAST });
    const read = (body: unknown) => {
      const b = body as { value: string[]; next: string };
      return { items: b.value, next: { url: b.next } };
    };
    await assert.rejects(collectPages(client, { url: `${double.url}/list` }, read), UpstreamError);
    assert.equal(double.requests.length, 1);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2025-03-10T10:00:00Z');
  const cases: [string | null, number | undefined][] = [
    [null, undefined],
    ['', undefined],
    ['0', 0],
    ['7', 7000],
    ['1.5', 1500],
    ['Mon, 10 Mar 2025 10:00:30 GMT', 30_000],
    ['Mon, 10 Mar 2025 09:59:00 GMT', 0],
    ['soon', undefined],
  ];
  for (const [value, expected] of cases) {
    it(`${JSON.stringify(value)} → ${String(expected)}`, () => {
      assert.equal(parseRetryAfter(value, now), expected);
    });
  }
});
