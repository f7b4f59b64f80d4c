import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import { PARTNER_CENTER_SCOPE } from '../../src/directory';
import { PartnerCenterDirectory } from '../../src/directory/partner-center';
import { DirectoryAccessError } from '../../src/directory/types';
import { MsalAppTokenSource } from '../../src/http/app-token';
import { UpstreamClient } from '../../src/http/upstream';
import {
  GUID_PATTERN,
  HttpDouble,
  isTokenRequest,
  recordingSleep,
  runLogger,
  tokenReply,
  type Handler,
  type RecordedRequest,
} from '../http/helpers/http-double';

const PARTNER = '0d5a6c1e-4f3b-4e2a-9b8c-7a6d5e4f3c2b';

function customer(tenantId: string, companyName: string, domain: string) {
  return { id: tenantId, companyProfile: { tenantId, domain, companyName }, relationshipToPartner: 'reseller' };
}

const PAGE_1 = {
  totalCount: 3,
  items: [
    customer('7A3C1F52-5D4E-4B8A-9C21-3E6F0D9B1A01', 'Contoso', 'contoso.onmicrosoft.com'),
    customer('2b9e4d17-8c3a-4f6e-a5d2-91c07e4b6f02', 'Fabrikam, Inc.', 'fabrikam.onmicrosoft.com'),
  ],
  links: {
    self: { uri: '/customers?size=2', method: 'GET', headers: [] },
    next: { uri: '/customers?size=2&seekOperation=Next', method: 'GET', headers: [{ key: 'MS-ContinuationToken', value: 'ct-1' }] },
  },
  attributes: { objectType: 'Collection' },
};
const PAGE_2 = {
  totalCount: 3,
  items: [customer('9f1e7b64-3a2d-4c5e-b8f1-0d4a6e2c7b04', 'Tailspin Toys', 'tailspintoys.com')],
  links: { self: { uri: '/customers?size=2&seekOperation=Next', method: 'GET', headers: [] } },
};

const pcPages: Handler = (req) => (req.headers['ms-continuationtoken'] === 'ct-1' ? { json: PAGE_2 } : { json: PAGE_1 });

interface Rig {
  readonly double: HttpDouble;
  readonly clock: ManualClock;
  readonly directory: PartnerCenterDirectory;
  pcRequests(): RecordedRequest[];
}

async function rig(pc: Handler): Promise<Rig> {
  const double = await HttpDouble.start((req, d) => (isTokenRequest(req) ? tokenReply(req) : pc(req, d)));
  const clock = new ManualClock('2025-03-10T10:00:00Z');
  const logger = runLogger();
  const directory = new PartnerCenterDirectory({
    partnerCenterEndpoint: double.url,
    partnerTenantId: PARTNER,
    tokens: new MsalAppTokenSource({ loginEndpoint: double.url, clientId: 'app', clientSecret: 'secret', scope: PARTNER_CENTER_SCOPE, logger }),
    http: new UpstreamClient({ upstream: 'Partner Center', logger, clock, sleep: recordingSleep().sleep, policy: { baseDelayMs: 1, maxDelayMs: 2 } }),
    clock,
    logger,
    pageSize: 2,
  });
  return { double, clock, directory, pcRequests: () => double.requests.filter((r) => !isTokenRequest(r)) };
}

describe('PartnerCenterDirectory against local Partner Center and token doubles', () => {
  let current: Rig | undefined;
  afterEach(async () => {
    await current?.double.close();
    current = undefined;
  });

  it('pages via links.next with its continuation header and sends the Partner Center headers', async () => {
    current = await rig(pcPages);
    const customers = await current.directory.list();
    assert.deepEqual(
      customers.map((c) => [c.companyName, c.tenantId]),
      [
        ['Contoso', '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01'],
        ['Fabrikam, Inc.', '2b9e4d17-8c3a-4f6e-a5d2-91c07e4b6f02'],
        ['Tailspin Toys', '9f1e7b64-3a2d-4c5e-b8f1-0d4a6e2c7b04'],
      ],
    );
    const [first, second] = current.pcRequests();
    assert.equal(first.url, '/v1/customers?size=2');
    assert.equal(second.url, '/v1/customers?size=2&seekOperation=Next');
    assert.equal(second.headers['ms-continuationtoken'], 'ct-1');
    for (const r of [first, second]) {
      assert.match(String(r.headers['ms-requestid']), GUID_PATTERN);
      assert.match(String(r.headers['ms-correlationid']), GUID_PATTERN);
      assert.equal(r.headers.accept, 'application/json');
      assert.equal(r.headers.authorization, `Bearer token-for-${PARTNER}`);
    }
    assert.notEqual(first.headers['ms-requestid'], second.headers['ms-requestid'], 'one request id per request');
    assert.equal(first.headers['ms-correlationid'], second.headers['ms-correlationid'], 'one correlation id per listing');

    const token = current.double.requests.find(isTokenRequest);
    assert.ok(token && token.url.startsWith(`/${PARTNER}/oauth2/v2.0/token`));
    assert.equal(new URLSearchParams(token.body).get('scope'), 'https://api.partnercenter.microsoft.com/.default');
  });

  it('reuses the MS-RequestId when it retries a page', async () => {
    let n = 0;
    current = await rig((req, d) => (n++ === 0 ? { status: 503 } : pcPages(req, d)));
    await current.directory.list();
    const [failed, retried] = current.pcRequests();
    assert.equal(failed.url, retried.url);
    assert.equal(failed.headers['ms-requestid'], retried.headers['ms-requestid']);
  });

  it('searches by name or domain, case-insensitively, capped', async () => {
    current = await rig(pcPages);
    assert.deepEqual((await current.directory.search('FABRIK')).map((c) => c.companyName), ['Fabrikam, Inc.']);
    assert.deepEqual((await current.directory.search('tailspintoys.COM')).map((c) => c.companyName), ['Tailspin Toys']);
    assert.deepEqual((await current.directory.search('onmicrosoft', 1)).map((c) => c.companyName), ['Contoso']);
    assert.deepEqual(await current.directory.search('nobody'), []);
    assert.equal((await current.directory.get('7A3C1F52-5D4E-4B8A-9C21-3E6F0D9B1A01'))?.companyName, 'Contoso');
  });

  it('finds a page of customers by name, domain or tenant id from the one cached listing', async () => {
    current = await rig(pcPages);
    const { directory } = current;
    assert.deepEqual(await directory.find('', { skip: 1, top: 1 }), { customers: [{ tenantId: '2b9e4d17-8c3a-4f6e-a5d2-91c07e4b6f02', companyName: 'Fabrikam, Inc.', domain: 'fabrikam.onmicrosoft.com' }], total: 3 });
    assert.deepEqual((await directory.find('9F1E7B64', { skip: 0, top: 15 })).customers.map((c) => c.companyName), ['Tailspin Toys']);
    assert.deepEqual((await directory.find('ONMICROSOFT', { skip: 0, top: 15 })).customers.map((c) => c.companyName), ['Contoso', 'Fabrikam, Inc.']);
    assert.deepEqual(await directory.find('onmicrosoft', { skip: 2, top: 15 }), { customers: [], total: 2 });
    assert.equal(current.pcRequests().length, 2, 'one listing of two pages serves every search');
  });

  it('caches the list for its TTL (default 15 minutes) and coalesces concurrent lookups', async () => {
    current = await rig(pcPages);
    const directory = current.directory;
    await Promise.all(Array.from({ length: 20 }, () => directory.search('con')));
    assert.equal(current.pcRequests().length, 2, 'one listing of two pages');
    current.clock.advance(14 * 60_000);
    await directory.list();
    assert.equal(current.pcRequests().length, 2);
    current.clock.advance(60_000);
    await directory.list();
    assert.equal(current.pcRequests().length, 4);
  });

  it('maps 403 to DirectoryAccessError', async () => {
    current = await rig(() => ({ status: 403, json: { code: 'Forbidden' } }));
    await assert.rejects(current.directory.list(), DirectoryAccessError);
  });
});
