import type { ShipmentView } from './case.types';
import type { CourierEvent } from './workflow-contract';

// A Kuaidi100 push carries a parcel's whole trace, so signalling every scan of every push costs a
// case n(n+1)/2 signals for n scans. The case only ever moves a parcel forward (picked up, in
// transit, delivered or exception, and delivered after an exception: workflows/provider-events.ts),
// so at most the first scan of each kind can change it: those are the only ones worth a signal.

/** A kind of courier scan (the `event` of a CourierEvent). */
export type ScanKind = CourierEvent['event'];

/** The scan kinds that can still move a parcel at this status forward (a case drops the others). */
export function kindsThatMayMove(status: ShipmentView['status']): ReadonlySet<ScanKind> {
  switch (status) {
    case 'label_created':
    case 'shipped':
      return new Set(['picked_up', 'in_transit', 'delivered', 'exception']);
    case 'picked_up':
      return new Set(['in_transit', 'delivered', 'exception']);
    case 'in_transit':
      return new Set(['delivered', 'exception']);
    case 'exception':
      return new Set(['delivered']);
    case 'delivered':
      return new Set();
  }
}

/**
 * The scans of a trace (oldest first) worth telling a case: the first scan of each kind the case
 * was not told yet, in trace order. Later scans of a kind already told change nothing in the case.
 */
export function scansToTell(events: readonly CourierEvent[], told: ReadonlySet<ScanKind>, mayMove: ReadonlySet<ScanKind> = ALL_KINDS): CourierEvent[] {
  const kinds = new Set(told);
  const chosen: CourierEvent[] = [];
  for (const event of events) {
    if (kinds.has(event.event) || !mayMove.has(event.event)) continue;
    kinds.add(event.event);
    chosen.push(event);
  }
  return chosen;
}

const ALL_KINDS: ReadonlySet<ScanKind> = new Set(['picked_up', 'in_transit', 'delivered', 'exception']);

/** Two traces of one parcel as one, oldest first, each scan once (by its id); the longest kept is `max` scans, the newest. */
export function mergeTraces(stored: readonly CourierEvent[], pushed: readonly CourierEvent[], max: number): CourierEvent[] {
  const byId = new Map<string, CourierEvent>();
  for (const event of [...stored, ...pushed]) if (!byId.has(event.eventId)) byId.set(event.eventId, event);
  // Stable: scans of one instant keep the order the courier gave them.
  const merged = [...byId.values()].map((event, index) => ({ event, index, at: Date.parse(event.at) }));
  merged.sort((a, b) => a.at - b.at || a.index - b.index);
  return merged.slice(-max).map((m) => m.event);
}
