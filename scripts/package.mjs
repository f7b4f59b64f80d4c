// `npm run package` (after `npm run build`): writes appPackage/escalation-desk.zip, the Teams
// app package: manifest.json (from manifest/manifest.template.json) and both icons at the
// zip's root. Fails with exit 1 and one line when a setting is wrong or the manifest does
// not validate offline against the schema bundled by @microsoft/app-manifest.
//   node scripts/package.mjs [--out FILE] [--manifest-dir DIR]
// Settings: MicrosoftAppId (through the bot's config; a placeholder GUID in local mode),
// TAB_SSO_CLIENT_ID (through the config; default: the bot's id), PUBLIC_HOSTNAME (required
// unless local mode, where it defaults to localhost), TEAMS_APP_ID (default: the bot's id),
// APP_VERSION (default: package.json's version). Read from the environment, then .env.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Stops with one clear line. */
function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: { out: { type: 'string' }, 'manifest-dir': { type: 'string' } },
    allowPositionals: false,
  }));
} catch (error) {
  fail(error.message);
}

const configPath = join(root, 'dist', 'src', 'config', 'index.js');
const packagePath = join(root, 'dist', 'src', 'tab', 'app-package.js');
if (!existsSync(configPath) || !existsSync(packagePath)) fail('run `npm run build` first (dist/ is missing)');
const { loadConfig } = require(configPath);
const { buildAppPackage, LOCAL_APP_ID } = require(packagePath);
const { parse: parseDotenv } = require('dotenv');

const dotenvFile = join(root, '.env');
const fileValues = existsSync(dotenvFile) ? parseDotenv(readFileSync(dotenvFile)) : {};
const setting = (name) => {
  const value = process.env[name] ?? fileValues[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

let config;
try {
  config = loadConfig({ dotenvPath: dotenvFile });
} catch (error) {
  fail(error.message);
}

const publicHostname = setting('PUBLIC_HOSTNAME') ?? (config.bot.localMode ? 'localhost' : undefined);
if (!publicHostname) fail('Invalid setting PUBLIC_HOSTNAME: required when MicrosoftAppId is set (the host Teams loads the tab from)');
const version = setting('APP_VERSION') ?? JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

const outFile = resolve(args.out ?? join(root, 'appPackage', 'escalation-desk.zip'));
const manifestDir = resolve(args['manifest-dir'] ?? join(root, 'manifest'));
try {
  const manifest = await buildAppPackage({
    settings: {
      appId: config.bot.appId ?? LOCAL_APP_ID,
      teamsAppId: setting('TEAMS_APP_ID'),
      tabSsoClientId: config.tabSsoClientId,
      publicHostname,
      version,
    },
    manifestDir,
    outFile,
  });
  console.log(`package: wrote ${relative(process.cwd(), outFile) || outFile} (manifest ${manifest.manifestVersion}, app ${manifest.id}, v${manifest.version})`);
} catch (error) {
  fail(error instanceof Error ? error.message.split('\n')[0] : String(error));
}
