import { ApiMetrics, type OpenCaseCounts } from '../../api/metrics';

/** The value of a series in the exposition text, or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('open cases by status on the API /metrics', () => {
  test('counts the read model on scrape, reports every open status (zeros included), and reuses the count for 15 s', async () => {
    let now = 1_000_000;
    let calls = 0;
    const metrics = new ApiMetrics({ defaultMetrics: false, now: () => now });
    metrics.countOpenCasesWith(async () => {
      calls++;
      return { awaiting_review: 3, refunding: calls } satisfies OpenCaseCounts;
    });

    const first = await metrics.registry.metrics();
    expect(sample(first, 'aftersales_open_cases{status="awaiting_review",service="api"}')).toBe(3);
    expect(sample(first, 'aftersales_open_cases{status="refunding",service="api"}')).toBe(1);
    expect(sample(first, 'aftersales_open_cases{status="inspecting",service="api"}')).toBe(0);
    expect(first).not.toContain('status="completed"');
    expect(sample(first, 'aftersales_read_model_up{service="api"}')).toBe(1);

    now += 10_000;
    await metrics.registry.metrics();
    expect(calls).toBe(1);
    now += 6_000;
    const later = await metrics.registry.metrics();
    expect(calls).toBe(2);
    expect(sample(later, 'aftersales_open_cases{status="refunding",service="api"}')).toBe(2);
  });

  test('while the read model is down the scrape still answers, with the last counts and read_model_up 0', async () => {
    let now = 0;
    let down = false;
    const metrics = new ApiMetrics({ defaultMetrics: false, now: () => now });
    metrics.countOpenCasesWith(async () => {
      if (down) throw new Error('read_model_unavailable');
      return { awaiting_review: 5 };
    });
    await metrics.registry.metrics();
    down = true;
    now += 20_000;
    const text = await metrics.registry.metrics();
    expect(sample(text, 'aftersales_read_model_up{service="api"}')).toBe(0);
    expect(sample(text, 'aftersales_open_cases{status="awaiting_review",service="api"}')).toBe(5);
    expect(sample(text, 'aftersales_open_cases_counted_at_seconds{service="api"}')).toBe(0);
  });

  test('concurrent scrapes share one count', async () => {
    let calls = 0;
    const metrics = new ApiMetrics({ defaultMetrics: false });
    metrics.countOpenCasesWith(async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return {};
    });
    await Promise.all([metrics.registry.metrics(), metrics.registry.metrics(), metrics.registry.metrics()]);
    expect(calls).toBe(1);
  });
});
