import type { Collection, Db } from 'mongodb';

/** Where the reconciler remembers when it last asked the tracking provider about a parcel. */
export const TRACKING_POLLS_COLLECTION = 'tracking_polls';

/** One parcel the reconciler polled: `_id` is its tracking number. */
interface TrackingPollDocument {
  _id: string;
  polledAt: Date;
}

/** When parcels were last polled (activities/tracking-poll.activities.ts). */
export interface TrackingPollLog {
  /** The last poll (epoch ms) of each of these tracking numbers that was ever polled. */
  lastPolled(trackingNumbers: readonly string[]): Promise<Map<string, number>>;
  /** Records a poll of this parcel now. */
  recordPoll(trackingNumber: string, at: number): Promise<void>;
  /** Forgets polls long past (once a run), so the log holds only parcels polled lately. */
  prune(now: number): Promise<void>;
}

/** Polls older than this are forgotten: a parcel still on its way after a month is a person's matter. */
const FORGET_AFTER_MS = 30 * 24 * 3_600_000;

/** The poll log in MongoDB: one small document per polled parcel, read by `_id`. */
export class TrackingPollStore implements TrackingPollLog {
  private readonly polls: Collection<TrackingPollDocument>;

  constructor(db: Db) {
    this.polls = db.collection<TrackingPollDocument>(TRACKING_POLLS_COLLECTION);
  }

  async lastPolled(trackingNumbers: readonly string[]): Promise<Map<string, number>> {
    if (trackingNumbers.length === 0) return new Map();
    const found = await this.polls.find({ _id: { $in: [...trackingNumbers] } }).toArray();
    return new Map(found.map((poll) => [poll._id, new Date(poll.polledAt).getTime()]));
  }

  async recordPoll(trackingNumber: string, at: number): Promise<void> {
    await this.polls.updateOne({ _id: trackingNumber }, { $set: { polledAt: new Date(at) } }, { upsert: true });
  }

  async prune(now: number): Promise<void> {
    // Kept small without a TTL index (FerretDB has none): the collection holds only parcels polled this month.
    await this.polls.deleteMany({ polledAt: { $lt: new Date(now - FORGET_AFTER_MS) } });
  }
}

/** The poll log in memory (tests, and a worker without a database). */
export class InMemoryTrackingPollLog implements TrackingPollLog {
  readonly polls = new Map<string, number>();

  async lastPolled(trackingNumbers: readonly string[]): Promise<Map<string, number>> {
    return new Map(trackingNumbers.flatMap((number) => (this.polls.has(number) ? [[number, this.polls.get(number)!] as const] : [])));
  }

  async recordPoll(trackingNumber: string, at: number): Promise<void> {
    this.polls.set(trackingNumber, at);
  }

  async prune(now: number): Promise<void> {
    for (const [number, at] of this.polls) if (at < now - FORGET_AFTER_MS) this.polls.delete(number);
  }
}
