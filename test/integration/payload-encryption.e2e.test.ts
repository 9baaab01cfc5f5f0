import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { CaseSnapshot } from '../../domain/case.types';
import { READABLE_METADATA } from '../../domain/readable-text';
import { caseWorkflowId } from '../../domain/ids';
import { Collections } from '../../store/mongo';
import { STACK_ENV } from './stack/stack-file';
import { daysAgo, stackTemporalClient, stackWithoutKeys } from './support/fixtures';
import { CasesApi, requiredEnv, stackTokens, type OpenCaseBody } from './support/http-client';
import { Features } from '../../workflows/features';

// What Temporal stores of a case is ciphertext: its input, the Update arguments and results,
// the activity inputs and the query answers. Only a client holding the keys reads them.

const tokens = stackTokens();
const cases = new CasesApi(requiredEnv(STACK_ENV.apiUrl), tokens.agent);
const encrypted = stackTemporalClient();

const withoutKeys = stackWithoutKeys();

/** Every payload object (`{ metadata, data }`) anywhere in a history. */
type FoundPayload = { path: string; metadata?: Record<string, Uint8Array>; data?: Uint8Array };

function payloadsIn(value: unknown, path = '', found: FoundPayload[] = []): FoundPayload[] {
  if (Array.isArray(value)) value.forEach((item, i) => payloadsIn(item, `${path}[${i}]`, found));
  else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ('metadata' in record && 'data' in record && record.metadata !== null && typeof record.metadata === 'object') found.push({ path, metadata: record.metadata as Record<string, Uint8Array>, data: record.data as Uint8Array });
    else Object.entries(record).forEach(([key, item]) => payloadsIn(item, `${path}.${key}`, found));
  }
  return found;
}

const encodingOf = (payload: { metadata?: Record<string, Uint8Array> }) => Buffer.from(payload.metadata?.encoding ?? []).toString('utf8');

describe('payload encryption on the running stack', () => {
  test('a case opened with personal text is stored as ciphertext; the API and a keyed client read it, a client without keys cannot', async () => {
    const marker = `Zhang San 138${Math.floor(Math.random() * 1e8)} Nanjing Road ${randomUUID().slice(0, 6)}`;
    const body: OpenCaseBody = {
      type: 'return',
      orderId: `IT-ENC-${randomUUID()}`,
      customerId: 'c-1',
      items: [{ sku: 'SKU-ENC-1', quantity: 1, unitPrice: 4200 }],
      reason: { code: 'no_reason', description: marker },
      packagingIntact: true,
      order: { paidAt: daysAgo(4), deliveredAt: daysAgo(2), paymentMethod: 'online', total: 4200, currency: 'CNY' },
    };
    const opened = await cases.opened(tokens.agent, body);
    const noteMarker = `agent note ${randomUUID().slice(0, 8)}`;
    const approved = await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve', note: noteMarker });
    expect(approved.status).toBe('awaiting_return_shipment');
    // The API decrypts for its callers.
    const read: CaseSnapshot = await cases.get(opened.id);
    expect(JSON.stringify(read)).toContain(marker);

    const workflowId = caseWorkflowId(opened.id);
    const history = await withoutKeys.client.workflow.getHandle(workflowId).fetchHistory();
    const stored = JSON.stringify(history, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value));
    expect({ markerInHistory: stored.includes(marker), noteInHistory: stored.includes(noteMarker) }).toEqual({ markerInHistory: false, noteInHistory: false });

    const payloads = payloadsIn(history.events);
    // Search attributes and the summaries our code marks readable stay in clear (the UI shows them without decoding); they hold no personal data.
    const readableSummaries = payloads.filter((payload) => payload.metadata?.[READABLE_METADATA] !== undefined);
    expect(readableSummaries.map((payload) => payload.path.replace(/\[\d+\]/g, '[]').replace(/^\[\]\./, ''))).toEqual(
      expect.arrayContaining(['userMetadata.summary', 'userMetadata.details']),
    );
    expect(readableSummaries.filter((payload) => !payload.path.includes('.userMetadata.')).map((payload) => payload.path)).toEqual([]);
    // A patch marker's data is written by the SDK's core, past the payload codec: it must hold the patch's id and nothing else.
    const patchMarkers = payloads.filter((payload) => payload.path.includes('.markerRecordedEventAttributes.details.patch-data.'));
    for (const marker of patchMarkers) {
      const content = JSON.parse(Buffer.from(marker.data ?? []).toString('utf8')) as Record<string, unknown>;
      expect({ keys: Object.keys(content).sort(), knownPatch: Object.values(Features).includes(content.id as never) }).toEqual({ keys: ['deprecated', 'id'], knownPatch: true });
    }
    const unencrypted = payloads
      .filter((payload) => encodingOf(payload) !== 'binary/encrypted' && !payload.path.includes('.searchAttributes.') && !readableSummaries.includes(payload) && !patchMarkers.includes(payload))
      .map((payload) => payload.path.replace(/\[\d+\]/g, '[]'));
    expect({ payloads: payloads.length > 5, unencrypted: [...new Set(unencrypted)] }).toEqual({ payloads: true, unencrypted: [] });

    // A query answer is encrypted too: without the keys it cannot be read, with them it can.
    await expect(withoutKeys.client.workflow.getHandle(workflowId).query('getCase')).rejects.toThrow(/encoding|binary\/encrypted/i);
    const answered = await encrypted.client.workflow.getHandle(workflowId).query<CaseSnapshot>('getCase');
    expect(answered.reason.description).toBe(marker);

    // The case's data key is stored wrapped, never in the clear.
    const key = await withoutKeys.db.collection(Collections.caseDataKeys).findOne({ _id: workflowId as never });
    expect(key).toMatchObject({ masterKeyId: 'it-1' });
    expect(Object.keys(key ?? {}).sort()).toEqual(['_id', 'createdAt', 'masterKeyId', 'wrapped']);
  });

  test('an unknown workflow is still reported as not found through the encrypted client (the codec is not in the way)', async () => {
    await expect(encrypted.client.workflow.getHandle(`case-absent-${randomUUID()}`).describe()).rejects.toThrow(WorkflowNotFoundError);
  });
});
