import { strict as assert } from 'node:assert';
import { AppTokenError, MsalAppTokenSource } from '../../src/http/app-token';
import { HttpDouble, isTokenRequest, runLogger, tokenReply } from './helpers/http-double';

const TENANT_A = '11111111-1111-4111-8111-111111111111';
const TENANT_B = '22222222-2222-4222-8222-222222222222';

describe('MsalAppTokenSource against a local token endpoint', () => {
  let double: HttpDouble | undefined;
  afterEach(async () => {
    await double?.close();
    double = undefined;
  });

  it('gets a client-credentials token per tenant and reuses MSAL’s cache', async () => {
    double = await HttpDouble.start((req) => (isTokenRequest(req) ? tokenReply(req) : { status: 404 }));
    const tokens = new MsalAppTokenSource({
      loginEndpoint: double.url,
      clientId: 'app-id',
      clientSecret: 'app-secret',
      scope: 'https://graph.microsoft.com/.default',
      logger: runLogger(),
    });
    assert.equal(await tokens.getToken(TENANT_A), `token-for-${TENANT_A}`);
    assert.equal(await tokens.getToken(TENANT_A), `token-for-${TENANT_A}`);
    assert.equal(await tokens.getToken(TENANT_B), `token-for-${TENANT_B}`);
    assert.deepEqual(
      double.requests.map((r) => r.url.split('?')[0]),
      [`/${TENANT_A}/oauth2/v2.0/token`, `/${TENANT_B}/oauth2/v2.0/token`],
    );
    const form = new URLSearchParams(double.requests[0].body);
    assert.equal(form.get('grant_type'), 'client_credentials');
    assert.equal(form.get('scope'), 'https://graph.microsoft.com/.default');
    assert.equal(form.get('client_id'), 'app-id');
  });

  it('reports a refusal by Entra (app not consented in the tenant) as denied', async () => {
    double = await HttpDouble.start(() => ({
      status: 400,
      json: {
        error: 'unauthorized_client',
        error_description: "AADSTS700016: Application with identifier 'app-id' was not found in the directory.",
        error_codes: [700016],
      },
    }));
    const tokens = new MsalAppTokenSource({
      loginEndpoint: double.url,
      clientId: 'app-id',
      clientSecret: 'app-secret',
      scope: 'https://graph.microsoft.com/.default',
      logger: runLogger(),
    });
    const error = await tokens.getToken(TENANT_A).catch((e: unknown) => e);
    assert.ok(error instanceof AppTokenError);
    assert.equal(error.kind, 'denied');
    assert.match(error.code ?? '', /unauthorized_client AADSTS700016/);
  });

  it('refuses a plain-http login endpoint that is not a loopback test double', () => {
    assert.throws(
      () =>
        new MsalAppTokenSource({
          loginEndpoint: 'http://login.example.com',
          clientId: 'a',
          clientSecret: 'b',
          scope: 's',
          logger: runLogger(),
        }),
      /https/,
    );
  });

  it('refuses a tenant that is not a GUID before building any authority', async () => {
    const tokens = new MsalAppTokenSource({
      loginEndpoint: 'https://login.microsoftonline.com',
      clientId: 'a',
      clientSecret: 'b',
      scope: 's',
      logger: runLogger(),
    });
    await assert.rejects(tokens.getToken('contoso.com/../evil'), AppTokenError);
  });
});
