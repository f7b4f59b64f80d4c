/**
 * The Toolkit's own CLI (`atk`, npm @microsoft/m365agentstoolkit-cli, pinned) on this project,
 * as far as it works without Azure or Microsoft 365 sign-in: it validates the Teams manifest
 * template filled from env/.env.dev against its schema, packages it, and its bundled YAML
 * schema accepts the three m365agents*.yml. The CLI is ~450 MB of packages, so it is not a
 * development dependency: npm exec fetches the pinned version (once per npm cache). Its
 * install scripts are skipped: keytar, which it uses only to keep sign-ins, builds a native
 * module from GitHub downloads.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import AdmZip from 'adm-zip';
import Ajv from 'ajv';
import yaml from 'js-yaml';
import { PROJECT_ROOT } from '../../src/app';

const run = promisify(execFile);
const CLI = '@microsoft/m365agentstoolkit-cli@1.1.17';
const PROVISIONED: Record<string, string> = {
  TEAMS_APP_ID: 'aaaaaaaa-1111-4111-8111-111111111111',
  BOT_ID: 'bbbbbbbb-2222-4222-8222-222222222222',
  TAB_SSO_CLIENT_ID: 'cccccccc-3333-4333-8333-333333333333',
  PUBLIC_HOSTNAME: 'deska1b2c3.azurewebsites.net',
};

describe('deploy: the Agents Toolkit CLI on this project', function () {
  this.timeout(300_000);
  let dir: string;
  const atk = (args: string[]) =>
    run('npm', ['exec', '--yes', `--package=${CLI}`, '--', 'atk', ...args, '--telemetry', 'false', '--interactive', 'false'], {
      cwd: dir,
      env: { ...process.env, npm_config_ignore_scripts: 'true', npm_config_update_notifier: 'false' },
      maxBuffer: 16 * 1024 * 1024,
    });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ed-atk-'));
    for (const path of ['m365agents.yml', 'm365agents.local.yml', 'm365agents.playground.yml', 'env', 'manifest', 'infra', 'package.json']) {
      cpSync(join(PROJECT_ROOT, path), join(dir, path), { recursive: true });
    }
    // What provisioning would have written into the environment.
    const envFile = join(dir, 'env', '.env.dev');
    let text = readFileSync(envFile, 'utf8');
    for (const [name, value] of Object.entries(PROVISIONED)) text = text.replace(new RegExp(`^${name}=$`, 'm'), `${name}=${value}`);
    writeFileSync(envFile, text);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('atk validate: the manifest template, filled from env/.env.dev, passes the schema and validation rules', async () => {
    const { stdout } = await atk(['validate', '--env', 'dev', '--manifest-file', './manifest/manifest.template.json']);
    assert.match(stdout, /checked manifest\(s\) with the corresponding schema[\s\S]*All passed/);
  });

  it('atk validate fails a manifest that breaks the schema', async () => {
    const path = join(dir, 'manifest', 'manifest.template.json');
    const good = readFileSync(path, 'utf8');
    writeFileSync(path, good.replace('"accentColor": "#1F4E79"', '"accentColor": "blue"'));
    try {
      const result = await atk(['validate', '--env', 'dev', '--manifest-file', './manifest/manifest.template.json']).then(
        (r) => r.stdout,
        (e: { stdout?: string }) => e.stdout ?? '',
      );
      assert.match(result, /accentColor/);
      assert.doesNotMatch(result, /All passed/);
    } finally {
      writeFileSync(path, good);
    }
  });

  it('atk package: the Teams app package, with the ids of the environment', async () => {
    await atk(['package', '--env', 'dev', '--manifest-file', './manifest/manifest.template.json', '--output-package-file', './appPackage/build/appPackage.dev.zip', '--output-folder', './appPackage/build']);
    const zip = new AdmZip(join(dir, 'appPackage', 'build', 'appPackage.dev.zip'));
    assert.deepEqual(zip.getEntries().map((e) => e.entryName).sort(), ['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(zip.readAsText('manifest.json')) as { id: string; bots: { botId: string }[]; webApplicationInfo: { id: string } };
    assert.equal(manifest.id, PROVISIONED.TEAMS_APP_ID);
    assert.equal(manifest.bots[0]?.botId, PROVISIONED.BOT_ID);
    assert.equal(manifest.webApplicationInfo.id, PROVISIONED.TAB_SSO_CLIENT_ID);
  });

  it('the CLI’s own YAML schema (v1.12) accepts m365agents.yml, m365agents.local.yml and m365agents.playground.yml', async () => {
    const { stdout } = await run('npm', ['exec', '--yes', `--package=${CLI}`, '--', 'node', '-e', 'process.stdout.write(process.env.PATH)'], {
      cwd: dir,
      env: { ...process.env, npm_config_ignore_scripts: 'true' },
    });
    const bin = stdout.split(delimiter).find((p) => existsSync(join(p, 'atk')) && p.includes('_npx'));
    assert.ok(bin, 'the CLI installed by npm exec');
    const schemaPath = join(dirname(bin), '@microsoft', 'm365agentstoolkit-cli', 'resource', 'yaml-schema', 'v1.12', 'yaml.schema.json');
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
    for (const file of ['m365agents.yml', 'm365agents.local.yml', 'm365agents.playground.yml']) {
      const valid = validate(yaml.load(readFileSync(join(PROJECT_ROOT, file), 'utf8')));
      assert.ok(valid, `${file}: ${JSON.stringify(validate.errors?.filter((e) => !/anyOf|oneOf/.test(e.keyword)).slice(0, 5))}`);
    }
  });
});
