/** The Teams app package: built into a temp dir, validated offline, unzipped and its icons checked. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import AdmZip from 'adm-zip';
import { PNG } from 'pngjs';
import { COMMANDS } from '../../src/bot/commands';
import { AppPackageError, LOCAL_APP_ID, buildAppPackage, renderManifest, validateManifest } from '../../src/tab/app-package';

const ROOT = join(__dirname, '..', '..', '..');
const MANIFEST_DIR = join(ROOT, 'manifest');
const APP_ID = '11111111-2222-4333-8444-555555555555';
const run = promisify(execFile);

describe('Teams app package', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'escalation-desk-package-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds a zip whose manifest validates offline and whose icons have the required sizes', async () => {
    const outFile = join(dir, 'escalation-desk.zip');
    await buildAppPackage({ settings: { appId: APP_ID, publicHostname: 'desk.example.com', version: '1.2.3' }, manifestDir: MANIFEST_DIR, outFile });

    const zip = new AdmZip(outFile);
    assert.deepEqual(zip.getEntries().map((e) => e.entryName).sort(), ['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(zip.readAsText('manifest.json')) as Record<string, unknown>;
    assert.deepEqual(await validateManifest(manifest), []);
    assert.equal(manifest.manifestVersion, '1.30');
    assert.equal(manifest.id, APP_ID);
    assert.equal(manifest.version, '1.2.3');

    const bots = manifest.bots as { botId: string; scopes: string[]; commandLists: { scopes: string[]; commands: { title: string }[] }[] }[];
    assert.equal(bots[0]?.botId, APP_ID);
    assert.deepEqual([...(bots[0]?.scopes ?? [])].sort(), ['groupChat', 'personal', 'team']);
    for (const scope of ['personal', 'team', 'groupChat']) {
      const list = bots[0]?.commandLists.find((l) => l.scopes.includes(scope));
      assert.deepEqual(list?.commands.map((c) => c.title).sort(), Object.keys(COMMANDS).sort(), `commands in ${scope}`);
    }
    const staticTabs = manifest.staticTabs as { name?: string; contentUrl?: string; scopes: string[] }[];
    const mine = staticTabs.find((t) => t.name === 'My escalations');
    assert.equal(mine?.contentUrl, 'https://desk.example.com/tab/index.html?scope=personal');
    assert.deepEqual(mine?.scopes, ['personal']);
    const configurable = manifest.configurableTabs as { configurationUrl: string; scopes: string[] }[];
    assert.equal(configurable[0]?.configurationUrl, 'https://desk.example.com/tab/config.html');
    assert.deepEqual(configurable[0]?.scopes, ['team']);
    assert.deepEqual(manifest.validDomains, ['desk.example.com']);
    assert.deepEqual(manifest.webApplicationInfo, { id: APP_ID, resource: `api://desk.example.com/${APP_ID}` });

    const color = PNG.sync.read(zip.readFile('color.png') ?? Buffer.alloc(0));
    assert.deepEqual([color.width, color.height], [192, 192]);
    const outlineBytes = zip.readFile('outline.png') ?? Buffer.alloc(0);
    const outline = PNG.sync.read(outlineBytes);
    assert.deepEqual([outline.width, outline.height], [32, 32]);
    assert.ok([4, 6].includes(outlineBytes[25] ?? -1), 'the outline PNG has an alpha channel');
    let transparent = 0;
    let drawn = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = [outline.data[i], outline.data[i + 1], outline.data[i + 2], outline.data[i + 3]];
      if (a === 0) transparent += 1;
      else {
        drawn += 1;
        assert.deepEqual([r, g, b], [255, 255, 255], `pixel ${i / 4} is white`);
      }
    }
    assert.ok(transparent > 0 && drawn > 0, 'white glyph on a transparent background');
  });

  it('refuses bad settings with the name of the setting', () => {
    const template = { id: '${{APP_ID}}' };
    assert.throws(() => renderManifest(template, { appId: 'nope', publicHostname: 'a.example', version: '1.0.0' }), /MicrosoftAppId/);
    assert.throws(() => renderManifest(template, { appId: APP_ID, publicHostname: 'https://a.example/x', version: '1.0.0' }), /PUBLIC_HOSTNAME/);
    assert.throws(() => renderManifest(template, { appId: APP_ID, publicHostname: 'a.example', version: 'v1' }), /APP_VERSION/);
    assert.throws(() => renderManifest({ x: '${{NOPE}}' }, { appId: APP_ID, publicHostname: 'a.example', version: '1.0.0' }), AppPackageError);
  });

  it('npm run package writes the zip in local mode, and fails in one line when the manifest is invalid', async () => {
    const env = { ...process.env, MicrosoftAppId: '', MicrosoftAppPassword: '', PUBLIC_HOSTNAME: '', APP_VERSION: '2.0.0' };
    const outFile = join(dir, 'ok.zip');
    const ok = await run(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), '--out', outFile], { env, cwd: ROOT });
    assert.match(ok.stdout, /wrote/);
    const manifest = JSON.parse(new AdmZip(outFile).readAsText('manifest.json')) as Record<string, unknown>;
    assert.equal(manifest.id, LOCAL_APP_ID);
    assert.equal(manifest.version, '2.0.0');
    assert.deepEqual(manifest.validDomains, ['localhost']);

    const broken = join(dir, 'broken');
    await mkdir(broken);
    for (const icon of ['color.png', 'outline.png']) await copyFile(join(MANIFEST_DIR, icon), join(broken, icon));
    const template = JSON.parse(await readFile(join(MANIFEST_DIR, 'manifest.template.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(broken, 'manifest.template.json'), JSON.stringify({ ...template, accentColor: 'blue' }));
    await assert.rejects(
      run(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), '--out', join(dir, 'bad.zip'), '--manifest-dir', broken], { env, cwd: ROOT }),
      (error: { code?: number; stderr?: string }) => {
        assert.equal(error.code, 1);
        assert.equal(error.stderr?.trim().split('\n').length, 1, 'one line');
        assert.match(error.stderr ?? '', /does not validate.*accentColor/);
        return true;
      },
    );
  });
});
