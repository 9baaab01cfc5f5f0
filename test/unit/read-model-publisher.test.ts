import type { CaseSnapshot } from '../../domain/case.types';
import { ReadModelPublisher } from '../../worker/read-model-publisher';

/** A database stand-in: keeps the latest version written per case; `down` makes every write fail, `slowMs` delays it. */
class FakeDatabase {
  stored = new Map<string, number>();
  writes: string[] = [];
  down = false;
  slowMs = 0;
  async write(snapshot: CaseSnapshot): Promise<void> {
    if (this.slowMs) await new Promise((r) => setTimeout(r, this.slowMs));
    if (this.down) throw new Error('connection refused');
    this.writes.push(`${snapshot.id}@${snapshot.version}`);
    if ((this.stored.get(snapshot.id) ?? 0) < snapshot.version) this.stored.set(snapshot.id, snapshot.version);
  }
}

const snapshot = (id: string, version: number) => ({ id, version }) as CaseSnapshot;

async function eventually(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the read-model publisher behind the workflow sink', () => {
  let db: FakeDatabase;
  let publisher: ReadModelPublisher;
  beforeEach(() => {
    db = new FakeDatabase();
    publisher = new ReadModelPublisher((s) => db.write(s), { waitMs: 200, maxRetryDelayMs: 100 });
  });
  afterEach(() => publisher.stop());

  test('a healthy database is written before publish resolves (so before the workflow task completes)', async () => {
    await publisher.publish(snapshot('cs_1', 1));
    expect(db.stored.get('cs_1')).toBe(1);
    expect(publisher.pending).toBe(0);
  });

  test('while the database fails, publish resolves anyway and the latest version of each case is written once it is back', async () => {
    db.down = true;
    await expect(publisher.publish(snapshot('cs_1', 1))).resolves.toBeUndefined();
    await publisher.publish(snapshot('cs_1', 2));
    await publisher.publish(snapshot('cs_2', 1));
    expect(publisher.pending).toBe(2);
    db.down = false;
    await eventually(() => publisher.pending === 0, 'the queue to drain');
    expect(Object.fromEntries(db.stored)).toEqual({ cs_1: 2, cs_2: 1 });
    // Queued versions are replaced by newer ones: version 1 of cs_1 was never written.
    expect(db.writes).not.toContain('cs_1@1');
  });

  test('once something is queued, later snapshots join the queue instead of holding their workflow task', async () => {
    db.down = true;
    await publisher.publish(snapshot('cs_1', 1));
    db.slowMs = 1000;
    const started = Date.now();
    await publisher.publish(snapshot('cs_3', 1));
    expect(Date.now() - started).toBeLessThan(150);
    expect(publisher.pending).toBe(2);
  });

  test('a write slower than the wait is left to the background and still lands', async () => {
    db.slowMs = 400;
    const started = Date.now();
    await publisher.publish(snapshot('cs_1', 1));
    expect(Date.now() - started).toBeLessThan(390);
    await eventually(() => db.stored.get('cs_1') === 1 && publisher.pending === 0, 'the slow write to land');
  });

  test('flush writes what is queued before a worker exits, and says how many are left when the database stays down', async () => {
    db.down = true;
    await publisher.publish(snapshot('cs_1', 1));
    await publisher.publish(snapshot('cs_2', 1));
    expect(await publisher.flush(300)).toBe(2);
    db.down = false;
    expect(await publisher.flush(1000)).toBe(0);
    expect(Object.fromEntries(db.stored)).toEqual({ cs_1: 1, cs_2: 1 });
  });
});
