/**
 * Issue 14 item 17: `sandbox/health.json` edited while the bot runs is read again (debounced),
 * a half-written file keeps what was loaded, and the watch ends with the app.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import type { SandboxData } from '../../src/health/sandbox-data';
import { watchSandboxFile } from '../../src/health/sandbox-watch';
import { createLogger } from '../../src/log';
import { Chat, shown } from '../helpers/chat';

const SEED = join(PROJECT_ROOT, 'sandbox', 'health.json');
const quiet = createLogger({ level: 'silent' });

/** Waits until `check` holds (polling), or fails after `ms`. */
async function eventually(check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The seed with Contoso renamed. */
function renamed(text: string, name: string): string {
  return text.replace('"companyName": "Contoso"', `"companyName": "${name}"`);
}

describe('sandbox seed reloaded on edit', function () {
  this.timeout(20_000);
  let folder: string;
  let file: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'ed-seed-'));
    file = join(folder, 'health.json');
    copyFileSync(SEED, file);
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('a customer renamed in the file while the bot runs is found by its new name, without a restart', async () => {
    assert.match(readFileSync(file, 'utf8'), /"companyName": "Contoso"/, 'the seed has Contoso');
    const chat = await Chat.start({ SANDBOX_HEALTH_FILE: file });
    try {
      assert.match(shown(await chat.types('health Zanzibar')).join('\n'), /no customer matching/);
      writeFileSync(file, renamed(readFileSync(file, 'utf8'), 'Zanzibar Traders'));
      await eventually(async () => /Service health: Zanzibar Traders/.test(shown(await chat.types('health Zanzibar')).join('\n')));
    } finally {
      await chat.stop();
    }
  });

  it('debounces a burst of writes into one read, keeps the loaded seed when the file does not parse, and stops on close', async () => {
    const loaded: SandboxData[] = [];
    const watch = watchSandboxFile({ path: file, logger: quiet, onReload: (d) => loaded.push(d), debounceMs: 150 });
    try {
      const text = readFileSync(file, 'utf8');
      for (let i = 0; i < 5; i += 1) writeFileSync(file, renamed(text, `Burst ${i}`));
      await eventually(() => loaded.length === 1);
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(loaded.length, 1, 'one read for the burst');
      assert.ok(loaded[0]?.customers.some((c) => c.companyName === 'Burst 4'), 'the last write');
      writeFileSync(file, '{ "customers": [');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(loaded.length, 1, 'a file that does not parse is not handed on');
    } finally {
      watch.close();
    }
    writeFileSync(file, renamed(readFileSync(SEED, 'utf8'), 'After close'));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(loaded.length, 1, 'nothing read after close');
  });
});
