import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { SmsClaim, SmsSendLog } from '../integrations/aliyun-sms.client';

/** The collection of SMS sends by idempotency key (no phone number, no text: the key, the OutId, the state and Aliyun's BizId). */
export const SMS_SENDS_COLLECTION = 'sms_sends';

interface SmsSendDocument {
  /** Our idempotency key. */
  _id: string;
  outId: string;
  state: 'sending' | 'sent';
  startedAt: Date;
  bizId?: string;
  sentAt?: Date;
}

/**
 * The Aliyun SMS send log in MongoDB: a send is inserted before the call (the `_id` is the
 * idempotency key, so a second attempt's insert fails and reads what the first left) and completed
 * with Aliyun's BizId after it.
 */
export class SmsSendStore implements SmsSendLog {
  private readonly sends: Collection<SmsSendDocument>;

  constructor(db: Db) {
    this.sends = db.collection<SmsSendDocument>(SMS_SENDS_COLLECTION);
  }

  async claim(key: string, outId: string, at: Date): Promise<SmsClaim> {
    try {
      await this.sends.insertOne({ _id: key, outId, state: 'sending', startedAt: at });
      return { state: 'claimed' };
    } catch (err) {
      if (!(err instanceof MongoServerError && err.code === 11000)) throw err;
    }
    const earlier = await this.sends.findOne({ _id: key });
    // Released between the insert and the read: claim again.
    if (!earlier) return this.claim(key, outId, at);
    return earlier.state === 'sent' && earlier.bizId !== undefined ? { state: 'sent', bizId: earlier.bizId } : { state: 'unfinished', startedAt: earlier.startedAt };
  }

  async complete(key: string, bizId: string): Promise<void> {
    await this.sends.updateOne({ _id: key }, { $set: { state: 'sent', bizId, sentAt: new Date() } });
  }

  async release(key: string): Promise<void> {
    await this.sends.deleteOne({ _id: key, state: 'sending' });
  }
}
