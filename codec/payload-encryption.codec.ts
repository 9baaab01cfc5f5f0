import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { open, seal } from './aes-gcm';
import type { CaseDataKeys } from './case-data-keys';
import type { MasterKeyring } from './master-keys';
import { isCaseWorkflowId } from '../domain/ids';
import { READABLE_METADATA } from '../domain/readable-text';

/** The `encoding` of an encrypted payload. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the key: `case/<workflow id>` (the case's data key) or `master/<key id>`. */
export const KEY_REF_METADATA = 'encryption-key-ref';
const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES256-GCM';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encrypts every payload Temporal stores (AES-256-GCM over the whole serialized payload, metadata
 * included). A case workflow's payloads, and those of its activities, use the case's own data key
 * (the SDK tells the codec whose payload it is), so destroying that key erases them; any other
 * payload uses the current master key. Summaries our code marked readable stay in clear (the
 * Temporal UI shows them without decoding). Payloads that are not encrypted pass through on decode,
 * so histories written before encryption still replay.
 */
export class PayloadEncryptionCodec implements PayloadCodec {
  constructor(
    private readonly keyring: MasterKeyring,
    private readonly dataKeys: CaseDataKeys,
  ) {}

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    if (payloads.length === 0) return payloads;
    const workflowId = context?.workflowId;
    const isCase = workflowId !== undefined && isCaseWorkflowId(workflowId);
    const ref = isCase ? `case/${workflowId}` : `master/${this.keyring.current}`;
    const key = isCase ? await this.dataKeys.keyFor(workflowId) : this.keyring.key(this.keyring.current);
    return payloads.map((payload) => (isMarkedReadable(payload) ? payload : {
      metadata: {
        encoding: encoder.encode(ENCRYPTED_ENCODING),
        [CIPHER_METADATA]: encoder.encode(CIPHER),
        [KEY_REF_METADATA]: encoder.encode(ref),
      },
      data: seal(key, temporal.api.common.v1.Payload.encode(payload).finish()),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        const ref = encryptedKeyRef(payload);
        if (ref === null) return payload;
        const plain = open(await this.keyFor(ref), payload.data ?? new Uint8Array());
        return temporal.api.common.v1.Payload.decode(plain);
      }),
    );
  }

  private keyFor(ref: string): Promise<Buffer> {
    const slash = ref.indexOf('/');
    const kind = ref.slice(0, slash);
    const id = ref.slice(slash + 1);
    if (kind === 'case') return this.dataKeys.existingKey(id);
    if (kind === 'master') return Promise.resolve(this.keyring.key(id));
    return Promise.reject(new Error(`unknown encryption key reference "${ref}"`));
  }
}

/** A summary or detail line our code marked readable (codec/readable-text.ts): the Temporal UI shows it without decoding. */
function isMarkedReadable(payload: Payload): boolean {
  return payload.metadata?.[READABLE_METADATA] !== undefined && payload.metadata?.[READABLE_METADATA] !== null;
}

/** The key reference of an encrypted payload, or null for a payload that is not encrypted. */
export function encryptedKeyRef(payload: Payload): string | null {
  const encoding = payload.metadata?.encoding;
  if (encoding === undefined || encoding === null || decoder.decode(encoding) !== ENCRYPTED_ENCODING) return null;
  const ref = payload.metadata?.[KEY_REF_METADATA];
  if (ref === undefined || ref === null) throw new Error('encrypted payload without a key reference');
  return decoder.decode(ref);
}
