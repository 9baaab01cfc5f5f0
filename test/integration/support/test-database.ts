import type { Db, MongoClient } from 'mongodb';
import { connectMongo, ensureIndexes } from '../../../store/mongo';
import { mongoForTests, uniqueDbName } from './mongo-for-tests';

/** A database of its own for a test file, with the production indexes. */
export interface TestDatabase {
  db: Db;
  client: MongoClient;
  /** Drops the database, disconnects, and stops the server if it was started for this file. */
  close(): Promise<void>;
}

/** Opens a fresh database named after `prefix` on the test MongoDB (see mongoForTests) and creates the indexes. */
export async function openTestDatabase(prefix: string): Promise<TestDatabase> {
  const mongo = await mongoForTests();
  let connected: { client: MongoClient; db: Db } | undefined;
  const close = async (): Promise<void> => {
    await connected?.db.dropDatabase();
    await connected?.client.close();
    await mongo.stop();
  };
  try {
    connected = await connectMongo(mongo.uri, uniqueDbName(prefix));
    await ensureIndexes(connected.db);
  } catch (err) {
    await close();
    throw err;
  }
  return { ...connected, close };
}
