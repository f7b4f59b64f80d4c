import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { PROJECT_ROOT } from '../src/app';
import { loadConfig } from '../src/config';

describe('.env.example', () => {
  const example = parse(readFileSync(join(PROJECT_ROOT, '.env.example')));

  it('starts the bot on its embedded defaults as written', () => {
    const fromExample = loadConfig({ env: example, dotenvPath: null });
    const fromNothing = loadConfig({ env: {}, dotenvPath: null });
    assert.deepEqual(fromExample, fromNothing, 'every value shown is the default');
  });

  it('documents every setting that config.ts reads', () => {
    const source = readFileSync(join(PROJECT_ROOT, 'src', 'config', 'env-schema.ts'), 'utf8');
    const schema = source.slice(source.indexOf('const EnvSchema'), source.indexOf('/** The names of every setting'));
    const names = [...schema.matchAll(/^ {2}([A-Za-z_]+):/gm)].map((m) => m[1] ?? '');
    assert.ok(names.length > 20);
    assert.deepEqual(names.filter((n) => !(n in example)), []);
  });
});
