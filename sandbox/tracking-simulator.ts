import { randomBytes } from 'node:crypto';
import type { CallbackDispatcher } from './callback-dispatcher';
import type { TimerSet } from './timer-set';

/** Tracking events of the courier callbacks. */
export type TrackingEvent = 'picked_up' | 'in_transit' | 'delivered' | 'exception';

/** A tracking subscription (one per tracking number). */
export interface TrackingSubscription {
  caseId: string;
  trackingNumber: string;
  carrier: string;
  /** Events sent so far, in order. */
  sent: TrackingEvent[];
}

/**
 * Plays a parcel's journey: `picked_up` → `in_transit` → `delivered` (or `exception` for numbers
 * ending in LOST). Only parcels this courier issued (its labels and shipments) are played to the
 * end; a number it never issued (a customer's own courier) is followed as far as `in_transit`, the
 * last scan a courier we do not contract shares: its receipt is the warehouse's scan-in.
 */
export class TrackingSimulator {
  private readonly subscriptions = new Map<string, TrackingSubscription>();

  constructor(
    private readonly dispatcher: CallbackDispatcher,
    private readonly timers: TimerSet,
    private readonly stepMs: number,
    /** True for a number this courier issued (a label or a shipment of its own). */
    private readonly issued: (trackingNumber: string) => boolean = () => true,
  ) {}

  /** Starts the journey; a second subscription to the same number changes nothing. */
  subscribe(input: { caseId: string; trackingNumber: string; carrier: string }): 'subscribed' | 'already_subscribed' {
    if (this.subscriptions.has(input.trackingNumber)) return 'already_subscribed';
    const subscription: TrackingSubscription = { ...input, sent: [] };
    this.subscriptions.set(input.trackingNumber, subscription);
    const lost = input.trackingNumber.toUpperCase().endsWith('LOST');
    const journey: TrackingEvent[] = this.issued(input.trackingNumber) ? ['picked_up', 'in_transit', lost ? 'exception' : 'delivered'] : ['picked_up', 'in_transit'];
    this.step(subscription, journey);
    return 'subscribed';
  }

  clear(): void {
    this.subscriptions.clear();
  }

  /** Events go out one after another: the next is scheduled only once the previous was delivered or given up, so they arrive in order. */
  private step(subscription: TrackingSubscription, remaining: TrackingEvent[]): void {
    const [event, ...rest] = remaining;
    if (!event) return;
    this.timers.after(this.stepMs, () => {
      subscription.sent.push(event);
      const payload = {
        eventId: `evt_${randomBytes(8).toString('hex')}`,
        trackingNumber: subscription.trackingNumber,
        event,
        at: new Date().toISOString(),
        ...(event === 'exception' ? { detail: 'parcel lost in transit' } : {}),
      };
      void this.dispatcher.deliver('courier', payload).then((result) => {
        if (result !== 'cancelled') this.step(subscription, rest);
      });
    });
  }
}
