/**
 * The Teams app package: `manifest/manifest.template.json` filled from the settings,
 * validated offline against the schema bundled by `@microsoft/app-manifest`, and zipped with
 * the two icons at the zip's root. Used by `npm run package` and its test, never at run time
 * (its libraries are development dependencies).
 */
import { AppManifestUtils, type AppManifest } from '@microsoft/app-manifest';
import AdmZip from 'adm-zip';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * What the manifest template needs. Its placeholders are the Agents Toolkit's (`${{NAME}}`),
 * so `teamsApp/zipAppPackage` fills the same template from env/.env.<environment>.
 */
export interface ManifestSettings {
  /** The bot's id (MicrosoftAppId: an Entra app, or a managed identity's client id); `LOCAL_APP_ID` in local mode. */
  readonly appId: string;
  /** The Teams app's own id (TEAMS_APP_ID); default: the bot's id. */
  readonly teamsAppId?: string;
  /** The Entra app the tab signs users in with (TAB_SSO_CLIENT_ID); default: the bot's id. */
  readonly tabSsoClientId?: string;
  /** Public host name (and optional port) of the bot's server, without scheme or path. */
  readonly publicHostname: string;
  /** The app's version, `major.minor.patch`. */
  readonly version: string;
}

/** The placeholder app id of a local-mode package (no Entra app registered). */
export const LOCAL_APP_ID = '00000000-0000-0000-0000-000000000000';

/** Where a package is built from and written to. */
export interface AppPackageOptions {
  readonly settings: ManifestSettings;
  /** The folder holding `manifest.template.json`, `color.png` and `outline.png`. */
  readonly manifestDir: string;
  /** The zip to write. */
  readonly outFile: string;
}

/** The manifest does not validate, or a setting or an icon is wrong. */
export class AppPackageError extends Error {
  override readonly name = 'AppPackageError';
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
  }
}

/** The icon files of the package and the size Teams requires of each. */
export const ICONS = [
  { file: 'color.png', width: 192, height: 192 },
  { file: 'outline.png', width: 32, height: 32 },
] as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOSTNAME = /^(?=.{1,253}(:\d{1,5})?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/i;
const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Checks the settings, naming the environment variable of the first bad one. */
export function checkManifestSettings(settings: ManifestSettings): void {
  if (!GUID.test(settings.appId)) throw new AppPackageError('Invalid setting MicrosoftAppId: expected a GUID');
  if (settings.teamsAppId !== undefined && !GUID.test(settings.teamsAppId)) throw new AppPackageError('Invalid setting TEAMS_APP_ID: expected a GUID');
  if (settings.tabSsoClientId !== undefined && !GUID.test(settings.tabSsoClientId)) {
    throw new AppPackageError('Invalid setting TAB_SSO_CLIENT_ID: expected a GUID');
  }
  if (!HOSTNAME.test(settings.publicHostname)) {
    throw new AppPackageError('Invalid setting PUBLIC_HOSTNAME: expected a host name such as desk.example.com (no https://, no path)');
  }
  if (!VERSION.test(settings.version)) throw new AppPackageError('Invalid setting APP_VERSION: expected major.minor.patch, e.g. 1.0.0');
}

/** Fills the template's `${{NAME}}` placeholders in every string value (JSON-safe: no text splicing). */
export function renderManifest(template: unknown, settings: ManifestSettings): Record<string, unknown> {
  checkManifestSettings(settings);
  const values: Readonly<Record<string, string>> = {
    APP_ID: settings.appId.toLowerCase(),
    BOT_ID: settings.appId.toLowerCase(),
    TEAMS_APP_ID: (settings.teamsAppId ?? settings.appId).toLowerCase(),
    TAB_SSO_CLIENT_ID: (settings.tabSsoClientId ?? settings.appId).toLowerCase(),
    PUBLIC_HOSTNAME: settings.publicHostname.toLowerCase(),
    APP_VERSION: settings.version,
  };
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string') {
      return node.replace(/\$\{\{([A-Z_]+)\}\}/g, (_match, name: string) => {
        const value = values[name];
        if (value === undefined) throw new AppPackageError(`Unknown placeholder \${{${name}}} in the manifest template`);
        return value;
      });
    }
    if (Array.isArray(node)) return node.map(fill);
    if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v)]));
    return node;
  };
  const manifest = fill(template);
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) throw new AppPackageError('The manifest template is not a JSON object');
  return manifest as Record<string, unknown>;
}

/** Validates a manifest offline against the schema its `$schema` names; returns the problems (empty = valid). */
export async function validateManifest(manifest: Record<string, unknown>): Promise<string[]> {
  const schema = manifest.$schema;
  if (typeof schema !== 'string' || !schema.startsWith('https://developer.microsoft.com/json-schemas/teams/')) {
    return ['$schema must name a Teams manifest schema bundled by @microsoft/app-manifest'];
  }
  return AppManifestUtils.validateAgainstSchema(manifest as unknown as AppManifest);
}

/** Width and height from a PNG's header, or undefined when it is not a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('ascii', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Builds, validates and writes the app package; returns the manifest it contains. */
export async function buildAppPackage(options: AppPackageOptions): Promise<Record<string, unknown>> {
  const templateText = await readFile(join(options.manifestDir, 'manifest.template.json'), 'utf8');
  const manifest = renderManifest(JSON.parse(templateText), options.settings);
  const problems = await validateManifest(manifest);
  if (problems.length > 0) {
    throw new AppPackageError(`The manifest does not validate against ${String(manifest.$schema)}: ${problems.join('; ')}`, problems);
  }
  const zip = new AdmZip();
  zip.addFile('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
  for (const icon of ICONS) {
    const bytes = await readFile(join(options.manifestDir, icon.file));
    const size = pngSize(bytes);
    if (!size || size.width !== icon.width || size.height !== icon.height) {
      throw new AppPackageError(`Icon ${icon.file} must be a ${icon.width}x${icon.height} PNG`);
    }
    zip.addFile(icon.file, bytes);
  }
  await mkdir(dirname(options.outFile), { recursive: true });
  await zip.writeZipPromise(options.outFile, { overwrite: true });
  return manifest;
}
