/**
 * The Dockerfile, checked without a container engine (images cannot be pulled here): it
 * builds the same bundle as `npm run bundle` on the official Node 20 image, runs it as a
 * non-root user with npm start's flags in exec form (so SIGTERM reaches node and the drain
 * runs), keeps the default SQLite file on a volume, exposes the port the bot listens on, and
 * its health check — run here for real — passes against the bot's /readyz and fails without it.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/app';
import { DEFAULT_DATABASE_URL, loadConfig } from '../../src/config';
import { startApp, type RunningApp } from '../helpers/app';

const run = promisify(execFile);

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped, split into stages. */
function stages(text: string): Instruction[][] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const result: Instruction[][] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') result.push([]);
    result[result.length - 1]?.push(instruction);
  }
  return result;
}

const all = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword).map((i) => i.args);
const one = (stage: Instruction[], keyword: string) => {
  const found = all(stage, keyword);
  assert.equal(found.length, 1, `one ${keyword}`);
  return found[0] ?? '';
};

describe('deploy: the Dockerfile', () => {
  const dockerfile = stages(readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
  const build = dockerfile[0] ?? [];
  const runtime = dockerfile[dockerfile.length - 1] ?? [];
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const workdir = one(runtime, 'WORKDIR');

  it('is multi-stage on the official Node 20 images, and builds with npm ci and the bundle script', () => {
    assert.ok(dockerfile.length >= 2, 'a build stage and a run stage');
    for (const stage of dockerfile) assert.match(stage[0]?.args ?? '', /^node:20(-[a-z]+)*(\s+AS\s+\w+)?$/i, 'the official node image, Node 20');
    const runs = all(build, 'RUN');
    assert.ok(runs.some((r) => /^npm ci\b/.test(r)), 'npm ci: the lockfile, dev dependencies included to build');
    assert.ok(runs.includes('npm run bundle'), 'the bundle is made by the same script as for App Service');
    assert.equal(pkg.scripts.bundle, 'node scripts/bundle.mjs');
    // Everything the build stage copies exists, and .dockerignore keeps none of it out.
    const ignored = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    for (const copy of all(build, 'COPY')) {
      const sources = copy.split(/\s+/).slice(0, -1);
      for (const source of sources) {
        assert.ok(existsSync(join(PROJECT_ROOT, source)), `${source} exists`);
        assert.ok(!ignored.includes(source), `${source} is in the build context`);
      }
    }
    for (const kept of ['node_modules', 'dist', 'bundle', '.env', 'data']) assert.ok(ignored.includes(kept), `.dockerignore leaves out ${kept}`);
  });

  it('runs the unpacked bundle as a non-root user, data on a volume, the port the bot listens on', () => {
    const buildName = /\s+AS\s+(\w+)$/i.exec(build[0]?.args ?? '')?.[1];
    const buildDir = one(build, 'WORKDIR');
    assert.ok(all(runtime, 'COPY').includes(`--from=${buildName} ${posix.join(buildDir, 'bundle', 'app')} ./`), 'the bundle folder the script writes');
    const user = one(runtime, 'USER');
    assert.ok(!['root', '0', ''].includes(user.split(':')[0] ?? ''), `non-root user (${user})`);
    const sqliteDir = posix.dirname(posix.join(workdir, DEFAULT_DATABASE_URL.replace(/^sqlite:/, '')));
    assert.deepEqual(JSON.parse(one(runtime, 'VOLUME')), [sqliteDir], 'the default SQLite file lives on the volume');
    assert.ok(all(runtime, 'RUN').some((r) => r.includes(`chown node:node ${sqliteDir}`)), 'the volume is writable by the user');
    const port = String(loadConfig({ env: {}, dotenvPath: null }).port);
    assert.equal(one(runtime, 'EXPOSE'), port);
    assert.match(one(runtime, 'ENV'), new RegExp(`\\bPORT=${port}\\b`));
  });

  it('starts node itself (exec form) with npm start’s flags, stopped by SIGTERM', () => {
    const cmd = JSON.parse(one(runtime, 'CMD')) as string[];
    assert.deepEqual(cmd, pkg.scripts.start?.split(' '));
    assert.equal(one(runtime, 'STOPSIGNAL'), 'SIGTERM');
    assert.deepEqual(all(runtime, 'ENTRYPOINT'), [], 'no wrapper shell between the signal and node');
  });

  describe('its HEALTHCHECK command', () => {
    let app: RunningApp;
    before(async () => {
      app = await startApp();
    });
    after(async () => app.stop());
    const healthcheck = () => {
      const args = one(runtime, 'HEALTHCHECK');
      assert.match(args, /--start-period=\d+s/);
      const command = JSON.parse(args.slice(args.indexOf('CMD') + 3).trim()) as string[];
      assert.equal(command[0], 'node', 'no curl in the slim image: node checks');
      return command.slice(1);
    };

    it('passes against a running bot’s /readyz', async () => {
      const port = new URL(app.url).port;
      const { stdout } = await run(process.execPath, healthcheck(), { env: { PORT: port } });
      assert.equal(stdout, '');
      assert.ok(healthcheck().join(' ').includes('/readyz'));
    });

    it('fails when nothing answers', async () => {
      await assert.rejects(run(process.execPath, healthcheck(), { env: { PORT: '9' } }), (e: { code?: number }) => e.code === 1);
    });
  });
});
