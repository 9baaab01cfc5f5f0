import type { Db } from 'mongodb';
import { Collections } from '../../store/mongo';
import { sleep } from './stats';

/**
 * Sees each case's first read-model write (that is how a benchmark knows the worker ran the case's
 * first workflow task) and keeps the benchmark's `cases` collection small: every `intervalMs` it
 * deletes the projected documents and remembers their ids. (It was written when every projection
 * write scanned the whole collection on FerretDB; since the `_id` patch, docs/read-model.md, a write
 * is an index look-up, so the collection's size no longer matters to the figures.)
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
