/**
 * How an Entra app (the Graph app, the Partner Center app) proves who it is when it asks for
 * a token: a client secret, a certificate, or a federated credential whose assertion is a
 * token of a user-assigned managed identity (no secret at all where Azure hosts the bot).
 * Everything here becomes MSAL's own `auth` options.
 */
import { ManagedIdentityApplication, type NodeAuthOptions } from '@azure/msal-node';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** One way for an app to authenticate to Entra. */
export type ClientCredential =
  | { readonly kind: 'secret'; readonly secret: string }
  | {
      readonly kind: 'certificate';
      /** A PEM file holding the private key and the certificate (its chain may follow). */
      readonly path: string;
      /** The setting the path came from, named in errors (e.g. GRAPH_CLIENT_CERTIFICATE_PATH). */
      readonly setting: string;
    }
  | {
      readonly kind: 'managed-identity';
      /** Client id of the user-assigned managed identity that the app's federated credential trusts. */
      readonly managedIdentityClientId: string;
      /** The `aud` of the identity's token, as the federated credential names it (per cloud). */
      readonly audience: string;
    };

/** The part of MSAL's `auth` options that carries the credential. */
export type MsalClientAuth = Pick<NodeAuthOptions, 'clientSecret' | 'clientCertificate' | 'clientAssertion'>;

/** The credential of options that give either a full credential or just a client secret. */
export function credentialOf(options: { readonly clientSecret?: string; readonly credential?: ClientCredential }): ClientCredential {
  if (options.credential) return options.credential;
  if (options.clientSecret) return { kind: 'secret', secret: options.clientSecret };
  throw new Error('An Entra app needs a credential: a client secret, a certificate or a managed identity.');
}

/**
 * MSAL's options for a credential. A certificate is read now, so a bad file stops start-up
 * with the name of its setting; a managed identity's token is asked for only when MSAL needs
 * an assertion, and MSAL keeps it until shortly before it expires.
 */
export function msalClientAuth(credential: ClientCredential): MsalClientAuth {
  switch (credential.kind) {
    case 'secret':
      return { clientSecret: credential.secret };
    case 'certificate':
      return { clientCertificate: readClientCertificate(credential.path, credential.setting) };
    case 'managed-identity':
      return { clientAssertion: managedIdentityToken(credential.managedIdentityClientId, credential.audience) };
  }
}

/**
 * Tokens of a user-assigned managed identity for one resource, from the host's identity
 * endpoint (App Service's IDENTITY_ENDPOINT, the VM metadata service, …, as MSAL finds it).
 * MSAL caches each token until shortly before it expires.
 */
export function managedIdentityToken(clientId: string, resource: string): () => Promise<string> {
  const identity = new ManagedIdentityApplication({ managedIdentityIdParams: { userAssignedClientId: clientId } });
  return async () => (await identity.acquireToken({ resource })).accessToken;
}

/** MSAL's certificate options from one PEM file: SHA-256 thumbprint, PKCS #8 key, and the chain (x5c). */
export function readClientCertificate(path: string, setting: string): NonNullable<NodeAuthOptions['clientCertificate']> {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new Error(`Invalid setting ${setting}: cannot read the certificate file (${code})`);
  }
  const certificates = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const first = certificates[0];
  if (first === undefined) throw new Error(`Invalid setting ${setting}: the file holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  let certificate: X509Certificate;
  let privateKey: string;
  try {
    certificate = new X509Certificate(first);
    // MSAL signs with a PKCS #8 key; a PKCS #1 ("RSA PRIVATE KEY") file is converted here.
    privateKey = createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch {
    throw new Error(`Invalid setting ${setting}: the file must hold an unencrypted PEM private key and its certificate`);
  }
  if (!certificate.checkPrivateKey(createPrivateKey(privateKey))) {
    throw new Error(`Invalid setting ${setting}: the private key does not belong to the certificate`);
  }
  return {
    thumbprintSha256: certificate.fingerprint256.replace(/:/g, '').toLowerCase(),
    privateKey,
    x5c: certificates.join('\n'),
  };
}
