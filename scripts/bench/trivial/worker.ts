/**
 * A tiny worker for the baseline of the open-cases benchmark: `benchTrivialWorkflow` on its own
 * task queue (BENCH_TRIVIAL_TASK_QUEUE), against TEMPORAL_ADDRESS. Serves GET /healthz on
 * 127.0.0.1:BENCH_TRIVIAL_HEALTH_PORT once polling. Stops on SIGTERM.
 */
import http from 'node:http';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS;
  const taskQueue = process.env.BENCH_TRIVIAL_TASK_QUEUE;
  const healthPort = Number(process.env.BENCH_TRIVIAL_HEALTH_PORT);
  if (!address || !taskQueue || !healthPort) throw new Error('TEMPORAL_ADDRESS, BENCH_TRIVIAL_TASK_QUEUE and BENCH_TRIVIAL_HEALTH_PORT are required');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue,
    workflowsPath: require.resolve('./workflows'),
  });
  const server = http.createServer((req, res) => {
    const ok = worker.getState() === 'RUNNING';
    res.writeHead(req.url === '/healthz' && ok ? 200 : 503);
    res.end();
  });
  server.listen(healthPort, '127.0.0.1');
  process.once('SIGTERM', () => worker.shutdown());
  process.once('SIGINT', () => worker.shutdown());
  await worker.run();
  server.close();
  await connection.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`bench trivial worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
