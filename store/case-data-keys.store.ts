import { Binary, MongoServerError, type Collection, type Db } from 'mongodb';
import type { DataKeyStore, StoredDataKey } from '../codec/case-data-keys';
import { Collections } from './mongo';

/** A case's data key wrapped by a master key, or the tombstone an erasure leaves in its place. */
interface CaseDataKeyDocument {
  /** The case's workflow id. */
  _id: string;
  masterKeyId?: string;
  wrapped?: Binary;
  createdAt?: Date;
  erasedAt?: Date;
  erasureId?: string;
}

/** The case data keys in MongoDB (`case_data_keys`); `db` is asked per call, so the API may connect late. */
export class MongoDataKeyStore implements DataKeyStore {
  constructor(private readonly db: () => Db) {}

  private get keys(): Collection<CaseDataKeyDocument> {
    return this.db().collection<CaseDataKeyDocument>(Collections.caseDataKeys);
  }

  /** The stored key or tombstone of a workflow, or null. */
  async find(workflowId: string): Promise<StoredDataKey | null> {
    return toStored(await this.keys.findOne({ _id: workflowId }));
  }

  /** Stores the key unless the workflow has one (or a tombstone) already; returns what is stored. */
  async insertIfAbsent(workflowId: string, masterKeyId: string, wrapped: Buffer): Promise<StoredDataKey> {
    try {
      await this.keys.insertOne({ _id: workflowId, masterKeyId, wrapped: new Binary(wrapped), createdAt: new Date() });
      return { workflowId, masterKeyId, wrapped };
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === 11000)) throw error;
      const existing = await this.find(workflowId);
      if (existing === null) throw error;
      return existing;
    }
  }

  /** Replaces the keys of these workflows by tombstones (kept, so no new key is ever made for them). */
  async erase(workflowIds: readonly string[], erasureId: string, at: Date): Promise<void> {
    for (const workflowId of workflowIds) {
      await this.keys.replaceOne({ _id: workflowId }, { erasedAt: at, erasureId }, { upsert: true });
    }
  }
}

function toStored(document: CaseDataKeyDocument | null): StoredDataKey | null {
  if (document === null) return null;
  if (document.erasedAt !== undefined || document.wrapped === undefined || document.masterKeyId === undefined) {
    return { workflowId: document._id, erasedAt: document.erasedAt ?? new Date(0) };
  }
  return { workflowId: document._id, masterKeyId: document.masterKeyId, wrapped: Buffer.from(document.wrapped.buffer) };
}
