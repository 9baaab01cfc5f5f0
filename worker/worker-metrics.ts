import http from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** The worker's Prometheus registry (process metrics; case metrics are added by the activities). */
export function createWorkerRegistry(): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'worker' });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Serves GET /healthz (200 while the worker runs) and GET /metrics on `port`. */
export function serveWorkerEndpoints(port: number, registry: Registry, isRunning: () => boolean): http.Server {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      const ok = isRunning();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'stopping' }));
      return;
    }
    if (req.method === 'GET' && req.url === '/metrics') {
      registry
        .metrics()
        .then((body) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(body);
        })
        .catch(() => {
          res.writeHead(500);
          res.end();
        });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'not_found', message: 'GET /healthz or /metrics' } }));
  });
  server.listen(port, '0.0.0.0');
  return server;
}
