import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import { GraphHealthProvider } from '../../src/health/graph';
import { HealthAccessError, UnknownIssueError, UpstreamError } from '../../src/health/types';
import { MsalAppTokenSource } from '../../src/http/app-token';
import { UpstreamClient } from '../../src/http/upstream';
import { HttpDouble, isTokenRequest, recordingSleep, runLogger, tokenReply, type Handler, type RecordedRequest } from '../http/helpers/http-double';
import { TENANT, graphIssue, graphService } from './helpers/graph-fixtures';

const OVERVIEWS = '/v1.0/admin/serviceAnnouncement/healthOverviews';

interface Rig {
  readonly double: HttpDouble;
  readonly provider: GraphHealthProvider;
  readonly waits: number[];
  graphRequests(): RecordedRequest[];
}

/** One double serves both the token endpoint and Graph; Graph answers come from `graph`. */
async function rig(graph: Handler, attemptTimeoutMs = 1_000): Promise<Rig> {
  const double = await HttpDouble.start((req, d) => (isTokenRequest(req) ? tokenReply(req) : graph(req, d)));
  const logger = runLogger();
  const clock = new ManualClock('2025-03-10T10:00:00Z');
  const { waits, sleep } = recordingSleep();
  const provider = new GraphHealthProvider({
    graphEndpoint: double.url,
    tokens: new MsalAppTokenSource({
      loginEndpoint: double.url,
      clientId: 'app',
      clientSecret: 'secret',
      scope: `${double.url}/.default`,
      logger,
    }),
    http: new UpstreamClient({
      upstream: 'Microsoft Graph',
      logger,
      clock,
      sleep,
      policy: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10, attemptTimeoutMs },
    }),
    clock,
    logger,
  });
  return { double, provider, waits, graphRequests: () => double.requests.filter((r) => !isTokenRequest(r)) };
}

function sequence(...replies: ReturnType<Handler>[]): Handler {
  let i = 0;
  return () => replies[Math.min(i++, replies.length - 1)];
}

const onePage = { value: [graphService('Exchange', 'Exchange Online', 'ServiceDegradation', [graphIssue()])] };

describe('GraphHealthProvider against local Graph and token doubles', () => {
  let current: Rig | undefined;
  afterEach(async () => {
    await current?.double.close();
    current = undefined;
  });

  it('follows @odata.nextLink and normalizes PascalCase enums', async () => {
    current = await rig((req, d) =>
      req.url.includes('page=2')
        ? { json: { value: [graphService('microsoftteams', 'Microsoft Teams', 'ServiceOperational')] } }
        : {
            json: {
              value: [
                graphService('Exchange', 'Exchange Online', 'ServiceDegradation', [
                  graphIssue(),
                  graphIssue({ id: 'EX219880', classification: 'ADVISORY', status: 'PostIncidentReviewPublished', isResolved: true }),
                ]),
              ],
              '@odata.nextLink': `${d.url}${OVERVIEWS}?$expand=issues&page=2`,
            },
          },
    );
    const snapshot = await current.provider.getOverview(TENANT);
    const { services } = snapshot.value;
    assert.deepEqual(
      services.map((s) => [s.service, s.status]),
      [
        ['Exchange Online', 'serviceDegradation'],
        ['Microsoft Teams', 'serviceOperational'],
      ],
    );
    const [incident, advisory] = services[0].issues;
    assert.equal(incident.classification, 'incident');
    assert.equal(incident.origin, 'microsoft');
    assert.equal(incident.posts[0].postType, 'quick');
    assert.equal(incident.posts[0].contentType, 'html');
    assert.equal(incident.startDateTime, '2025-03-10T07:45:00.000Z');
    assert.equal(incident.endDateTime, undefined);
    assert.equal(advisory.classification, 'advisory');
    assert.equal(advisory.status, 'postIncidentReviewPublished');
    assert.equal(snapshot.fetchedAt, '2025-03-10T10:00:00.000Z');
    assert.equal(snapshot.stale, false);

    const graphCalls = current.graphRequests();
    assert.deepEqual(
      graphCalls.map((r) => r.url),
      [`${OVERVIEWS}?$expand=issues`, `${OVERVIEWS}?$expand=issues&page=2`],
    );
    assert.ok(graphCalls.every((r) => r.headers.authorization === `Bearer token-for-${TENANT}`));
    assert.equal(current.double.requests.filter(isTokenRequest).length, 1, 'MSAL cached the token across pages');
  });

  it('honours 429 Retry-After, then succeeds', async () => {
    current = await rig(sequence({ status: 429, headers: { 'Retry-After': '3' } }, { json: onePage }));
    const snapshot = await current.provider.getOverview(TENANT);
    assert.equal(snapshot.value.services.length, 1);
    assert.equal(current.graphRequests().length, 2);
    assert.equal(current.waits[0] >= 3000, true);
  });

  it('retries a 503, then succeeds', async () => {
    current = await rig(sequence({ status: 503 }, { json: onePage }));
    assert.equal((await current.provider.getOverview(TENANT)).value.services[0].issues[0].id, 'EX226792');
    assert.equal(current.graphRequests().length, 2);
  });

  it('retries a timeout, then succeeds', async () => {
    current = await rig(sequence({ delayMs: 400, json: onePage }, { json: onePage }), 100);
    assert.equal((await current.provider.getOverview(TENANT)).value.services.length, 1);
    assert.equal(current.graphRequests().length, 2);
  });

  for (const status of [403, 401] as const) {
    it(`maps ${status} to HealthAccessError saying what is missing`, async () => {
      current = await rig(() => ({ status, json: { error: { code: 'UnknownError', message: '' } } }));
      const error = await current.provider.getOverview(TENANT).catch((e: unknown) => e);
      assert.ok(error instanceof HealthAccessError);
      assert.equal(error.reason, status);
      assert.match(error.message, /ServiceHealth\.Read\.All/);
      assert.match(error.message, /Service Support Administrator/);
      assert.equal(current.graphRequests().length, 1, 'an access refusal is not retried');
    });
  }

  it('maps malformed JSON to UpstreamError', async () => {
    current = await rig(() => ({ raw: '{"value": [{"id": "Exchange",' }));
    const error = await current.provider.getOverview(TENANT).catch((e: unknown) => e);
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.failure, 'malformed');
  });

  it('maps a well-formed JSON of the wrong shape to UpstreamError', async () => {
    current = await rig(() => ({ json: { value: [{ nonsense: true }] } }));
    await assert.rejects(current.provider.getOverview(TENANT), UpstreamError);
  });

  it('reads one issue, and a 404 as UnknownIssueError', async () => {
    current = await rig((req) =>
      req.url.endsWith('/issues/EX226792') ? { json: graphIssue() } : { status: 404, json: { error: { code: 'NotFound' } } },
    );
    const issue = await current.provider.getIssue(TENANT, 'EX226792');
    assert.equal(issue.value.title, 'Users may be unable to send email in Outlook on the web');
    await assert.rejects(current.provider.getIssue(TENANT, 'EX000001'), UnknownIssueError);
    await assert.rejects(current.provider.getIssue(TENANT, '../healthOverviews'), UnknownIssueError);
    assert.deepEqual(
      current.graphRequests().map((r) => r.url),
      ['/v1.0/admin/serviceAnnouncement/issues/EX226792', '/v1.0/admin/serviceAnnouncement/issues/EX000001'],
    );
  });

  it('gives a post-incident report link only when Graph says one is published', async () => {
    current = await rig((req) =>
      req.url.endsWith('/EX219880')
        ? { json: graphIssue({ id: 'EX219880', status: 'PostIncidentReviewPublished', isResolved: true }) }
        : { json: graphIssue() },
    );
    const report = await current.provider.getPostIncidentReport(TENANT, 'EX219880');
    assert.equal(report?.graphPath, '/admin/serviceAnnouncement/issues/EX219880/incidentReport');
    assert.match(report?.url ?? '', /^https:\/\/admin\.microsoft\.com\/.*EX219880$/);
    assert.equal(await current.provider.getPostIncidentReport(TENANT, 'EX226792'), undefined);
  });

  it('maps a token refusal by Entra to HealthAccessError without calling Graph', async () => {
    const double = await HttpDouble.start((req) =>
      isTokenRequest(req)
        ? { status: 400, json: { error: 'invalid_client', error_description: 'AADSTS7000229: consent missing', error_codes: [7000229] } }
        : { json: onePage },
    );
    current = { double, provider: undefined as never, waits: [], graphRequests: () => [] };
    const logger = runLogger();
    const clock = new ManualClock();
    const provider = new GraphHealthProvider({
      graphEndpoint: double.url,
      tokens: new MsalAppTokenSource({ loginEndpoint: double.url, clientId: 'a', clientSecret: 'b', scope: 's/.default', logger }),
      http: new UpstreamClient({ upstream: 'Microsoft Graph', logger, clock }),
      clock,
      logger,
    });
    const error = await provider.getOverview(TENANT).catch((e: unknown) => e);
    assert.ok(error instanceof HealthAccessError);
    assert.equal(error.reason, 'token');
    assert.equal(double.requests.filter((r) => !isTokenRequest(r)).length, 0);
  });
});
