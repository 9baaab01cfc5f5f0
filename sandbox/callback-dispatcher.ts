import type { Logger } from 'pino';
import { SIGNATURE_HEADER, signWebhook } from '../integrations/webhook-signature';
import type { TimerSet } from './timer-set';

/** Where callbacks go: `<callbackBaseUrl>/courier` or `<callbackBaseUrl>/payment`. */
export type CallbackTopic = 'courier' | 'payment';

/** One callback and how its delivery went (shown by `GET /callbacks`). */
export interface CallbackDelivery {
  eventId: string;
  topic: CallbackTopic;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  createdAt: string;
}

/** Final result of one delivery. */
export type DeliveryResult = 'delivered' | 'failed' | 'cancelled';

const MAX_RETRIES = 5;
const FIRST_RETRY_DELAY_MS = 250;
const ATTEMPT_TIMEOUT_MS = 5000;

/** Posts signed callbacks; on a non-2xx answer or a network error retries up to 5 times (250 ms, doubling). */
export class CallbackDispatcher {
  private readonly baseUrl: string;
  private deliveries: CallbackDelivery[] = [];
  private abort = new AbortController();
  private generation = 0;

  constructor(
    callbackBaseUrl: string,
    /** The HMAC secret of each topic's callbacks (one per provider). */
    private readonly secretOf: (topic: CallbackTopic) => string,
    private readonly timers: TimerSet,
    private readonly logger: Logger,
  ) {
    this.baseUrl = callbackBaseUrl.replace(/\/+$/, '');
  }

  /** Delivers one event; resolves when it was delivered or given up (a cancelled delivery may never resolve). */
  deliver(topic: CallbackTopic, payload: { eventId: string } & Record<string, unknown>): Promise<DeliveryResult> {
    if (this.timers.isClosed) return Promise.resolve('cancelled');
    const generation = this.generation;
    const body = JSON.stringify(payload);
    const url = `${this.baseUrl}/${topic}`;
    const record: CallbackDelivery = { eventId: payload.eventId, topic, state: 'pending', attempts: 0, createdAt: new Date().toISOString() };
    this.deliveries.push(record);

    return new Promise((resolve) => {
      const attempt = async (retry: number): Promise<void> => {
        if (generation !== this.generation) return resolve('cancelled');
        record.attempts = retry + 1;
        try {
          const res = await fetch(url, {
            method: 'POST',
            // Signed per attempt, so a late retry still carries a fresh timestamp.
            headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(body, this.secretOf(topic)) },
            body,
            signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
          });
          await res.arrayBuffer().catch(() => undefined);
          record.lastStatus = res.status;
          record.lastError = undefined;
          if (res.ok) {
            record.state = 'delivered';
            return resolve('delivered');
          }
        } catch (err) {
          record.lastError = describeFailure(err);
        }
        if (generation !== this.generation) return resolve('cancelled');
        if (retry >= MAX_RETRIES) {
          record.state = 'failed';
          const { eventId, attempts, lastStatus } = record;
          this.logger.warn({ eventId, topic, attempts, status: lastStatus }, 'callback not delivered, giving up');
          return resolve('failed');
        }
        this.timers.after(FIRST_RETRY_DELAY_MS * 2 ** retry, () => void attempt(retry + 1));
      };
      void attempt(0);
    });
  }

  /** Every delivery since the last reset, oldest first. */
  list(): CallbackDelivery[] {
    return this.deliveries;
  }

  /** Drops pending deliveries and aborts those in flight (their timers are cancelled by the TimerSet owner). */
  reset(): void {
    this.generation += 1;
    this.abort.abort();
    this.abort = new AbortController();
    this.deliveries = [];
  }
}

/** "connect ECONNREFUSED …" rather than fetch's generic "fetch failed". */
function describeFailure(err: unknown): string {
  const message = (value: unknown) =>
    typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string' ? value.message : undefined;
  const cause = typeof err === 'object' && err !== null && 'cause' in err ? err.cause : undefined;
  return message(cause) ?? message(err) ?? 'unknown error';
}
