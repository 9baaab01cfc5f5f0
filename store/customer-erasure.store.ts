import type { Collection, Db } from 'mongodb';
import type { CaseSnapshot } from '../domain/case.types';
import { withoutPersonalData } from '../domain/erasure';
import { toCaseDocument, toSnapshot, type CaseDocument } from './case-document.mapper';
import { Collections } from './mongo';
import { PARCEL_TRACES_COLLECTION } from './parcel-traces.store';

/** One case of a customer as the read model knows it. */
export interface CustomerCase {
  id: string;
  status: CaseSnapshot['status'];
  closed: boolean;
}

/** The record of an erasure: who asked, when, and which cases; never the erased data. */
export interface ErasureRecord {
  _id: string;
  customerId: string;
  erasedBy: string;
  erasedAt: Date;
  caseIds: string[];
}

type StoredCase = CaseDocument & { erasedAt?: Date };

/** The read model's side of erasing a customer's personal data. */
export class CustomerErasureStore {
  private readonly cases: Collection<StoredCase>;
  private readonly erasures: Collection<ErasureRecord>;
  private readonly traces: Collection<{ _id: string }>;

  constructor(db: Db) {
    this.cases = db.collection<StoredCase>(Collections.cases);
    this.erasures = db.collection<ErasureRecord>(Collections.erasures);
    this.traces = db.collection<{ _id: string }>(PARCEL_TRACES_COLLECTION);
  }

  /** Every case of the customer in the read model, open or closed. */
  async casesOf(customerId: string): Promise<CustomerCase[]> {
    const documents = await this.cases.find({ customerId }, { projection: { _id: 1, status: 1, closedAt: 1 } }).toArray();
    return documents.map((d) => ({ id: d._id, status: d.status, closed: d.closedAt !== null && d.closedAt !== undefined }));
  }

  /**
   * Rewrites each of the customer's cases without its personal data, keeping its version (the
   * workflow, closed, never writes a newer one) and stamping `erasedAt`, and deletes the stored
   * courier traces of their parcels (the courier's text may name a person). Returns how many cases were rewritten.
   */
  async scrubCases(customerId: string, erasedAt: Date): Promise<number> {
    let rewritten = 0;
    const parcels = new Set<string>();
    for (const document of await this.cases.find({ customerId }).toArray()) {
      for (const number of document.trackingNumbers ?? []) parcels.add(number);
      const { _id, ...fields } = toCaseDocument(withoutPersonalData(toSnapshot(document)));
      const result = await this.cases.replaceOne({ _id, version: document.version }, { ...fields, erasedAt, writtenAt: new Date() });
      rewritten += result.modifiedCount;
    }
    if (parcels.size > 0) await this.traces.deleteMany({ _id: { $in: [...parcels] } });
    return rewritten;
  }

  /** Keeps the record of an erasure. */
  async record(erasure: ErasureRecord): Promise<void> {
    await this.erasures.insertOne(erasure);
  }
}
