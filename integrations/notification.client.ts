import { z } from 'zod';
import type { NotificationPort, OutboundMessage } from '../activities/provider-ports';
import { JsonHttpClient, type ProviderClientOptions } from './http-client';

const messageResponse = z.object({ messageId: z.string() });

/** Notification adapter: hands a templated message to the provider, which delivers it once per idempotency key. */
export class NotificationClient implements NotificationPort {
  private readonly http: JsonHttpClient;

  constructor(options: ProviderClientOptions) {
    this.http = new JsonHttpClient('notification', options);
  }

  /** Sends one message (SMS, e-mail or app push is the provider's choice for the recipient). */
  async send(message: OutboundMessage, idempotencyKey: string) {
    return this.http.request({ method: 'POST', path: '/messages', body: message, idempotencyKey, response: messageResponse });
  }
}
