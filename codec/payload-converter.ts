// Loaded by path (dataConverter.payloadConverterPath) in clients and into the workflow bundle: only @temporalio/common.
import { defaultPayloadConverter, type Payload, type PayloadConverter } from '@temporalio/common';
import { isReadable, READABLE_METADATA } from '../domain/readable-text';

const MARK = new TextEncoder().encode('1');

/** The SDK's JSON conversion, plus a mark on readable summaries so the codec leaves them in clear (codec/readable-text.ts). */
class CasePayloadConverter implements PayloadConverter {
  toPayload<T>(value: T): Payload {
    if (!isReadable(value)) return defaultPayloadConverter.toPayload(value);
    const payload = defaultPayloadConverter.toPayload(String(value));
    return { ...payload, metadata: { ...payload.metadata, [READABLE_METADATA]: MARK } };
  }

  fromPayload<T>(payload: Payload): T {
    return defaultPayloadConverter.fromPayload(payload);
  }
}

/** The payload converter of every client and worker of the project. */
export const payloadConverter = new CasePayloadConverter();
