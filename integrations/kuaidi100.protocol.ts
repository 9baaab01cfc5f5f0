import { createHash, timingSafeEqual } from 'node:crypto';
import { instantOfBeijingLocal } from '../domain/beijing-time';
import type { CourierEvent } from '../domain/workflow-contract';

// Kuaidi100's wire protocol, kept free of I/O so that the adapter, the webhook route and the
// sandbox share one definition: the MD5 signatures, the state codes and their meaning for us.

/** Our carrier codes and Kuaidi100's company codes for them. */
export const KUAIDI100_COMPANY_CODES: Readonly<Record<string, string>> = {
  SF: 'shunfeng',
  YTO: 'yuantong',
  ZTO: 'zhongtong',
  JD: 'jd',
  EMS: 'ems',
};

/** Kuaidi100's company code of one of our carrier codes; an unknown carrier is passed on lower-cased (Kuaidi100 codes are lower case). */
export function kuaidi100Company(carrier: string): string {
  return KUAIDI100_COMPANY_CODES[carrier.toUpperCase()] ?? carrier.toLowerCase();
}

/** What Kuaidi100 expects back from a callback it delivered successfully (anything else makes it push again). */
export const KUAIDI100_CALLBACK_ACK = { result: true, returnCode: '200', message: '成功' } as const;

/** Kuaidi100's uppercase hex MD5, the digest of every signature it uses. */
export function kuaidi100Md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
}

/** The `sign` of a callback: MD5 of the `param` string followed by the salt given at subscription. */
export function signCallback(param: string, salt: string): string {
  return kuaidi100Md5(param + salt);
}

/** The `sign` of a real-time query: MD5 of `param` + key + customer. */
export function signQuery(param: string, key: string, customer: string): string {
  return kuaidi100Md5(param + key + customer);
}

/** True when `sign` is the callback signature of `param` with `salt`, compared in constant time. */
export function verifyCallbackSign(param: string, sign: string | undefined, salt: string): boolean {
  if (typeof sign !== 'string' || !/^[0-9a-f]{32}$/i.test(sign)) return false;
  return timingSafeEqual(Buffer.from(signCallback(param, salt), 'ascii'), Buffer.from(sign.toUpperCase(), 'ascii'));
}

/** One entry of a parcel's trace, newest first in every Kuaidi100 answer. */
export interface Kuaidi100TraceEntry {
  /** Local Beijing time `yyyy-MM-dd HH:mm:ss`. */
  time: string;
  ftime?: string;
  /** The courier's own words about this scan. */
  context: string;
  /** With `resultv2=1`: the name of the entry's state (在途, 揽收, 签收…). */
  status?: string;
  /** With `resultv2=1`: the entry's state as a code, when Kuaidi100 sends one. */
  statusCode?: string;
}

/** The trace of one parcel (`lastResult` of a callback, or the answer of a query). */
export interface Kuaidi100Trace {
  /** Current state code of the parcel (see KUAIDI100_STATES). */
  state: string;
  ischeck?: string;
  com?: string;
  nu: string;
  data: Kuaidi100TraceEntry[];
}

/** The decoded `param` of a callback. */
export interface Kuaidi100Callback {
  /** polling, shutdown (signed for), abort (Kuaidi100 gave up) or updateall. */
  status: string;
  message?: string;
  lastResult: Kuaidi100Trace;
}

/** Our tracking event kinds. */
export type TrackingEventKind = CourierEvent['event'];

/**
 * Kuaidi100's main states (code and name) and our event for each. A parcel refused, sent back or
 * stuck never reaches its addressee, so all of those are an exception; everything on the way is in transit.
 */
export const KUAIDI100_STATES: readonly { code: string; names: readonly string[]; event: TrackingEventKind }[] = [
  { code: '0', names: ['在途'], event: 'in_transit' },
  { code: '1', names: ['揽收'], event: 'picked_up' },
  { code: '2', names: ['疑难'], event: 'exception' },
  { code: '3', names: ['签收'], event: 'delivered' },
  { code: '4', names: ['退签'], event: 'exception' },
  { code: '5', names: ['派件'], event: 'in_transit' },
  { code: '6', names: ['退回'], event: 'exception' },
  { code: '7', names: ['转投', '转单'], event: 'in_transit' },
  { code: '8', names: ['清关'], event: 'in_transit' },
  { code: '10', names: ['待清关'], event: 'in_transit' },
  { code: '11', names: ['清关中'], event: 'in_transit' },
  { code: '12', names: ['已清关'], event: 'in_transit' },
  { code: '13', names: ['清关异常'], event: 'exception' },
  { code: '14', names: ['拒签'], event: 'exception' },
];

const BY_CODE = new Map(KUAIDI100_STATES.map((s) => [s.code, s.event]));
const BY_NAME = new Map(KUAIDI100_STATES.flatMap((s) => s.names.map((name) => [name, s.event] as const)));

/** Our event for a Kuaidi100 state code or state name; null for a state we do not know. */
export function trackingEventOf(state: string | number | undefined): TrackingEventKind | null {
  if (state === undefined) return null;
  const text = String(state).trim();
  return BY_CODE.get(text) ?? BY_NAME.get(text) ?? null;
}

/** `2026-03-01 08:00:00` in Beijing time as an ISO instant; null when the text is not such a time. */
export function beijingTimeToIso(time: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match;
  const instant = instantOfBeijingLocal(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}`);
  return Number.isNaN(instant) ? null : new Date(instant).toISOString();
}

/**
 * A trace as our courier events, oldest first (the order the case should hear them). An entry's
 * own state decides its event; without one, the newest entry takes the parcel's state and older
 * entries count as in transit. The id (number, time, event, a digest of the text) is the same whenever Kuaidi100 pushes
 * the same scan again, so a repeated push changes nothing. Entries with an unreadable time or an
 * unknown state are left out.
 */
export function traceToCourierEvents(trace: Kuaidi100Trace): CourierEvent[] {
  const events: CourierEvent[] = [];
  trace.data.forEach((entry, index) => {
    const own = trackingEventOf(entry.status) ?? trackingEventOf(entry.statusCode);
    const event = own ?? (index === 0 ? trackingEventOf(trace.state) : 'in_transit');
    const at = beijingTimeToIso(entry.ftime ?? entry.time) ?? beijingTimeToIso(entry.time);
    if (event === null || at === null) return;
    const stamp = at.replace(/[^0-9]/g, '').slice(0, 14);
    events.push({
      // The courier's text tells two scans of one second and one state apart.
      eventId: `kd100-${trace.nu}-${stamp}-${event}-${kuaidi100Md5(entry.context).slice(0, 8).toLowerCase()}`,
      trackingNumber: trace.nu,
      event,
      at,
      ...(entry.context ? { detail: entry.context.slice(0, 2000) } : {}),
    });
  });
  return events.reverse();
}
