/**
 * Local doubles of what Azure hands a bot that has no secrets: App Service's managed identity
 * endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER, API 2019-08-01) and an Entra token endpoint
 * that checks the client assertion an app signs in with.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProtectedHeader, importX509, jwtVerify } from 'jose';
import sinon from 'sinon';
import { PROJECT_ROOT } from '../../../src/app';
import { HttpDouble, type RecordedRequest, type Reply } from '../../http/helpers/http-double';
import { rememberSecret } from '../../helpers/run-log';

/** The type of a JWT client assertion (RFC 7523). */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A throwaway self-signed certificate and key for tests (fixtures/README.md). */
export function fixtureCertificate(name: 'client' | 'other'): string {
  return join(PROJECT_ROOT, 'test', 'deploy', 'fixtures', `test-${name}-certificate.pem`);
}

/**
 * App Service's managed identity endpoint: answers only with the right header, records what
 * was asked. MSAL picks the identity endpoint once per process and keeps it (a static of its
 * ManagedIdentityClient), so a test run has one double: `AppServiceIdentityDouble.shared()`.
 */
export class AppServiceIdentityDouble {
  readonly header = `identity-header-${randomUUID()}`;
  private constructor(private readonly double: HttpDouble) {
    rememberSecret(this.header);
  }

  /**
   * The run's double, started on first use and left running (MSAL would keep asking a closed
   * one). Module state on purpose, like the run's log record: it belongs to the test process.
   */
  static shared(): Promise<AppServiceIdentityDouble> {
    SHARED.double ??= HttpDouble.start((req) => (SHARED.self ? SHARED.self.answer(req) : { status: 503 })).then((double) => {
      SHARED.self = new AppServiceIdentityDouble(double);
      return SHARED.self;
    });
    return SHARED.double;
  }

  /** The token this double issues to an identity for a resource. */
  static tokenFor(clientId: string, resource: string): string {
    return `mi-token-${clientId}-${createHash('sha256').update(resource).digest('hex').slice(0, 12)}`;
  }

  /** The two variables App Service sets in a process whose site has a managed identity. */
  env(): { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string } {
    return { IDENTITY_ENDPOINT: `${this.double.url}/msi/token`, IDENTITY_HEADER: this.header };
  }

  /** Sets the variables in this process's environment until the returned sandbox is restored. */
  install(): sinon.SinonSandbox {
    const sandbox = sinon.createSandbox();
    sandbox.stub(process, 'env').value({ ...process.env, ...this.env() });
    return sandbox;
  }

  /** The token requests answered, as `{clientId, resource}`. */
  issued(): { clientId: string | null; resource: string | null; apiVersion: string | null }[] {
    return this.double.requests
      .filter((r) => r.url.startsWith('/msi/token'))
      .map((r) => {
        const q = new URL(r.url, 'http://double').searchParams;
        return { clientId: q.get('client_id'), resource: q.get('resource'), apiVersion: q.get('api-version') };
      });
  }

  private answer(req: RecordedRequest): Reply {
    const q = new URL(req.url, 'http://double').searchParams;
    if (!req.url.startsWith('/msi/token') || req.method !== 'GET') return { status: 404 };
    if (req.headers['x-identity-header'] !== this.header) return { status: 401, json: { error: 'missing or wrong X-IDENTITY-HEADER' } };
    const clientId = q.get('client_id');
    const resource = q.get('resource');
    if (q.get('api-version') !== '2019-08-01' || !clientId || !resource) return { status: 400, json: { error: 'bad request' } };
    const token = AppServiceIdentityDouble.tokenFor(clientId, resource);
    rememberSecret(token);
    const expiresOn = Math.floor(Date.now() / 1000) + 3600;
    return { json: { access_token: token, expires_on: String(expiresOn), resource, token_type: 'Bearer', client_id: clientId } };
  }
}

const SHARED: { double?: Promise<AppServiceIdentityDouble>; self?: AppServiceIdentityDouble } = {};

/** What the Entra double accepts as the app's proof. */
export type ExpectedAssertion =
  | { readonly kind: 'assertion'; readonly value: string }
  | { readonly kind: 'certificate'; readonly pemPath: string };

/**
 * Entra's v2 token endpoint for one app: accepts a request only when its client assertion
 * proves the app (the exact federated token, or a JWT signed by the certificate's key, for
 * this endpoint, naming the app as issuer and subject, with the certificate's SHA-256
 * thumbprint); never a client secret.
 */
export class EntraAssertionDouble {
  /** Why each refused request was refused. */
  readonly refusals: string[] = [];

  private constructor(
    private readonly double: HttpDouble,
    private readonly clientId: string,
    private readonly expected: ExpectedAssertion,
  ) {}

  static async start(clientId: string, expected: ExpectedAssertion): Promise<EntraAssertionDouble> {
    const holder: { self?: EntraAssertionDouble } = {};
    const double = await HttpDouble.start((req) => (holder.self ? holder.self.answer(req) : { status: 503 }));
    holder.self = new EntraAssertionDouble(double, clientId, expected);
    return holder.self;
  }

  get url(): string {
    return this.double.url;
  }

  /** The forms of the token requests received. */
  forms(): URLSearchParams[] {
    return this.double.requests.map((r) => new URLSearchParams(r.body));
  }

  close(): Promise<void> {
    return this.double.close();
  }

  private async answer(req: RecordedRequest): Promise<Reply> {
    const tenant = /^\/([^/]+)\/oauth2\/v2\.0\/token/.exec(req.url)?.[1];
    if (!tenant || req.method !== 'POST') return { status: 404 };
    const form = new URLSearchParams(req.body);
    const problem = await this.problemWith(form, `${this.double.url}/${tenant}/oauth2/v2.0/token`);
    if (problem) {
      this.refusals.push(problem);
      return { status: 401, json: { error: 'invalid_client', error_description: `AADSTS700027: ${problem}`, error_codes: [700027] } };
    }
    const token = `app-token-${tenant}-${randomUUID()}`;
    rememberSecret(token);
    return { json: { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: token } };
  }

  private async problemWith(form: URLSearchParams, endpoint: string): Promise<string | undefined> {
    if (form.has('client_secret')) return 'a client secret was sent';
    if (form.get('client_id') !== this.clientId) return 'wrong client_id';
    if (form.get('client_assertion_type') !== JWT_BEARER_ASSERTION) return 'no JWT client assertion';
    const assertion = form.get('client_assertion') ?? '';
    if (this.expected.kind === 'assertion') return assertion === this.expected.value ? undefined : 'not the federated token';
    const pem = readFileSync(this.expected.pemPath, 'utf8');
    const certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0] ?? '';
    try {
      const header = decodeProtectedHeader(assertion);
      const der = Buffer.from(certificate.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
      if (header['x5t#S256'] !== createHash('sha256').update(der).digest('base64url')) return 'x5t#S256 is not the certificate thumbprint';
      const key = await importX509(certificate, String(header.alg ?? 'PS256'));
      // Entra tolerates five minutes of clock skew (MSAL rounds nbf up to the next second).
      await jwtVerify(assertion, key, { audience: endpoint, issuer: this.clientId, subject: this.clientId, clockTolerance: 300 });
      return undefined;
    } catch (error) {
      return `the assertion does not verify: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}
