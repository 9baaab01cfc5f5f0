import type { Response } from 'express';
import { sendError } from './sandbox-http';

/** A ledger row as the sandbox shows it: the record plus its key and how many times the key was presented. */
export type KeyedRecord<R> = R & { idempotencyKey: string; requests: number };

/** What executing a keyed request led to. */
export type IdempotentOutcome<R = object> =
  | { kind: 'created'; status: number; response: object; record: KeyedRecord<R> }
  | { kind: 'replayed'; response: object }
  | { kind: 'conflict' };

interface Row<R> {
  fingerprint: string;
  status: number;
  response: object;
  record: KeyedRecord<R>;
}

/** Records of one endpoint keyed by Idempotency-Key: a repeat gets the first answer, never a second record. */
export class IdempotentTable<R extends object> {
  private readonly rows = new Map<string, Row<R>>();

  /**
   * Runs `create` for a new key; for a known key replays the first answer. The same key with a different
   * request is a caller bug and answered as a conflict, as payment providers do.
   */
  execute(key: string, request: unknown, create: () => { status: number; response: object; record: R }): IdempotentOutcome<R> {
    const fingerprint = stableJson(request);
    const existing = this.rows.get(key);
    if (existing) {
      existing.record.requests += 1;
      if (existing.fingerprint !== fingerprint) return { kind: 'conflict' };
      return { kind: 'replayed', response: existing.response };
    }
    const created = create();
    const record: KeyedRecord<R> = { ...created.record, idempotencyKey: key, requests: 1 };
    this.rows.set(key, { fingerprint, status: created.status, response: created.response, record });
    return { kind: 'created', status: created.status, response: created.response, record };
  }

  /** Every record, oldest first (live objects: later changes such as a settlement show up). */
  records(): KeyedRecord<R>[] {
    return [...this.rows.values()].map((row) => row.record);
  }

  clear(): void {
    this.rows.clear();
  }
}

/** Answers an outcome: 201/202 when created, 200 with `Idempotent-Replayed: true` on a repeat, 409 on a reused key. */
export function sendOutcome<R>(res: Response, outcome: IdempotentOutcome<R>): void {
  if (outcome.kind === 'conflict') {
    sendError(res, 409, 'idempotency_key_reused', 'this Idempotency-Key was already used with a different request');
    return;
  }
  if (outcome.kind === 'replayed') {
    res.status(200).set('Idempotent-Replayed', 'true').json(outcome.response);
    return;
  }
  res.status(outcome.status).json(outcome.response);
}

/** JSON with sorted object keys, so that key order never makes two equal requests differ. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
