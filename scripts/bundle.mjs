// `npm run bundle`: the production bundle that App Service (and the Dockerfile) runs, as a
// folder, bundle/app/, and as a zip of it, bundle/escalation-desk.zip:
//   dist/src (compiled code, no tests, no benches), cards/, locales/, sandbox/, manifest/
//   (the Teams manifest template and icons), src/tab/static/ (the tab's page), a package.json
//   whose only script is `start`, the lockfile, and node_modules with the production
//   dependencies only, better-sqlite3's native module included as built here.
// Start it from the unpacked folder with `npm start` or plain
// `node --max-semi-space-size=4 dist/src/index.js` (package.json's start script).
//   node scripts/bundle.mjs [--no-build] [--out DIR]
// --no-build reuses dist/ (the tests run right after `npm run build`).
// The native module is copied, not rebuilt: the bundle runs where it was made's platform,
// CPU and Node major run (bundle/app/bundle.json records them). Azure App Service's Node 20
// on Linux is linux-x64 with glibc, Node ABI 115: make the bundle on Linux x64 with Node 20.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Stops with one clear line. */
function fail(message) {
  console.error(`bundle: ${message}`);
  process.exit(1);
}

let args;
try {
  ({ values: args } = parseArgs({ options: { 'no-build': { type: 'boolean' }, out: { type: 'string' } }, allowPositionals: false }));
} catch (error) {
  fail(error.message);
}

/** The folders the running service reads, relative to the project root. */
const RUNTIME_FOLDERS = ['cards', 'locales', 'sandbox', 'manifest', join('src', 'tab', 'static')];

const outDir = resolve(args.out ?? join(root, 'bundle'));
const stage = join(outDir, 'app');
const zipFile = join(outDir, 'escalation-desk.zip');

if (!args['no-build']) {
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
  if (tsc.status !== 0) fail('the build failed');
}
if (!existsSync(join(root, 'dist', 'src', 'index.js'))) fail('dist/src/index.js is missing: run `npm run build` (or leave out --no-build)');

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const start = pkg.scripts?.start;
if (typeof start !== 'string' || !start.startsWith('node ')) fail('package.json has no `node …` start script');

rmSync(outDir, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

// Compiled code: the service only (dist/test and dist/bench stay out); no source maps, whose
// TypeScript sources are not in the bundle either.
cpSync(join(root, 'dist', 'src'), join(stage, 'dist', 'src'), { recursive: true, filter: (src) => !src.endsWith('.map') });
for (const folder of RUNTIME_FOLDERS) {
  if (!existsSync(join(root, folder))) fail(`${folder}/ is missing`);
  cpSync(join(root, folder), join(stage, folder), { recursive: true });
}

// Production dependencies: every package the lockfile does not mark dev (or dev-and-optional,
// such as TypeScript as an optional peer), as installed, native builds included, licences kept.
const PACKAGE_DIR = /(^|\/)node_modules\/(@[^/]+\/)?[^/@][^/]*$/;
const isDev = (entry) => entry === undefined || entry.dev === true || entry.devOptional === true;
// better-sqlite3 needs its lib/ and the built addon; its SQLite sources and objects are build leftovers.
const SQLITE_LEFTOVERS = /^node_modules\/better-sqlite3\/(deps|src|build\/(?!Release(\/better_sqlite3\.node)?$).*)$/;
const nativeModule = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
if (!existsSync(join(root, nativeModule))) fail(`${nativeModule} is missing: run \`npm ci\` (it builds better-sqlite3)`);
cpSync(join(root, 'node_modules'), join(stage, 'node_modules'), {
  recursive: true,
  filter: (src) => {
    const rel = relative(root, src).split(sep).join('/');
    if (rel === 'node_modules') return true;
    if (/(^|\/)node_modules\/(\.bin|\.cache|\.package-lock\.json)(\/|$)/.test(rel)) return false;
    if (SQLITE_LEFTOVERS.test(rel)) return false;
    // Source maps, type declarations and TypeScript sources: half the size, none read at run time.
    if (/\.(map|[cm]?ts)$/.test(rel) && !statSync(src).isDirectory()) return false;
    if (PACKAGE_DIR.test(rel) && !/\/@[^/]+$/.test(rel)) return !isDev(lock.packages[rel]);
    return true;
  },
});
if (!existsSync(join(stage, nativeModule))) fail('better-sqlite3 native module was not copied');
// Scope folders whose packages were all left out stay behind empty.
for (const scope of readdirSync(join(stage, 'node_modules')).filter((name) => name.startsWith('@'))) {
  const dir = join(stage, 'node_modules', scope);
  if (readdirSync(dir).length === 0) rmdirSync(dir);
}

const bundlePackage = {
  name: pkg.name,
  version: pkg.version,
  private: true,
  description: pkg.description,
  license: pkg.license,
  engines: pkg.engines,
  main: pkg.main,
  scripts: { start },
  dependencies: pkg.dependencies,
};
writeFileSync(join(stage, 'package.json'), `${JSON.stringify(bundlePackage, null, 2)}\n`);
cpSync(join(root, 'package-lock.json'), join(stage, 'package-lock.json'));
const glibc = process.report.getReport().header.glibcVersionRuntime;
const target = {
  platform: process.platform,
  arch: process.arch,
  libc: glibc ? `glibc ${glibc}` : 'not glibc',
  node: process.versions.node,
  nodeAbi: process.versions.modules,
  start,
};
writeFileSync(join(stage, 'bundle.json'), `${JSON.stringify(target, null, 2)}\n`);

const AdmZip = require('adm-zip');
const zip = new AdmZip();
zip.addLocalFolder(stage);
zip.writeZip(zipFile);

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
console.log(`bundle: wrote ${relative(process.cwd(), zipFile) || zipFile} (${mb(statSync(zipFile).size)}) from ${relative(process.cwd(), stage) || stage}/`);
console.log(`bundle: native modules for ${target.platform}-${target.arch}, ${target.libc}, Node ${target.node} (ABI ${target.nodeAbi}); start: ${start}`);
if (target.platform !== 'linux' || target.arch !== 'x64' || process.versions.node.split('.')[0] !== '20') {
  console.warn('bundle: note: Azure App Service runs this on linux-x64 with Node 20; this bundle will not load SQLite there.');
}
