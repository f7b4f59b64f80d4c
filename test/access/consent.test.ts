/** The health consent grant through Partner Center's applicationconsents API, against the local Partner Center double. */
import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import {
  MICROSOFT_GRAPH_APP_ID,
  PartnerCenterHealthConsent,
  SERVICE_HEALTH_SCOPE,
  SandboxAccessProvider,
  SandboxHealthConsent,
  UpstreamError,
  isConsentAdmin,
} from '../../src/access';
import { systemClock } from '../../src/domain/clock';
import { UpstreamClient } from '../../src/http/upstream';
import { RefreshTokenSource } from '../../src/support/partner-center';
import { GUID_PATTERN, recordingSleep, runLogger } from '../http/helpers/http-double';
import { PartnerCenterDouble } from '../helpers/partner-center-double';

const PARTNER = '22222222-2222-4222-8222-222222222222';
const CUSTOMER = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';
const HEALTH_APP = '55555555-5555-4555-8555-555555555555';
const CONSENTS = `/v1/customers/${CUSTOMER}/applicationconsents`;

interface Rig {
  readonly double: PartnerCenterDouble;
  readonly consent: PartnerCenterHealthConsent;
}

async function rig(): Promise<Rig> {
  const double = await PartnerCenterDouble.start();
  const logger = runLogger();
  const { sleep } = recordingSleep();
  const tokens = new RefreshTokenSource({
    loginEndpoint: double.url,
    partnerTenantId: PARTNER,
    clientId: 'app',
    clientSecret: 'secret',
    refreshToken: 'refresh-token-from-sam',
    clock: systemClock,
    logger,
  });
  const http = new UpstreamClient({ upstream: 'Partner Center', logger, sleep, random: () => 0.5, policy: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10, attemptTimeoutMs: 2_000 } });
  return { double, consent: new PartnerCenterHealthConsent({ partnerCenterEndpoint: double.url, tokens, http, applicationId: HEALTH_APP, logger }) };
}

describe('PartnerCenterHealthConsent against the local Partner Center double', function () {
  let current: Rig | undefined;
  afterEach(async function () {
    await current?.double.close();
    current = undefined;
  });

  it('grants ServiceHealth.Read.All on Microsoft Graph for the health app, with an App+User token', async function () {
    current = await rig();
    assert.deepEqual(await current.consent.grantHealthConsent(CUSTOMER.toUpperCase()), { kind: 'granted' });
    const [call] = current.double.apiRequests();
    assert.equal(call.method, 'POST');
    assert.equal(call.url, CONSENTS);
    assert.deepEqual(JSON.parse(call.body), {
      applicationId: HEALTH_APP,
      applicationGrants: [{ enterpriseApplicationId: MICROSOFT_GRAPH_APP_ID, scope: SERVICE_HEALTH_SCOPE }],
    });
    assert.equal(call.headers.authorization, 'Bearer pc-user-token-1');
    assert.match(String(call.headers['ms-requestid']), GUID_PATTERN);
    assert.match(String(call.headers['ms-correlationid']), GUID_PATTERN);
    assert.equal(call.headers.accept, 'application/json');
    assert.deepEqual([...(current.double.consents.get(CUSTOMER) ?? [])], [HEALTH_APP]);
  });

  it('answers "already granted" when the consent exists (409)', async function () {
    current = await rig();
    current.double.consents.set(CUSTOMER, new Set([HEALTH_APP]));
    assert.deepEqual(await current.consent.grantHealthConsent(CUSTOMER), { kind: 'already_granted' });
    assert.deepEqual(await current.consent.grantHealthConsent(CUSTOMER), { kind: 'already_granted' }, 'asking again changes nothing');
  });

  it('grants once when asked twice in a row', async function () {
    current = await rig();
    const first = await current.consent.grantHealthConsent(CUSTOMER);
    const second = await current.consent.grantHealthConsent(CUSTOMER);
    assert.deepEqual([first.kind, second.kind], ['granted', 'already_granted']);
    assert.equal(current.double.consents.get(CUSTOMER)?.size, 1);
  });

  it('is refused (403) when the Partner Center user may not consent in that customer', async function () {
    current = await rig();
    current.double.refuseConsent.add(CUSTOMER);
    assert.deepEqual(await current.consent.grantHealthConsent(CUSTOMER), { kind: 'refused', reason: 403, code: '403' });
    assert.equal(current.double.consents.get(CUSTOMER), undefined);
  });

  it('is refused when Entra refuses the refresh token', async function () {
    current = await rig();
    current.double.refuseRefreshToken = true;
    const outcome = await current.consent.grantHealthConsent(CUSTOMER);
    assert.equal(outcome.kind, 'refused');
    assert.equal(outcome.kind === 'refused' && outcome.reason, 'refresh_token');
    assert.equal(current.double.apiRequests().length, 0);
  });

  it('retries a 503 with the same MS-RequestId, so the consent is asked for once', async function () {
    current = await rig();
    current.double.failNext({ status: 503 });
    assert.deepEqual(await current.consent.grantHealthConsent(CUSTOMER), { kind: 'granted' });
    const calls = current.double.apiRequests();
    assert.equal(calls.length, 2);
    assert.equal(calls[0].headers['ms-requestid'], calls[1].headers['ms-requestid']);
  });

  it('the same request id sent again is the same ask (Partner Center repeats its answer)', async function () {
    current = await rig();
    const id = 'a7a7a7a7-0000-4000-8000-000000000001';
    assert.deepEqual(await current.consent.grantHealthConsent(CUSTOMER, id), { kind: 'granted' });
    assert.deepEqual(await current.consent.grantHealthConsent(CUSTOMER, id), { kind: 'granted' });
    assert.equal(current.double.consents.get(CUSTOMER)?.size, 1);
  });

  it('gives up as unavailable when Partner Center stays down', async function () {
    current = await rig();
    current.double.failNext({ status: 503 }, { status: 503 }, { status: 503 });
    await assert.rejects(current.consent.grantHealthConsent(CUSTOMER), (e: unknown) => e instanceof UpstreamError && e.failure === 'unavailable');
  });

  it('refuses a customer id that is not a GUID before any call', async function () {
    current = await rig();
    await assert.rejects(current.consent.grantHealthConsent('contoso.onmicrosoft.com'), /GUID/);
    assert.equal(current.double.http.requests.length, 0);
  });
});

describe('SandboxHealthConsent', function () {
  const DENIED = 'c5d8a2e3-1f4b-4a7c-8e9d-6b2f3a0c9d03';

  it('grants once where health is denied, tells the sandbox, then says already granted', async function () {
    const granted: string[] = [];
    const consent = new SandboxHealthConsent({ consented: [CUSTOMER], onGranted: (t) => granted.push(t) });
    assert.deepEqual(await consent.grantHealthConsent(CUSTOMER), { kind: 'already_granted' });
    assert.deepEqual(await consent.grantHealthConsent(DENIED.toUpperCase()), { kind: 'granted' });
    assert.deepEqual(await consent.grantHealthConsent(DENIED), { kind: 'already_granted' });
    assert.deepEqual(granted, [DENIED]);
  });

  it('refuses where told to', async function () {
    const consent = new SandboxHealthConsent({ consented: [], refused: [DENIED] });
    assert.deepEqual(await consent.grantHealthConsent(DENIED), { kind: 'refused', reason: 403 });
  });
});

describe('isConsentAdmin', function () {
  const ADMINS = '6c6c6c6c-0000-4000-8000-000000000001';
  const ADMIN = '33333333-3333-4333-8333-333333333333';
  const provider = new SandboxAccessProvider(
    [{ tenantId: CUSTOMER, gdap: { relationships: [{ id: 'r', displayName: 'R', status: 'active', autoExtendDuration: 'PT0S', roles: [], accessAssignments: [{ id: 'a', status: 'active', groupId: ADMINS, roles: [], members: [ADMIN] }] }] } }],
    systemClock,
  );

  it('admits a member of the admin group only', async function () {
    assert.equal(await isConsentAdmin(provider, ADMIN, ADMINS.toUpperCase()), true);
    assert.equal(await isConsentAdmin(provider, '44444444-4444-4444-8444-444444444444', ADMINS), false);
  });

  it('admits nobody when no admin group is configured, without asking', async function () {
    const spy = sinon.spy(provider, 'memberGroups');
    assert.equal(await isConsentAdmin(provider, ADMIN, undefined), false);
    assert.equal(spy.callCount, 0);
    spy.restore();
  });
});
