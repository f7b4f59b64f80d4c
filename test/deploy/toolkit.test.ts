/**
 * The Microsoft 365 Agents Toolkit project (m365agents*.yml, env/, manifest/, infra/), checked
 * as the Toolkit reads it: every `${{NAME}}` an environment's lifecycle uses — in its yml, the
 * Teams manifest template, the Entra app manifest, the infra parameters — is defined by that
 * environment's env template; every file it names exists; the manifest filled from an
 * environment validates offline; the local settings file is a configuration the bot accepts.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import AdmZip from 'adm-zip';
import { parse as parseDotenv } from 'dotenv';
import yaml from 'js-yaml';
import { PROJECT_ROOT } from '../../src/app';
import { SETTING_NAMES, loadConfig } from '../../src/config';
import { validateManifest } from '../../src/tab/app-package';
import { tabAuthFromConfig } from '../../src/tab/api';

/** One action of a lifecycle stage. */
interface Action {
  readonly uses: string;
  readonly with?: Record<string, unknown>;
  readonly writeToEnvironmentFile?: Record<string, string>;
}
interface Project {
  readonly version: string;
  readonly environmentFolderPath: string;
  readonly provision?: Action[];
  readonly deploy?: Action[];
  readonly publish?: Action[];
}

const PLACEHOLDER = /\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), 'utf8');
const placeholders = (text: string) => new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''));
/** Fills `${{NAME}}` as the Toolkit does (an empty value leaves the placeholder in place). */
const fill = (text: string, env: Record<string, string>) => text.replace(PLACEHOLDER, (whole, name: string) => env[name] || whole);

const LIFECYCLES = [
  { file: 'm365agents.yml', env: 'dev' },
  { file: 'm365agents.local.yml', env: 'local' },
  { file: 'm365agents.playground.yml', env: 'playground' },
] as const;

/** Values an environment gets at provision time (what actions write), for filling templates here. */
const PROVISIONED: Record<string, string> = {
  RESOURCE_SUFFIX: 'a1b2c3',
  TEAMS_APP_ID: 'aaaaaaaa-1111-4111-8111-111111111111',
  BOT_ID: 'bbbbbbbb-2222-4222-8222-222222222222',
  BOT_TENANT_ID: 'dddddddd-4444-4444-8444-444444444444',
  TAB_SSO_CLIENT_ID: 'cccccccc-3333-4333-8333-333333333333',
  TAB_SSO_OBJECT_ID: 'eeeeeeee-5555-4555-8555-555555555555',
  AAD_APP_ACCESS_AS_USER_PERMISSION_ID: 'ffffffff-6666-4666-8666-666666666666',
  PUBLIC_HOSTNAME: 'deska1b2c3.azurewebsites.net',
  SECRET_BOT_PASSWORD: 'local-bot-secret-1234',
};

function project(file: string): Project {
  return yaml.load(read(file)) as Project;
}
function actions(p: Project): Action[] {
  return [...(p.provision ?? []), ...(p.deploy ?? []), ...(p.publish ?? [])];
}
/** The files an action reads whose placeholders the Toolkit fills: manifests, ARM parameters. */
function filledFiles(p: Project): string[] {
  const files: string[] = [];
  for (const action of actions(p)) {
    const manifest = action.with?.manifestPath;
    if (typeof manifest === 'string') files.push(manifest);
    const templates = action.with?.templates;
    if (Array.isArray(templates)) for (const t of templates as { parameters?: string }[]) if (t.parameters) files.push(t.parameters);
  }
  return [...new Set(files.map((f) => posix.normalize(f)))];
}

describe('deploy: the Agents Toolkit project', () => {
  const bicep = read('infra/azure.bicep');
  const bicepOutputs = [...bicep.matchAll(/^output\s+([A-Z0-9_]+)\s/gm)].map((m) => m[1] ?? '');

  for (const { file, env } of LIFECYCLES) {
    describe(`${file} (env/.env.${env})`, () => {
      const p = project(file);
      const template = parseDotenv(read(`env/.env.${env}`));

      it('declares a schema version the Toolkit supports and the env folder', () => {
        assert.match(read(file), /^# yaml-language-server: \$schema=https:\/\/aka\.ms\/m365-agents-toolkits\/v1\.12\/yaml\.schema\.json$/m);
        assert.equal(p.version, 'v1.12');
        assert.equal(p.environmentFolderPath, './env');
        assert.equal(template.TEAMSFX_ENV, env);
      });

      it('every placeholder it uses, in it or in the files it fills, is defined by the env template', () => {
        // A generated secret (SECRET_…) is written by its action to the git-ignored env/.env.<env>.user instead.
        const writtenSecrets = new Set(
          actions(p).flatMap((a) => Object.values(a.writeToEnvironmentFile ?? {})).filter((name) => name.startsWith('SECRET_')),
        );
        const used = new Map<string, string>();
        for (const source of [file, ...filledFiles(p)]) for (const name of placeholders(read(source))) used.set(name, source);
        assert.ok(used.size > 0 || file.includes('playground'));
        const undefinedNames = [...used].filter(([name]) => !(name in template) && !writtenSecrets.has(name));
        assert.deepEqual(undefinedNames, [], 'placeholders the env template does not define (name, where used)');
      });

      it('the env template lists every value its actions write (arm/deploy: the Bicep outputs)', () => {
        const written = actions(p).flatMap((a) => Object.values(a.writeToEnvironmentFile ?? {})).filter((n) => !n.startsWith('SECRET_'));
        if (actions(p).some((a) => a.uses === 'arm/deploy')) written.push(...bicepOutputs);
        assert.deepEqual(written.filter((name) => !(name in template)), []);
        assert.deepEqual(Object.keys(template).filter((name) => name.startsWith('SECRET_')), [], 'no secret in a committed env file');
      });

      it('every file it names exists', () => {
        const paths = actions(p).flatMap((a) => {
          const w = a.with ?? {};
          const named = [w.manifestPath, ...(Array.isArray(w.templates) ? (w.templates as { path: string; parameters?: string }[]).flatMap((t) => [t.path, t.parameters]) : [])];
          return named.filter((x): x is string => typeof x === 'string');
        });
        for (const path of paths) assert.ok(existsSync(join(PROJECT_ROOT, path)), `${path} exists`);
      });
    });
  }

  it('the manifest template filled from env/.env.dev validates offline, the three ids in their places', async () => {
    const env = { ...parseDotenv(read('env/.env.dev')), ...PROVISIONED };
    const manifest = JSON.parse(fill(read('manifest/manifest.template.json'), env)) as Record<string, unknown>;
    assert.deepEqual(await validateManifest(manifest), []);
    assert.equal(manifest.id, PROVISIONED.TEAMS_APP_ID);
    assert.equal((manifest.bots as { botId: string }[])[0]?.botId, PROVISIONED.BOT_ID, 'the bot is the managed identity');
    assert.deepEqual(manifest.webApplicationInfo, {
      id: PROVISIONED.TAB_SSO_CLIENT_ID,
      resource: `api://${PROVISIONED.PUBLIC_HOSTNAME}/${PROVISIONED.TAB_SSO_CLIENT_ID}`,
    });
    assert.equal(manifest.version, env.APP_VERSION);
  });

  it('npm run package fills the same template: a managed-identity bot, its Teams app id and the tab’s sign-in app', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ed-package-'));
    try {
      const outFile = join(dir, 'app.zip');
      const env = {
        PATH: process.env.PATH ?? '',
        MicrosoftAppId: PROVISIONED.BOT_ID,
        MicrosoftAppType: 'UserAssignedMSI',
        MicrosoftAppTenantId: PROVISIONED.BOT_TENANT_ID,
        PARTNER_TENANT_ID: PROVISIONED.BOT_TENANT_ID,
        PUBLIC_HOSTNAME: PROVISIONED.PUBLIC_HOSTNAME,
        TAB_SSO_CLIENT_ID: PROVISIONED.TAB_SSO_CLIENT_ID,
        TEAMS_APP_ID: PROVISIONED.TEAMS_APP_ID,
      };
      await promisify(execFile)(process.execPath, [join(PROJECT_ROOT, 'scripts', 'package.mjs'), '--out', outFile], { env, cwd: dir });
      const manifest = JSON.parse(new AdmZip(outFile).readAsText('manifest.json')) as { id: string; bots: { botId: string }[]; webApplicationInfo: unknown };
      assert.equal(manifest.id, PROVISIONED.TEAMS_APP_ID);
      assert.equal(manifest.bots[0]?.botId, PROVISIONED.BOT_ID);
      assert.deepEqual(manifest.webApplicationInfo, {
        id: PROVISIONED.TAB_SSO_CLIENT_ID,
        resource: `api://${PROVISIONED.PUBLIC_HOSTNAME}/${PROVISIONED.TAB_SSO_CLIENT_ID}`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the Entra app manifest exposes the audience the tab accepts, pre-authorized for the Teams clients', () => {
    const env = { ...parseDotenv(read('env/.env.dev')), ...PROVISIONED };
    const app = JSON.parse(fill(read('manifest/aad.manifest.json'), env)) as {
      appId: string;
      signInAudience: string;
      identifierUris: string[];
      api: { oauth2PermissionScopes: { id: string; value: string }[]; preAuthorizedApplications: { appId: string; delegatedPermissionIds: string[] }[] };
    };
    const config = loadConfig({
      env: {
        MicrosoftAppId: PROVISIONED.BOT_ID,
        MicrosoftAppType: 'UserAssignedMSI',
        MicrosoftAppTenantId: PROVISIONED.BOT_TENANT_ID,
        PUBLIC_HOSTNAME: PROVISIONED.PUBLIC_HOSTNAME,
        PARTNER_TENANT_ID: PROVISIONED.BOT_TENANT_ID,
        TAB_SSO_CLIENT_ID: PROVISIONED.TAB_SSO_CLIENT_ID,
      },
      dotenvPath: null,
    });
    const auth = tabAuthFromConfig(config, config.publicHostname);
    assert.equal(auth.mode, 'entra');
    assert.ok(auth.mode === 'entra' && auth.audience.includes(app.identifierUris[0] ?? ''), 'the tab accepts tokens for the exposed URI');
    assert.equal(app.appId, PROVISIONED.TAB_SSO_CLIENT_ID);
    assert.equal(app.signInAudience, 'AzureADMyOrg');
    const scope = app.api.oauth2PermissionScopes.find((s) => s.value === 'access_as_user');
    assert.ok(scope);
    const teamsClients = ['1fec8e78-bce4-4aaf-ab1b-5451cc387264', '5e3ce6c0-2b1f-4285-8d4b-75ee78787346'];
    assert.deepEqual(
      app.api.preAuthorizedApplications.filter((a) => a.delegatedPermissionIds.includes(scope.id)).map((a) => a.appId).sort(),
      teamsClients.sort(),
    );
  });

  it('the infra parameters, filled from env/.env.dev, are JSON and name only parameters azure.bicep declares', () => {
    const env = { ...parseDotenv(read('env/.env.dev')), ...PROVISIONED };
    const parameters = (JSON.parse(fill(read('infra/azure.parameters.json'), env)) as { parameters: Record<string, { value: unknown }> }).parameters;
    const declared = new Map([...bicep.matchAll(/^param\s+(\w+)\s+(\w+)(\s*=)?/gm)].map((m) => [m[1] ?? '', { type: m[2], hasDefault: Boolean(m[3]) }]));
    for (const [name, { value }] of Object.entries(parameters)) {
      const param = declared.get(name);
      assert.ok(param, `azure.bicep declares ${name}`);
      assert.equal(typeof value, param.type === 'int' ? 'number' : 'string', `${name} is a ${param.type}`);
    }
    const required = [...declared].filter(([, d]) => !d.hasDefault).map(([name]) => name);
    assert.deepEqual(required.filter((name) => !(name in parameters)), [], 'every parameter without a default is given');
    // Unquoted or enum-checked values cannot be left empty: the Toolkit would pass the placeholder itself.
    const template = parseDotenv(read('env/.env.dev'));
    for (const name of ['INSTANCE_COUNT', 'APP_SERVICE_SKU', 'HEALTH_SOURCE', 'DIRECTORY_SOURCE', 'SUPPORT_SOURCE', 'APP_VERSION']) {
      assert.ok(template[name], `${name} has a value in env/.env.dev`);
    }
  });

  it('deploy makes the bundle and zip-deploys the folder npm run bundle writes', () => {
    const deploy = project('m365agents.yml').deploy ?? [];
    const npm = deploy.filter((a) => a.uses === 'cli/runNpmCommand').map((a) => a.with?.args);
    assert.deepEqual(npm, ['ci --no-audit --no-fund', 'run bundle']);
    const zip = deploy.find((a) => a.uses === 'azureAppService/zipDeploy');
    assert.equal(zip?.with?.artifactFolder, './bundle/app');
    assert.equal(zip?.with?.resourceId, '${{AZURE_APP_SERVICE_RESOURCE_ID}}');
    assert.match(read('scripts/bundle.mjs'), /args\.out \?\? join\(root, 'bundle'\)\);\nconst stage = join\(outDir, 'app'\);/);
  });

  it('local debugging writes settings the bot accepts, and npm run start:local reads them', () => {
    const deploy = project('m365agents.local.yml').deploy ?? [];
    const write = deploy.find((a) => a.uses === 'file/createOrUpdateEnvironmentFile');
    const target = String(write?.with?.target);
    const envs = write?.with?.envs as Record<string, string | number>;
    assert.deepEqual(Object.keys(envs).filter((name) => !SETTING_NAMES.includes(name)), [], 'only settings config.ts reads');
    const filled = Object.fromEntries(Object.entries(envs).map(([k, v]) => [k, fill(String(v), PROVISIONED)]));
    const config = loadConfig({ env: filled, dotenvPath: null });
    assert.equal(config.bot.appType, 'SingleTenant');
    assert.equal(config.bot.localMode, false);
    assert.equal(config.tabSsoClientId, PROVISIONED.TAB_SSO_CLIENT_ID);
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts['start:local'], pkg.scripts.start?.replace('node ', `node --env-file=${target.replace(/^\.\//, '')} `));
    assert.match(read('.gitignore'), /^\.localConfigs\*$/m, 'the file with the local secret is not committed');
    assert.match(read('.gitignore'), /^env\/\*\.user$/m);
  });
});
