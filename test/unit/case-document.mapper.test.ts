import type { Db } from 'mongodb';
import { toCaseDocument, toSnapshot } from '../../store/case-document.mapper';
import { createReadModel } from '../../store/case-read-model.store';
import { caseSnapshot } from '../integration/support/case-snapshot';

describe('the manual-evaluation flag in the read model', () => {
  it('is copied to the top of the document, where the list filter finds it', () => {
    expect(toCaseDocument(caseSnapshot('cs_late', { manualEvaluation: true })).manualEvaluation).toBe(true);
    expect(toCaseDocument(caseSnapshot('cs_on_time')).manualEvaluation).toBe(false);
  });

  it('reads back from the stored snapshot; a snapshot written before the field reads false', () => {
    expect(toSnapshot(toCaseDocument(caseSnapshot('cs_late', { manualEvaluation: true }))).manualEvaluation).toBe(true);
    const older = caseSnapshot('cs_old') as Partial<ReturnType<typeof caseSnapshot>>;
    delete older.manualEvaluation;
    const document = { ...toCaseDocument(caseSnapshot('cs_old')), snapshotJson: JSON.stringify(older) };
    expect(toSnapshot(document).manualEvaluation).toBe(false);
  });

  it('GET /v1/cases?manualEvaluation=… sends an equality on it (an index range, as `breached`), and nothing without it', async () => {
    const filters: unknown[] = [];
    const cursor = { project: () => cursor, sort: () => cursor, limit: () => cursor, toArray: async () => [] };
    const db = { collection: () => ({ find: (filter: unknown) => (filters.push(filter), cursor) }) } as unknown as Db;
    const readModel = createReadModel(db);
    await readModel.listCases({ manualEvaluation: true, sort: 'nextDeadline', limit: 20 });
    await readModel.listCases({ manualEvaluation: false, sort: 'nextDeadline', limit: 20 });
    await readModel.listCases({ sort: 'nextDeadline', limit: 20 });
    expect(filters).toEqual([{ manualEvaluation: true }, { manualEvaluation: false }, {}]);
  });
});
