import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { CaseDataErasedError, CaseDataKeyMissingError, CaseDataKeys, MemoryDataKeyStore, type StoredDataKey } from '../../codec/case-data-keys';
import { KeyringError, MasterKeyMissingError, MasterKeyring, newKeyringJson } from '../../codec/master-keys';
import { encryptedKeyRef, PayloadEncryptionCodec } from '../../codec/payload-encryption.codec';

const PERSONAL_TEXT = 'Zhang San, phone 13800138000, 88 Nanjing Road Shanghai';
const caseContext = (workflowId: string) => ({ type: 'workflow' as const, namespace: 'default', workflowId });

function keyringOf(...ids: string[]): MasterKeyring {
  const keys = Object.fromEntries(ids.map((id) => [id, (JSON.parse(newKeyringJson(id)) as { keys: Record<string, string> }).keys[id]]));
  return MasterKeyring.parse(JSON.stringify({ current: ids[ids.length - 1], keys }), 'test keyring');
}

function codecWith(keyring: MasterKeyring, store = new MemoryDataKeyStore()) {
  return { codec: new PayloadEncryptionCodec(keyring, new CaseDataKeys(keyring, store)), store };
}

const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const valueOf = (payload: Payload): unknown => defaultPayloadConverter.fromPayload(payload);
const bytesText = (payload: Payload) => Buffer.from(payload.data ?? []).toString('latin1') + JSON.stringify(payload.metadata);

describe('payload encryption codec', () => {
  test('a case payload is stored as ciphertext under the case key and decodes back to the same value', async () => {
    const { codec } = codecWith(keyringOf('m1'));
    const input = { caseId: 'A1', request: { reason: { description: PERSONAL_TEXT } } };
    const [encoded] = await codec.encode([payloadOf(input)], caseContext('case-A1'));
    expect(encryptedKeyRef(encoded)).toBe('case/case-A1');
    expect(bytesText(encoded)).not.toContain('13800138000');
    expect(bytesText(encoded)).not.toContain('json/plain');
    const [decoded] = await codec.decode([encoded]);
    expect(valueOf(decoded)).toEqual(input);
  });

  test('an activity payload of a case uses the case key (the SDK names the workflow in the activity context)', async () => {
    const { codec } = codecWith(keyringOf('m1'));
    const [encoded] = await codec.encode([payloadOf({ note: PERSONAL_TEXT })], { type: 'activity', namespace: 'default', workflowId: 'case-A2', isLocal: false });
    expect(encryptedKeyRef(encoded)).toBe('case/case-A2');
  });

  test('payloads of other workflows, or without a context, use the current master key', async () => {
    const { codec } = codecWith(keyringOf('m1', 'm2'));
    const [reconciler] = await codec.encode([payloadOf({ run: 1 })], caseContext('read-model-reconciler'));
    const [contextless] = await codec.encode([payloadOf('x')]);
    expect([encryptedKeyRef(reconciler), encryptedKeyRef(contextless)]).toEqual(['master/m2', 'master/m2']);
    expect((await codec.decode([reconciler, contextless])).map(valueOf)).toEqual([{ run: 1 }, 'x']);
  });

  test('a payload written before encryption passes through decode unchanged (old histories replay)', async () => {
    const { codec } = codecWith(keyringOf('m1'));
    const plain = payloadOf({ caseId: 'OLD' });
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  test('altered ciphertext does not decode', async () => {
    const { codec } = codecWith(keyringOf('m1'));
    const [encoded] = await codec.encode([payloadOf({ amount: 8800 })], caseContext('case-A3'));
    const data = Buffer.from(encoded.data!);
    data[data.length - 20] ^= 0x01;
    await expect(codec.decode([{ ...encoded, data }])).rejects.toThrow(/unable to authenticate|auth/i);
  });

  test('every case gets its own data key: one case key cannot open another case', async () => {
    const { codec, store } = codecWith(keyringOf('m1'));
    const [a] = await codec.encode([payloadOf('a')], caseContext('case-K1'));
    await codec.encode([payloadOf('b')], caseContext('case-K2'));
    const [k1, k2] = (await Promise.all([store.find('case-K1'), store.find('case-K2')])) as Extract<StoredDataKey, { wrapped: Buffer }>[];
    expect(k1.wrapped.equals(k2.wrapped)).toBe(false);
    // Swap the stored keys: K1's payload no longer opens.
    const swapped = new MemoryDataKeyStore(new Map([['case-K1', { ...k2, workflowId: 'case-K1' }]]));
    const other = codecWith(keyringOf('m1'), swapped).codec;
    await expect(other.decode([a])).rejects.toThrow();
  });

  test('concurrent first payloads of one case in one process make one data key', async () => {
    const store = new MemoryDataKeyStore();
    const inserts = jest.spyOn(store, 'insertIfAbsent');
    const { codec } = codecWith(keyringOf('m1'), store);
    await Promise.all(Array.from({ length: 10 }, (_, i) => codec.encode([payloadOf(i)], caseContext('case-C1'))));
    expect(inserts).toHaveBeenCalledTimes(1);
  });

  test('after a master key rotation, data keys wrapped by the old key still open, and new ones use the new key', async () => {
    const old = keyringOf('m1');
    const store = new MemoryDataKeyStore();
    const [before] = await codecWith(old, store).codec.encode([payloadOf('before')], caseContext('case-R1'));
    const rotated = MasterKeyring.parse(
      JSON.stringify({ current: 'm2', keys: { m1: old.key('m1').toString('base64'), m2: keyringOf('m2').key('m2').toString('base64') } }),
      'rotated',
    );
    const after = codecWith(rotated, store).codec;
    expect(valueOf((await after.decode([before]))[0])).toBe('before');
    await after.encode([payloadOf('new case')], caseContext('case-R2'));
    expect(((await store.find('case-R2')) as { masterKeyId: string }).masterKeyId).toBe('m2');
  });

  test('a master key missing from the keyring is named in the error', async () => {
    const store = new MemoryDataKeyStore();
    const [encoded] = await codecWith(keyringOf('m1'), store).codec.encode([payloadOf('x')]);
    await expect(codecWith(keyringOf('other'), store).codec.decode([encoded])).rejects.toThrow(MasterKeyMissingError);
    await expect(codecWith(keyringOf('other'), store).codec.decode([encoded])).rejects.toThrow('master key "m1"');
  });

  test('after an erasure the case payloads no longer decode, with an error that says so, and no new key is made', async () => {
    const store = new MemoryDataKeyStore();
    const { codec } = codecWith(keyringOf('m1'), store);
    const [encoded] = await codec.encode([payloadOf({ description: PERSONAL_TEXT })], caseContext('case-E1'));
    const erasedAt = new Date('2026-11-29T08:00:00Z');
    const erased = new MemoryDataKeyStore(new Map([['case-E1', { workflowId: 'case-E1', erasedAt }]]));
    const afterErasure = codecWith(keyringOf('m1'), erased).codec;
    await expect(afterErasure.decode([encoded])).rejects.toThrow(CaseDataErasedError);
    await expect(afterErasure.decode([encoded])).rejects.toThrow('the data of case-E1 was erased on 2026-11-29T08:00:00.000Z');
    await expect(afterErasure.encode([payloadOf('late')], caseContext('case-E1'))).rejects.toThrow(CaseDataErasedError);
  });

  test('a case payload whose data key is not stored fails with the workflow named', async () => {
    const { codec } = codecWith(keyringOf('m1'));
    const [encoded] = await codec.encode([payloadOf('x')], caseContext('case-M1'));
    await expect(codecWith(keyringOf('m1')).codec.decode([encoded])).rejects.toThrow(CaseDataKeyMissingError);
  });

  test('a case being opened stores its new key without reading first, and the codec then encrypts with that key', async () => {
    const store = new MemoryDataKeyStore();
    const finds = jest.spyOn(store, 'find');
    const keyring = keyringOf('m1');
    const keys = new CaseDataKeys(keyring, store);
    const made = await keys.newKeyFor('case-N1');
    expect(finds).not.toHaveBeenCalled();
    const [encoded] = await new PayloadEncryptionCodec(keyring, keys).encode([payloadOf('opening')], caseContext('case-N1'));
    // Another process, with nothing cached, opens it with the stored key.
    expect(valueOf((await codecWith(keyring, store).codec.decode([encoded]))[0])).toBe('opening');
    expect(made.equals(await new CaseDataKeys(keyring, store).keyFor('case-N1'))).toBe(true);
  });

  test('opening a case whose key is already stored, or erased, keeps what is stored', async () => {
    const keyring = keyringOf('m1');
    const store = new MemoryDataKeyStore();
    const first = await new CaseDataKeys(keyring, store).keyFor('case-N2');
    expect((await new CaseDataKeys(keyring, store).newKeyFor('case-N2')).equals(first)).toBe(true);
    const erased = new MemoryDataKeyStore(new Map([['case-N3', { workflowId: 'case-N3', erasedAt: new Date('2026-11-29T08:00:00Z') }]]));
    await expect(new CaseDataKeys(keyring, erased).newKeyFor('case-N3')).rejects.toThrow(CaseDataErasedError);
  });

  test('a cached key is reused within its time to live and read again after it', async () => {
    let now = 0;
    const store = new MemoryDataKeyStore();
    const finds = jest.spyOn(store, 'find');
    const keys = new CaseDataKeys(keyringOf('m1'), store, { ttlMs: 1000, now: () => now });
    await keys.keyFor('case-T1');
    await keys.keyFor('case-T1');
    expect(finds).toHaveBeenCalledTimes(1);
    now = 1001;
    await keys.keyFor('case-T1');
    expect(finds).toHaveBeenCalledTimes(2);
  });
});

describe('master keyring configuration', () => {
  test.each([
    ['{', /not JSON/],
    ['{"current":"a","keys":[]}', /"keys" must be an object/],
    ['{"current":"a","keys":{"a":"c2hvcnQ="}}', /keys\.a must be 32 bytes/],
    [`{"current":"b","keys":{"a":"${Buffer.alloc(32).toString('base64')}"}}`, /"current" must name one of the keys/],
  ])('%s is refused with a message naming the field', (json, message) => {
    expect(() => MasterKeyring.parse(json, 'PAYLOAD_KEYS')).toThrow(message);
    expect(() => MasterKeyring.parse(json, 'PAYLOAD_KEYS')).toThrow(KeyringError);
  });

  test('neither PAYLOAD_KEYS nor PAYLOAD_KEYS_FILE: the error names both', () => {
    expect(() => MasterKeyring.fromConfig({})).toThrow(/PAYLOAD_KEYS or PAYLOAD_KEYS_FILE must be set/);
  });

  test('an unreadable PAYLOAD_KEYS_FILE is named', () => {
    expect(() => MasterKeyring.fromConfig({ PAYLOAD_KEYS_FILE: '/nonexistent/keys.json' })).toThrow(/PAYLOAD_KEYS_FILE \/nonexistent\/keys.json: cannot be read/);
  });
});
