// `npm run dev`: the bot on its embedded defaults plus the Microsoft 365 Agents Playground
// pointed at it. Ctrl-C stops both. Run after `npm run build` (the npm script does that).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);
const { loadConfig } = require('../dist/src/config/index.js');

let config;
try {
  config = loadConfig();
} catch (error) {
  console.error(`escalation-desk: cannot start: ${error.message}`);
  process.exit(1);
}
const botUrl = `http://127.0.0.1:${config.port}`;
const playgroundPort = 56150;
const children = [];

function start(name, command, args, env = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping.`);
      stop(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(() =>
    process.exit(code),
  );
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

start('bot', process.execPath, ['dist/src/index.js']);

for (let i = 0; i < 100 && !stopping; i += 1) {
  try {
    if ((await fetch(`${botUrl}/healthz`)).ok) break;
  } catch {
    // not listening yet
  }
  await sleep(200);
}

start(
  'playground',
  process.execPath,
  [
    require.resolve('@microsoft/m365agentsplayground/cli.js'),
    '-e', `${botUrl}/api/messages`,
    '-c', 'msteams',
    '-p', String(playgroundPort),
    '--disable-telemetry',
  ],
  { TEAMSAPPTESTER_BROWSER: 'none' },
);

await sleep(1500);
if (!stopping) {
  console.log('');
  console.log(`  Escalation Desk is running at ${botUrl} (health: ${botUrl}/healthz).`);
  console.log(`  Chat with it: open http://localhost:${playgroundPort} and say "help".`);
  console.log('  Ctrl-C stops both.');
  console.log('');
}
