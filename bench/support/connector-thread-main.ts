/**
 * The connector double on a thread of its own (see `connector-thread.ts`): it stamps each
 * request when it arrives, not when the bench's busy event loop gets round to it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ConnectorDouble, idempotencyKeyOf, type ConnectorLimit } from '../../test/helpers/connector-double';

interface Setup {
  readonly limits: readonly ConnectorLimit[];
  readonly tenantLimits: readonly ConnectorLimit[];
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('connector-thread-main runs as a worker thread');
  const setup = workerData as Setup;
  const double = await new ConnectorDouble().start();
  double.enforceLimits(setup.limits);
  double.enforceTenantLimits(setup.tenantLimits);
  port.on('message', (message: string) => {
    if (message === 'snapshot') {
      const calls = double.calls.map((c) => ({ method: c.method, conversationId: c.conversationId, key: idempotencyKeyOf(c.activity) }));
      port.postMessage({ kind: 'snapshot', calls, throttled: double.throttledCount() });
    } else if (message === 'stop') {
      double.stop().then(
        () => port.postMessage({ kind: 'stopped' }),
        () => port.postMessage({ kind: 'stopped' }),
      );
    }
  });
  port.postMessage({ kind: 'ready', url: double.url });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
