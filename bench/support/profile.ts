/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and prints where the time went:
 * self time per package / project file, the hottest functions, and the inclusive time of
 * the project's own functions (dist/src/…), so a slow step can be pinned on a call.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

/** Where a frame's code lives: a package, a project file, node internals, or V8 itself. */
function area(url: string): string {
  if (!url) return '(native / V8)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] ?? url;
  const own = /\/dist\/((?:src|bench|test)\/.*)$/.exec(url);
  if (own) return own[1] ?? url;
  if (url.startsWith('node:')) return 'node:internal';
  return url;
}

function frameName(n: ProfileNode): string {
  const where = n.callFrame.url ? `${area(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : '';
  return `${n.callFrame.functionName || '(anonymous)'} ${where}`.trim();
}

/** Prints the summary of one profile. */
export function summarizeProfile(path: string, top = 20): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // Self time per node from the samples and their time deltas (µs).
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idleUs = profile.nodes
    .filter((n) => n.callFrame.functionName === '(idle)')
    .reduce((sum, n) => sum + (selfUs.get(n.id) ?? 0), 0);
  const busyUs = totalUs - idleUs;
  const pct = (us: number): string => `${((100 * us) / busyUs).toFixed(1).padStart(5)}%`;
  console.log(`  wall ${(totalUs / 1e6).toFixed(1)} s, busy (not idle) ${(busyUs / 1e6).toFixed(1)} s; shares below are of busy time`);

  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const n of profile.nodes) {
    const us = selfUs.get(n.id) ?? 0;
    if (us === 0 || n.callFrame.functionName === '(idle)') continue;
    const a = n.callFrame.functionName === '(garbage collector)' ? '(garbage collector)' : area(n.callFrame.url);
    byArea.set(a, (byArea.get(a) ?? 0) + us);
    const f = frameName(n);
    byFunction.set(f, (byFunction.get(f) ?? 0) + us);
  }
  console.log('  self time by package / file:');
  for (const [a, us] of [...byArea].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`    ${pct(us)}  ${a}`);
  console.log('  hottest functions (self):');
  for (const [f, us] of [...byFunction].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`    ${pct(us)}  ${f}`);

  // Inclusive time of project functions: each sample counts once per distinct project frame on its stack.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n || !/\/dist\/src\//.test(n.callFrame.url)) continue;
      const f = frameName(n);
      if (seen.has(f)) continue;
      seen.add(f);
      inclusive.set(f, (inclusive.get(f) ?? 0) + us);
    }
  }
  console.log('  project functions, inclusive (their callees counted):');
  for (const [f, us] of [...inclusive].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`    ${pct(us)}  ${f}`);
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node dist/bench/support/profile.js <file.cpuprofile> [top]');
    process.exitCode = 2;
  } else {
    summarizeProfile(file, Number(process.argv[3] ?? 20));
  }
}
