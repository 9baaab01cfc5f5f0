import type { Logger } from 'pino';
import type { Db, MongoClient } from 'mongodb';
import type { CaseReadModel } from '../store/case-read-model.store';
import { createReadModel } from '../store/case-read-model.store';
import { connectMongo, ensureIndexes } from '../store/mongo';
import type { OpenCaseLocks } from '../store/open-case-locks.store';
import { OrderLedgerStore } from '../store/order-ledger.store';
import { ParcelTraceStore, type ParcelTraces } from '../store/parcel-traces.store';
import { slaReport, type SlaReport, type SlaReportQuery } from '../store/sla-report.store';
import { unavailable } from './errors';
import { countOpenCasesByStatus, type OpenCaseCounts } from './metrics';

/** What the API reads from the read model. */
export type CaseReader = Pick<CaseReadModel, 'getCase' | 'listCases' | 'findCaseIdByTrackingNumber' | 'findOpenCaseIdsByTrackingNumber' | 'findCaseIdByRefundId'>;
/** The one-open-case-per-order-line locks, as the API uses them. */
export type CaseLocks = Pick<OpenCaseLocks, 'acquire' | 'release' | 'releaseKey'>;
/** The order-line ledger, as the API reads it (the workflow's activities write it). */
export type LedgerReader = Pick<OrderLedgerStore, 'orderLines' | 'orderLedger'>;

/** The MongoDB-backed services of the API. */
export interface StoreServices {
  readModel: CaseReader;
  /** The first write of a new case's document (the projector writes every later version). */
  openingWriter: Pick<CaseReadModel, 'insertOpeningCase'>;
  locks: CaseLocks;
  ledger: LedgerReader;
  slaReport(query: SlaReportQuery): Promise<SlaReport>;
  /** Resolves when the database answers a ping. */
  ping(): Promise<void>;
  /** Open cases per status, for the `aftersales_open_cases` gauge of /metrics. */
  countOpenCasesByStatus?(): Promise<OpenCaseCounts>;
  /** Each parcel's pushed trace and what its cases were told (absent: each push is filtered on its own). */
  parcelTraces?: ParcelTraces;
}

/** Access to the store; `get()` throws a 503 `read_model_unavailable` while the database is not connected. */
export interface StoreAccess {
  get(): StoreServices;
}

/**
 * Connects to MongoDB in the background and keeps retrying, so the API starts (and answers
 * /healthz, and reads cases live from Temporal) even while the database is briefly down.
 */
export class LazyMongoStore implements StoreAccess {
  private services: StoreServices | undefined;
  private client: MongoClient | undefined;
  private db: Db | undefined;
  private stopped = false;
  private readonly connected: Promise<void>;

  constructor(
    private readonly uri: string,
    private readonly dbName: string,
    private readonly logger: Logger,
    private readonly retryMs = { initial: 500, max: 10_000 },
  ) {
    this.connected = this.connectLoop();
  }

  get(): StoreServices {
    if (this.services === undefined) throw unavailable('read_model_unavailable', 'the case database is not connected yet; retry');
    return this.services;
  }

  /** The database, for the payload codec's data keys; a 503 while not connected. */
  database(): Db {
    if (this.db === undefined) throw unavailable('read_model_unavailable', 'the case database is not connected yet; retry');
    return this.db;
  }

  /** Resolves once connected (or stopped). */
  whenConnected(): Promise<void> {
    return this.connected;
  }

  /** Stops retrying and closes the connection. */
  async close(): Promise<void> {
    this.stopped = true;
    await this.client?.close();
  }

  private async connectLoop(): Promise<void> {
    let delay = this.retryMs.initial;
    for (let attempt = 1; !this.stopped; attempt++) {
      let opened: MongoClient | undefined;
      try {
        const { client, db } = await connectMongo(this.uri, this.dbName);
        opened = client;
        if (this.stopped) {
          await client.close();
          return;
        }
        await ensureIndexes(db);
        this.client = client;
        this.db = db;
        const readModel = createReadModel(db);
        this.services = {
          readModel,
          openingWriter: readModel,
          locks: readModel.locks,
          ledger: new OrderLedgerStore(db),
          slaReport: (query) => slaReport(db, query),
          ping: async () => {
            await db.command({ ping: 1 });
          },
          countOpenCasesByStatus: () => countOpenCasesByStatus(db),
          parcelTraces: new ParcelTraceStore(db),
        };
        this.logger.info({ attempt }, 'connected to MongoDB');
        return;
      } catch (error) {
        await opened?.close().catch(() => undefined);
        this.logger.warn({ attempt, retryInMs: delay, reason: (error as Error).message }, 'MongoDB not reachable yet');
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
        delay = Math.min(delay * 2, this.retryMs.max);
      }
    }
  }
}
