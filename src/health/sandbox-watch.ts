/**
 * The sandbox seed (`sandbox/health.json`) read again when it is edited while the bot runs: the
 * file's folder is watched (an editor that saves by replacing the file would end a watch on the
 * file itself), changes within `debounceMs` are read once, and a file that does not parse (a
 * save half-way through an edit) is logged and skipped, keeping what was loaded. Closed with the app.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '../log';
import { loadSandboxData, type SandboxData } from './sandbox-data';

/** A running watch of the seed file. */
export interface SandboxWatch {
  /** Stops watching (and drops a reload still waiting for its debounce). */
  close(): void;
}

/** Options of the watch. */
export interface SandboxWatchOptions {
  readonly path: string;
  readonly logger: Logger;
  /** Given the new seed after each edit that parses. */
  readonly onReload: (data: SandboxData) => void;
  /** Changes closer together than this are read once (default 250 ms). */
  readonly debounceMs?: number;
}

/** Watches the seed file and hands every edit that parses to `onReload`. */
export function watchSandboxFile(options: SandboxWatchOptions): SandboxWatch {
  const file = basename(options.path);
  const debounceMs = options.debounceMs ?? 250;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const reload = (): void => {
    timer = undefined;
    if (closed) return;
    try {
      options.onReload(loadSandboxData(options.path));
      options.logger.info({ file }, 'sandbox seed reloaded');
    } catch (error) {
      options.logger.warn({ file, err: error instanceof Error ? error.message : 'unknown' }, 'sandbox seed edited but not readable; keeping the one loaded');
    }
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(options.path), { persistent: false }, (_event, name) => {
      if (closed || (name !== null && name !== file)) return;
      clearTimeout(timer);
      timer = setTimeout(reload, debounceMs);
    });
    watcher.on('error', (error) => options.logger.warn({ file, err: error.message }, 'watching the sandbox seed stopped'));
  } catch (error) {
    options.logger.warn({ file, err: error instanceof Error ? error.message : 'unknown' }, 'cannot watch the sandbox seed: edits need a restart');
  }
  return {
    close: () => {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
