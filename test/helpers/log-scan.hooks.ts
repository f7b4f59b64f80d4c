/**
 * Mocha root hook (loaded by .mocharc.cjs): after the last suite, scans everything the
 * services of the whole run logged for a configured secret or a token.
 */
import assert from 'node:assert/strict';
import { RUN_LOG } from './run-log';

export const mochaHooks = {
  afterAll(): void {
    const { lines, leaks } = RUN_LOG.scan();
    assert.ok(lines > 0, 'the run logged nothing: the scan would prove nothing');
    assert.deepEqual(leaks.slice(0, 10), [], `${leaks.length} log line(s) of the test run carry a secret or a token`);
  },
};
