import type { Db } from 'mongodb';
import { Collections } from '../../store/mongo';
import { sleep } from './stats';

/**
 * Keeps one read model's `cases` collection near-empty while a benchmark opens thousands of cases:
 * every `intervalMs` it deletes the projected documents and remembers their ids.
 *
 * Why: on FerretDB 1.24 (SQLite) the projection write of store/case-read-model.store.ts
 * (`updateOne({_id, version: {$lt: v}}, …, {upsert: true})`) is not pushed down to SQLite, so
 * every write scans the whole collection (docs/benchmarks.md, "open-cases"). With thousands of
 * documents each projection takes seconds and the worker's workflow-task slots wait on those
 * local activities, which would measure that scan instead of timers or worker memory. The
 * benchmarks that use this say so in the report.
 */
export class ReadModelDrain {
  /** Ids of the cases whose snapshot reached the read model at least once. */
  readonly projected = new Set<string>();
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly db: Db,
    /** Every 2 s: each delete is a write transaction that competes with the projections for SQLite's lock. */
    private readonly intervalMs = 2000,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const cases = this.db.collection<{ _id: string }>(Collections.cases);
    while (this.running) {
      try {
        const found = await cases.find({}).project<{ _id: string }>({ _id: 1 }).limit(5000).toArray();
        for (const { _id } of found) this.projected.add(_id);
        if (found.length > 0) await cases.deleteMany({ _id: { $in: found.map((d) => d._id) } });
      } catch {
        // the database is busy or restarting; try again next round
      }
      await sleep(this.intervalMs);
    }
  }

  /** Stops draining (what is in the collection then stays). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
