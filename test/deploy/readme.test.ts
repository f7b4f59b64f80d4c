/**
 * The README names no file that does not exist: every repository path it links to or writes
 * in backticks exists, or is an output of a command that .gitignore keeps out of the
 * repository (dist/, bundle/, appPackage/, data/, .localConfigs, env/*.user).
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';

const FILE_EXTENSION = /\.(ts|js|mjs|cjs|json|ya?ml|md|bicep|png|zip|db|html|pem|example)$/;

/** The repository paths a Markdown text refers to: link targets and path-like inline code, outside code blocks. */
function referencedPaths(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  const links = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '').filter((t) => !/^(https?:|mailto:|#)/.test(t));
  const code = [...prose.matchAll(/`([^`\s]+)`/g)]
    .map((m) => m[1] ?? '')
    .filter((t) => !/[:<>…=$]/.test(t) && !t.startsWith('/') && !t.startsWith('-') && !t.startsWith('@'))
    .filter((t) => t.includes('/') || FILE_EXTENSION.test(t) || t === 'Dockerfile')
    // `teamsApp/create`, `linux/x64`: a slash but neither a file name, a folder (`x/`) nor under a top-level entry.
    .filter((t) => FILE_EXTENSION.test(t) || t.endsWith('/') || t === 'Dockerfile' || existsSync(join(PROJECT_ROOT, t.split('/')[0] ?? '')));
  return [...new Set([...links, ...code].map((t) => t.replace(/#.*$/, '')))];
}

/** Whether git would ignore a path (an output, not a file of the repository). */
function ignored(path: string): boolean {
  try {
    execFileSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: PROJECT_ROOT });
    return true;
  } catch {
    return false;
  }
}

/** Whether a path, possibly with a `*`, names something in the repository. */
function exists(path: string): boolean {
  if (!path.includes('*')) return existsSync(join(PROJECT_ROOT, path));
  const pattern = new RegExp(`^${path.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).split('\n');
  return files.some((f) => pattern.test(f));
}

describe('deploy: README file references', () => {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');

  it('finds the paths a text names, and only those', () => {
    const sample =
      'See [the infra](infra/azure.bicep), `src/config.ts`, `src/nope`, `npm run bundle`, `/readyz`, `api://x/y`, `teamsApp/create`, `ServiceHealth.Read.All`, `Dockerfile`.\n```sh\ncat nothing/here.txt\n```\n';
    assert.deepEqual(referencedPaths(sample), ['infra/azure.bicep', 'src/config.ts', 'src/nope', 'Dockerfile']);
  });

  it('every file or folder it names exists, or is a command’s output that .gitignore lists', () => {
    const paths = referencedPaths(readme);
    assert.ok(paths.length > 30, `found ${paths.length} references`);
    const missing = paths.filter((path) => !exists(path) && !ignored(path));
    assert.deepEqual(missing, []);
    for (const path of ['m365agents.yml', 'env/.env.dev', 'infra/azure.bicep', 'Dockerfile', 'scripts/bundle.mjs']) {
      assert.ok(paths.includes(path), `the README names ${path}`);
    }
  });
});
