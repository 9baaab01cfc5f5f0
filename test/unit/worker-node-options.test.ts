import { loadConfig } from '../../config/env';
import { WORKER_STACK_TRACE_LIMIT, withoutStackTraceLimit, workerNodeOptions } from '../../worker/node-options';

describe('the worker process NODE_OPTIONS', () => {
  test('adds the worker\'s --stack-trace-limit to what is there', () => {
    expect(workerNodeOptions(undefined)).toBe(`--stack-trace-limit=${WORKER_STACK_TRACE_LIMIT}`);
    expect(workerNodeOptions('--max-old-space-size=2048')).toBe(`--max-old-space-size=2048 --stack-trace-limit=${WORKER_STACK_TRACE_LIMIT}`);
  });

  test('keeps a --stack-trace-limit chosen by the caller (a benchmark, an operator)', () => {
    expect(workerNodeOptions('--stack-trace-limit=10')).toBe('--stack-trace-limit=10');
    expect(workerNodeOptions('--enable-source-maps --stack-trace-limit=0')).toBe('--enable-source-maps --stack-trace-limit=0');
  });

  test('withoutStackTraceLimit drops only that flag', () => {
    expect(withoutStackTraceLimit('--a --stack-trace-limit=7 --b')).toBe('--a --b');
    expect(withoutStackTraceLimit(undefined)).toBe('');
  });
});

describe('the worker shutdown budget (WORKER_SHUTDOWN_*)', () => {
  test('defaults to 20 s of grace for running activities and 30 s before the worker gives up', () => {
    const config = loadConfig({});
    expect([config.WORKER_SHUTDOWN_GRACE_TIME, config.WORKER_SHUTDOWN_FORCE_TIME]).toEqual(['20s', '30s']);
  });

  test('refuses a force time that is not longer than the grace time, naming the variable', () => {
    expect(() => loadConfig({ WORKER_SHUTDOWN_GRACE_TIME: '30s', WORKER_SHUTDOWN_FORCE_TIME: '30s' })).toThrow(/WORKER_SHUTDOWN_FORCE_TIME: must be longer/);
    expect(() => loadConfig({ WORKER_SHUTDOWN_GRACE_TIME: 'soon' })).toThrow(/WORKER_SHUTDOWN_GRACE_TIME: must be a duration/);
  });
});
