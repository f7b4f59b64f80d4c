/**
 * Machine instructions per desk turn, counted by valgrind's callgrind: the same figure for the
 * same build and load whatever else the machine is doing (repeatable to about 1 % here), where
 * timing on this shared machine swings by 2×. It compares builds: a change that makes a turn
 * cheaper or dearer shows as a ratio of one run.
 *
 *   node dist/bench/turn-instructions.js                      (this checkout, after npm run build)
 *   node dist/bench/turn-instructions.js <dir> [<dir> …]      (built checkouts, e.g. a git
 *                                                              worktree of an older commit with
 *                                                              `npm ci && npm run build` in it)
 *   BENCH_WARM=300 BENCH_MEASURED=100 BENCH_CONCURRENCY=5     (the defaults)
 *
 * Each build's bot (its own `dist/src/app.js`, on a SQLite temp file, sandbox services,
 * WORKERS=off, LOG_LEVEL=info) runs under `valgrind --tool=callgrind` with V8 on one thread
 * (`--single-threaded`: compilation and GC counted where they happen, not raced on helper
 * threads) and the node flags of `npm start`. This process drives it over HTTP with the same
 * full triage conversations as turn-latency: a warm-up (JIT and caches settle: at 300
 * conversations optimizations have mostly stopped), a counter dump, the measured
 * conversations, a second dump. Instructions of the measured part ÷ its turns is the figure;
 * it also splits out V8's optimizing compiler and garbage collector. Builds run side by side,
 * two at a time; under valgrind a build takes about 10 minutes. Needs valgrind (Debian:
 * `apt-get install valgrind`).
 */
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ConnectorDouble } from '../test/helpers/connector-double';
import { BotClient, participant, readAnswer, requestNumbers, startCommand, stepActivity, TRIAGE_STEPS, type FlowIds } from './support/common';

const run = promisify(execFile);

const WARM = Number(process.env.BENCH_WARM ?? 300);
const MEASURED = Number(process.env.BENCH_MEASURED ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 5);
/** Builds measured at once (each valgrind runs on one core). */
const PARALLEL = 2;
/** The bot under valgrind starts in well under this. */
const START_TIMEOUT_MS = 10 * 60_000;

/** One build's figures. */
interface Counted {
  readonly build: string;
  readonly perTurn: number;
  readonly compiler: number;
  readonly gc: number;
}

/** The instructions of a callgrind dump, in all, in V8's optimizing compiler and in its GC. */
function readDump(file: string): { total: number; compiler: number; gc: number } {
  const text = readFileSync(file, 'utf8');
  const names = new Map<string, string>();
  let current = '';
  let total = 0;
  let compiler = 0;
  let gc = 0;
  let afterCall = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('fn=')) {
      const m = /^fn=\((\d+)\)(?: (.*))?$/.exec(line);
      if (m?.[2] !== undefined) names.set(m[1] ?? '', m[2]);
      current = m ? (names.get(m[1] ?? '') ?? '') : line.slice(3);
      afterCall = false;
      continue;
    }
    if (line.startsWith('calls=')) {
      afterCall = true; // the next cost line is the call's inclusive cost, not this function's own
      continue;
    }
    const cost = /^[+-]?\d+ (\d+)$/.exec(line);
    if (!cost) continue;
    if (afterCall) {
      afterCall = false;
      continue;
    }
    const n = Number(cost[1]);
    total += n;
    if (/v8::internal::(compiler|maglev)::/.test(current)) compiler += n;
    else if (/v8::internal::(Scavenge|MarkCompact|Mark|Sweep|Heap::|Evacuat|Marking|ConcurrentMarking|MinorMC)/.test(current)) gc += n;
  }
  return { total, compiler, gc };
}

/** Counts one build's instructions per turn. */
async function count(buildDir: string): Promise<Counted> {
  const work = mkdtempSync(join(tmpdir(), 'ed-bench-instructions-'));
  const out = join(work, 'callgrind.out');
  const server = join(__dirname, 'support', 'desk-process.js');
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${out}`, '--dump-instr=no', '--compress-pos=no', 'node', '--single-threaded', ...startCommand().flags, server, buildDir, `sqlite:${join(work, 'bench.db')}`, join(work, 'desk.log')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let errors = '';
  child.stderr.on('data', (d: Buffer) => (errors = (errors + d.toString()).slice(-4000)));
  const connector = await new ConnectorDouble().start();
  try {
    const port = await new Promise<number>((resolvePort, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`${buildDir}: the bot did not start under valgrind`)), START_TIMEOUT_MS);
      child.stdout.on('data', (d: Buffer) => {
        seen += d.toString();
        const m = /listening on (\d+)/.exec(seen);
        if (m) {
          clearTimeout(timer);
          resolvePort(Number(m[1]));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${buildDir}: the bot exited with ${code}: ${errors}`));
      });
    });
    const client = new BotClient(`http://127.0.0.1:${port}`, START_TIMEOUT_MS);
    const nextNumber = requestNumbers();
    let started = 0;
    const conversations = async (how: number, label: string): Promise<void> => {
      const end = started + how;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (started < end) {
            const who = participant(connector.url, `${label}-${started++}`);
            const ids: FlowIds = {};
            const number = nextNumber();
            for (const step of TRIAGE_STEPS) readAnswer(step, await client.post('/api/messages', stepActivity(who, step, ids, number)), ids, true);
          }
        }),
      );
    };
    await conversations(WARM, 'warm');
    await run('callgrind_control', ['-d', 'warm', String(child.pid)]);
    await conversations(MEASURED, 'measured');
    await run('callgrind_control', ['-d', 'measured', String(child.pid)]);
    client.close();
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    await exited;
    const dump = readdirSync(work)
      .filter((f) => f.startsWith('callgrind.out'))
      .map((f) => join(work, f))
      .find((f) => /^desc: Trigger: .*measured/m.test(readFileSync(f, 'utf8')));
    if (!dump) throw new Error(`${buildDir}: no dump of the measured part in ${work}`);
    const { total, compiler, gc } = readDump(dump);
    const turns = MEASURED * TRIAGE_STEPS.length;
    return { build: buildDir, perTurn: total / turns, compiler: compiler / turns, gc: gc / turns };
  } finally {
    await connector.stop();
    if (child.exitCode === null) child.kill('SIGKILL');
    if (process.env.BENCH_KEEP !== '1') rmSync(work, { recursive: true, force: true });
  }
}

/** Runs `work` over `items`, at most `limit` at once, answers in the items' order. */
async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]);
      }
    }),
  );
  return results;
}

async function main(): Promise<void> {
  const builds = (process.argv.length > 2 ? process.argv.slice(2) : [join(__dirname, '..', '..')]).map((d) => resolve(d));
  for (const build of builds) {
    if (!existsSync(join(build, 'dist', 'src', 'app.js'))) throw new Error(`${build} has no dist/src/app.js: run npm run build there first.`);
  }
  await run('valgrind', ['--version']).catch(() => {
    throw new Error('valgrind is not installed (Debian: apt-get install valgrind).');
  });
  console.log(`Instructions per desk turn (callgrind): ${WARM} conversations of warm-up, ${MEASURED} measured (${MEASURED * TRIAGE_STEPS.length} turns), ${CONCURRENCY} at once, SQLite`);
  const counted = await inBatches(builds, PARALLEL, count);
  const first = counted[0]?.perTurn ?? Number.NaN;
  console.log('  M instructions per turn | of which V8 compiler / GC | ratio to the first | build');
  for (const c of counted) {
    console.log(`  ${(c.perTurn / 1e6).toFixed(3).padStart(7)}                 | ${(c.compiler / 1e6).toFixed(3)} / ${(c.gc / 1e6).toFixed(3)}             | ${(c.perTurn / first).toFixed(3)}             | ${c.build}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
