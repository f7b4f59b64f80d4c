/**
 * The production bundle (`npm run bundle`): what it holds and leaves out, and that it runs
 * unpacked into an empty folder with plain `node` and npm start's flags — ready, answering a
 * turn, serving the tab — then drains and exits on SIGTERM. Built once (from the dist/ that
 * `npm test` has just compiled), unpacked once, started once.
 */
import { strict as assert } from 'node:assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import AdmZip from 'adm-zip';
import { PROJECT_ROOT } from '../../src/app';
import { message } from '../helpers/activities';
import { cardTexts } from '../helpers/cards';
import { ConnectorDouble } from '../helpers/connector-double';
import { recordChildOutput } from '../helpers/run-log';

const run = promisify(execFile);
const PORT = '39794';

interface PackageJson {
  readonly scripts: Record<string, string>;
  readonly dependencies: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

describe('deploy: the production bundle (npm run bundle)', function () {
  this.timeout(180_000);
  const project = readJson<PackageJson>(join(PROJECT_ROOT, 'package.json'));
  let work: string;
  let unpacked: string;
  let entries: string[];
  let child: ChildProcess | undefined;
  let connector: ConnectorDouble;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'ed-bundle-'));
    const out = join(work, 'out');
    const { stdout } = await run(process.execPath, [join(PROJECT_ROOT, 'scripts', 'bundle.mjs'), '--no-build', '--out', out], { cwd: PROJECT_ROOT });
    assert.match(stdout, /wrote .*escalation-desk\.zip/);
    // Only the zip travels: unpacked alone into an empty folder, away from the project's node_modules.
    unpacked = join(work, 'site');
    const zip = new AdmZip(join(out, 'escalation-desk.zip'));
    entries = zip.getEntries().map((e) => e.entryName.replace(/\\/g, '/'));
    zip.extractAllTo(unpacked, true);
    rmSync(out, { recursive: true, force: true });
    connector = await new ConnectorDouble().start();
  });
  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await connector?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('holds the compiled service, its data folders, the manifest template and the production dependencies', () => {
    const projectFiles = (folder: string) => readdirSync(join(PROJECT_ROOT, folder)).map((name) => `${folder}/${name}`);
    for (const file of [
      'dist/src/index.js',
      ...projectFiles('cards'),
      ...projectFiles('locales'),
      'manifest/manifest.template.json',
      'manifest/color.png',
      'manifest/outline.png',
      'sandbox/health.json',
      'src/tab/static/index.html',
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    ]) {
      assert.ok(entries.includes(file), `${file} is in the bundle`);
    }
    for (const dependency of Object.keys(project.dependencies)) {
      assert.ok(existsSync(join(unpacked, 'node_modules', dependency, 'package.json')), `dependency ${dependency} is in the bundle`);
    }
    const bundled = readJson<PackageJson>(join(unpacked, 'package.json'));
    assert.deepEqual(bundled.scripts, { start: project.scripts.start }, 'npm start is the only script, as in the project');
    assert.deepEqual(bundled.dependencies, project.dependencies);
    assert.equal(bundled.devDependencies, undefined);
    const target = readJson<{ platform: string; arch: string; nodeAbi: string }>(join(unpacked, 'bundle.json'));
    assert.deepEqual([target.platform, target.arch, target.nodeAbi], [process.platform, process.arch, process.versions.modules]);
  });

  it('leaves out tests, benches, source maps, TypeScript sources and every development dependency', () => {
    assert.deepEqual(entries.filter((e) => /^dist\/(test|bench)\//.test(e)), []);
    assert.deepEqual(entries.filter((e) => /\.test\.js$|\.js\.map$/.test(e) && !e.startsWith('node_modules/')), []);
    assert.deepEqual(entries.filter((e) => /^src\/.*\.ts$/.test(e)), []);
    // A development dependency that a production one also needs (@types/node) is production too: the lockfile says which.
    const lock = readJson<{ packages: Record<string, { dev?: boolean }> }>(join(PROJECT_ROOT, 'package-lock.json'));
    const devOnly = Object.entries(lock.packages).filter(([path, entry]) => path.startsWith('node_modules/') && entry.dev).map(([path]) => path);
    assert.ok(devOnly.length > 50);
    assert.deepEqual(devOnly.filter((path) => existsSync(join(unpacked, path))), [], 'no development-only package');
    for (const dependency of ['typescript', 'mocha', 'eslint', 'sinon', 'playwright-core', '@microsoft/m365agentsplayground', '@microsoft/app-manifest']) {
      assert.ok(!existsSync(join(unpacked, 'node_modules', dependency)), `${dependency} is left out`);
    }
    assert.deepEqual(entries.filter((e) => /^node_modules\/better-sqlite3\/(deps|src)\//.test(e)), [], 'no SQLite build leftovers');
  });

  it('runs from an empty folder with plain node and npm start’s flags: ready, a turn answered, the tab served, a clean drain', async () => {
    const bundled = readJson<PackageJson>(join(unpacked, 'package.json'));
    const [command, ...args] = bundled.scripts.start.split(' ');
    assert.equal(command, 'node');
    assert.ok(args.includes('--max-semi-space-size=4'));
    const env = { PATH: process.env.PATH ?? '', PORT, LOG_LEVEL: 'info', WORKERS: 'off' };
    child = spawn(process.execPath, args, { cwd: unpacked, env, stdio: ['ignore', 'pipe', 'pipe'] });
    recordChildOutput(child, env);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = `http://127.0.0.1:${PORT}`;
    let ready = false;
    for (let i = 0; i < 150 && !ready; i += 1) {
      if (child.exitCode !== null) assert.fail(`the bundle exited ${child.exitCode}: ${stderr}`);
      ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(ready, `GET /readyz answered 200 (${stderr})`);

    const res = await fetch(`${url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message('help', { serviceUrl: connector.url })),
    });
    assert.equal(res.status, 200);
    const [reply] = await connector.waitForSent(1, 10_000);
    const card = (reply?.attachments as { content: unknown }[] | undefined)?.[0]?.content;
    assert.equal(cardTexts(card)[0], 'Escalation Desk', 'the help card, rendered from the bundled cards and locales');
    assert.equal((await fetch(`${url}/tab/index.html`)).status, 200);
    assert.equal((await fetch(`${url}/tab/vendor/teams-js.js`)).status, 200, 'the tab’s vendor script comes from the bundled node_modules');
    assert.ok(existsSync(join(unpacked, 'data', 'escalation-desk.db')), 'the default SQLite file is created beside the bundle');

    const running = child;
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => (running.exitCode !== null ? resolve(running.exitCode) : running.once('exit', resolve)));
    assert.equal(code, 0, stderr);
  });
});
