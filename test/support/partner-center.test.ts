/** The Partner Center support provider against local Partner Center and token doubles. */
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import { UpstreamError } from '../../src/http/errors';
import { UpstreamClient } from '../../src/http/upstream';
import { PartnerCenterSupportProvider, RefreshTokenSource } from '../../src/support/partner-center';
import {
  SupportAccessError,
  UnknownServiceRequestError,
  UnsupportedSupportOperationError,
  isValidServiceRequestId,
  normalizeServiceRequest,
} from '../../src/support/types';
import { GUID_PATTERN, recordingSleep, runLogger } from '../http/helpers/http-double';
import { PartnerCenterDouble } from '../helpers/partner-center-double';

const PARTNER = '22222222-2222-2222-2222-222222222222';
const CUSTOMER = '11111111-1111-1111-1111-111111111111';

interface Rig {
  readonly double: PartnerCenterDouble;
  readonly provider: PartnerCenterSupportProvider;
  readonly waits: number[];
  readonly clock: ManualClock;
}

async function rig(): Promise<Rig> {
  const double = await PartnerCenterDouble.start();
  const logger = runLogger();
  const clock = new ManualClock('2025-03-10T10:00:00Z');
  const { waits, sleep } = recordingSleep();
  const tokens = new RefreshTokenSource({
    loginEndpoint: double.url,
    partnerTenantId: PARTNER,
    clientId: 'app',
    clientSecret: 'secret',
    refreshToken: 'refresh-token-from-sam',
    clock,
    logger,
  });
  const http = new UpstreamClient({
    upstream: 'Partner Center',
    logger,
    clock,
    sleep,
    random: () => 0.5,
    policy: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, attemptTimeoutMs: 2_000, maxTotalMs: 60_000 },
  });
  const provider = new PartnerCenterSupportProvider({ partnerCenterEndpoint: double.url, tokens, http, logger });
  return { double, provider, waits, clock };
}

describe('PartnerCenterSupportProvider against local Partner Center and token doubles', function () {
  let current: Rig | undefined;
  afterEach(async function () {
    await current?.double.close();
    current = undefined;
  });

  it('reads a request with the Partner Center headers and an App+User token from the refresh token', async function () {
    current = await rig();
    current.double.put({ id: '2503100010000123', severity: 2, status: 3, notes: [{ createdByName: 'Microsoft Support', createdDate: '2025-03-10T09:30:00Z', text: 'Need logs' }] });
    const request = await current.provider.getRequest('2503100010000123');
    assert.equal(request.severity, 'moderate');
    assert.equal(request.status, 'attention_needed');
    assert.equal(request.notes.length, 1);
    const [call] = current.double.apiRequests();
    assert.equal(call.url, '/v1/servicerequests/2503100010000123');
    assert.match(String(call.headers['ms-requestid']), GUID_PATTERN);
    assert.match(String(call.headers['ms-correlationid']), GUID_PATTERN);
    assert.equal(call.headers.accept, 'application/json');
    assert.equal(call.headers.authorization, 'Bearer pc-user-token-1');
    const [token] = current.double.tokenRequests();
    assert.ok(token.url.startsWith(`/${PARTNER}/oauth2/v2.0/token`), 'authority is the partner tenant');
    const form = new URLSearchParams(token.body);
    assert.equal(form.get('grant_type'), 'refresh_token');
    assert.equal(form.get('refresh_token'), 'refresh-token-from-sam');
    assert.ok(form.get('scope')?.includes('https://api.partnercenter.microsoft.com/user_impersonation'));
  });

  it('keeps the access token until shortly before it expires', async function () {
    current = await rig();
    current.double.put({ id: '1' });
    await current.provider.getRequest('1');
    current.clock.advance(50 * 60_000);
    await current.provider.getRequest('1');
    assert.equal(current.double.tokenRequests().length, 1, 'cached while fresh');
    current.clock.advance(6 * 60_000);
    await current.provider.getRequest('1');
    assert.equal(current.double.tokenRequests().length, 2, 'renewed within 5 minutes of expiry');
  });

  it('reuses MS-RequestId on the retries of one call and waits out Retry-After', async function () {
    current = await rig();
    current.double.put({ id: '42' });
    current.double.failNext({ status: 429, headers: { 'retry-after': '3' } }, { status: 503 }, { status: 502 });
    const request = await current.provider.getRequest('42');
    assert.equal(request.id, '42');
    const calls = current.double.apiRequests();
    assert.equal(calls.length, 4);
    assert.equal(new Set(calls.map((c) => c.headers['ms-requestid'])).size, 1, 'one MS-RequestId across retries');
    assert.equal(current.waits.length, 3);
    assert.ok(current.waits[0] >= 3_000, 'Retry-After is a floor');
    assert.ok(current.waits[1] < 3_000 && current.waits[2] >= current.waits[1], '5xx: exponential backoff');
    await current.provider.getRequest('42');
    assert.notEqual(current.double.apiRequests()[4].headers['ms-requestid'], calls[0].headers['ms-requestid'], 'a new call, a new id');
  });

  it('gives up on a request that stays down with an UpstreamError', async function () {
    current = await rig();
    current.double.put({ id: '42' });
    current.double.failNext({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    await assert.rejects(current.provider.getRequest('42'), (e: unknown) => e instanceof UpstreamError && e.failure === 'unavailable');
  });

  it('adds a note and closes, whether Partner Center answers 200 with the request or 204', async function () {
    current = await rig();
    current.double.put({ id: '77' });
    const noted = await current.provider.addNote('77', 'Message trace attached');
    assert.equal(noted?.notes.at(-1)?.text, 'Message trace attached');
    const patch = current.double.apiRequests().find((r) => r.method === 'PATCH');
    assert.deepEqual(JSON.parse(patch?.body ?? ''), { NewNote: { Text: 'Message trace attached' } });
    current.double.patchNoContent = true;
    assert.equal(await current.provider.setStatus('77', 'closed'), undefined);
    assert.equal(current.double.get('77')?.status, 'closed');
    const close = current.double.apiRequests().filter((r) => r.method === 'PATCH')[1];
    assert.deepEqual(JSON.parse(close.body), { Status: 'closed' });
    await assert.rejects(current.provider.setStatus('77', 'open'), UnsupportedSupportOperationError);
  });

  it('turns 404 into UnknownServiceRequestError and 403 into SupportAccessError', async function () {
    current = await rig();
    await assert.rejects(current.provider.getRequest('9999'), (e: unknown) => e instanceof UnknownServiceRequestError && e.requestId === '9999');
    current.double.failNext({ status: 403, json: { code: 403 } });
    current.double.put({ id: '5' });
    await assert.rejects(current.provider.getRequest('5'), (e: unknown) => e instanceof SupportAccessError && e.reason === 403);
  });

  it('tells the admin to renew the refresh token when Entra refuses it', async function () {
    current = await rig();
    current.double.refuseRefreshToken = true;
    current.double.put({ id: '5' });
    await assert.rejects(current.provider.getRequest('5'), (e: unknown) => {
      assert.ok(e instanceof SupportAccessError);
      assert.equal(e.reason, 'refresh_token');
      assert.match(e.message, /PARTNER_CENTER_REFRESH_TOKEN/);
      assert.match(e.message, /Secure Application Model/);
      assert.doesNotMatch(e.message, /refresh-token-from-sam/);
      return true;
    });
    assert.equal(current.double.apiRequests().length, 0);
  });

  it("lists a customer's requests with numeric enums normalized", async function () {
    current = await rig();
    current.double.put({ id: '1', status: 1, severity: 1 });
    current.double.put({ id: '2', status: 2, severity: 3 });
    current.double.put({ id: '3', customerTenantId: '33333333-3333-3333-3333-333333333333' });
    const list = await current.provider.listCustomerRequests(CUSTOMER);
    assert.deepEqual(
      list.map((r) => [r.id, r.status, r.severity]),
      [
        ['1', 'open', 'critical'],
        ['2', 'closed', 'minimal'],
      ],
    );
    await assert.rejects(current.provider.listCustomerRequests('../x'), RangeError);
  });

  it('refuses ids that are not service request numbers before calling', async function () {
    current = await rig();
    for (const bad of ['', '12a', '12345678901234567', '../1', ' 1']) {
      assert.equal(isValidServiceRequestId(bad), false, bad);
      await assert.rejects(current.provider.getRequest(bad), RangeError);
    }
    assert.equal(isValidServiceRequestId('1234567890123456'), true);
    assert.equal(current.double.http.requests.length, 0);
  });
});

describe('normalizeServiceRequest', function () {
  it('accepts names in any case, camelCase and numbers, and falls back for unknown values', function () {
    const base = { id: '1', title: 't' };
    assert.equal(normalizeServiceRequest({ ...base, status: 'AttentionNeeded' })?.status, 'attention_needed');
    assert.equal(normalizeServiceRequest({ ...base, status: 'attention_needed' })?.status, 'attention_needed');
    assert.equal(normalizeServiceRequest({ ...base, status: '2' })?.status, 'closed');
    assert.equal(normalizeServiceRequest({ ...base, status: 9 })?.status, 'none');
    assert.equal(normalizeServiceRequest({ ...base, severity: 'Critical' })?.severity, 'critical');
    assert.equal(normalizeServiceRequest({ ...base, severity: null })?.severity, 'unknown');
    assert.equal(normalizeServiceRequest({ id: 'abc' }), undefined);
    assert.equal(normalizeServiceRequest({ id: 1234 })?.id, '1234');
  });
});
