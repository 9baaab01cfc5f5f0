import type { Db } from 'mongodb';
import { Registry } from 'prom-client';
import { createReconcilerActivities } from '../../activities/read-model-reconciler.activities';
import { newsFor, pollStaleParcels, signalsFor, type TrackingPollDeps, type TrackingQuery } from '../../activities/tracking-poll.activities';
import type { CaseSnapshot, ShipmentView } from '../../domain/case.types';
import { scansToTell } from '../../domain/courier-scans';
import { caseWorkflowId } from '../../domain/ids';
import { type CourierEvent } from '../../domain/workflow-contract';
import type { Kuaidi100Client } from '../../integrations/kuaidi100.client';
import { traceToCourierEvents, type Kuaidi100Callback } from '../../integrations/kuaidi100.protocol';
import { toCaseDocument } from '../../store/case-document.mapper';
import { PARCEL_STATUSES } from '../../store/case-read-model.store';
import { InMemoryTrackingPollLog } from '../../store/tracking-polls.store';
import { FakeCaseSignals } from './support/fake-case-signals';
import { startKuaidi100Sandbox, type Kuaidi100Sandbox } from './support/kuaidi100-sandbox';

// The reconciler's tracking step, the fallback for lost Kuaidi100 pushes: the real Kuaidi100 adapter
// queries the sandbox's Kuaidi100 in this process. The sandbox's pushes reach a receiver that
// acknowledges them and passes nothing on, as when our webhook never got them; the cases are
// snapshots as the read model lists them, and a fake Temporal client records the signals.

const KEY = 'kd100-poll-test-key';
const SALT = 'kd100-poll-salt';
const STEP_MS = 15;
const HOUR = 3_600_000;
const SIX_HOURS = 6 * HOUR;

const fake = new FakeCaseSignals();
/** The sandbox's Kuaidi100, whose every push reaches a receiver that does not pass it on. */
let kd100: Kuaidi100Sandbox;

function kuaidi100(overrides: Partial<ConstructorParameters<typeof Kuaidi100Client>[0]> = {}): Kuaidi100Client {
  return kd100.client(overrides);
}

/** The adapter's query as the worker hands it to the reconciler, recording which parcels were asked about. */
function recordingQuery(client: Kuaidi100Client = kuaidi100()): TrackingQuery & { asked: string[] } {
  const asked: string[] = [];
  const query = (input: { trackingNumber: string; carrier: string }) => (asked.push(input.trackingNumber), client.query(input));
  return Object.assign(query, { asked });
}

/** Subscribes a parcel at the sandbox and waits until its journey ended (signed for, or stuck for a number ending in LOST). */
function shipThrough(trackingNumber: string, carrier: string, endState = '3'): Promise<void> {
  return kd100.shipThrough(trackingNumber, carrier, endState);
}

/** The events of the last push the sandbox sent for this parcel: what our webhook would have delivered. */
function lostEventsOf(trackingNumber: string): CourierEvent[] {
  const last = kd100.pushes.map((p) => JSON.parse(p.param) as Kuaidi100Callback).filter((p) => p.lastResult.nu === trackingNumber).at(-1);
  if (!last) throw new Error(`the sandbox pushed nothing for ${trackingNumber}`);
  return traceToCourierEvents(last.lastResult);
}

/** Of those, the ones that move a parcel not picked up yet: the first scan of each kind. */
function movingEventsOf(trackingNumber: string): CourierEvent[] {
  return scansToTell(lostEventsOf(trackingNumber), new Set());
}

/** An open return case whose parcel is `status`, its last news `hoursAgo` hours ago; the case's workflow runs. */
function caseWithParcel(caseId: string, trackingNumber: string, hoursAgo: number, overrides: Partial<ShipmentView> = {}, status: CaseSnapshot['status'] = 'return_in_transit'): CaseSnapshot {
  fake.running.add(caseId);
  const shipment: ShipmentView = { direction: 'return', carrier: 'SF', trackingNumber, status: 'shipped', updatedAt: new Date(Date.now() - hoursAgo * HOUR).toISOString(), ...overrides };
  return {
    id: caseId,
    type: 'return',
    status,
    orderId: `ORD-${caseId}`,
    customerId: 'cus-1',
    createdAt: new Date(Date.now() - (hoursAgo + 24) * HOUR).toISOString(),
    updatedAt: new Date(Date.now() - hoursAgo * HOUR).toISOString(),
    closedAt: null,
    nextDeadline: null,
    shipments: [shipment],
    refund: null,
    timeline: [],
    version: 5,
  } as unknown as CaseSnapshot;
}

/** The sweep's dependencies over these cases, counting outcomes as the metric does. */
function deps(cases: CaseSnapshot[], query: TrackingQuery | undefined, polls = new InMemoryTrackingPollLog()): TrackingPollDeps & { counted: string[]; polls: InMemoryTrackingPollLog } {
  const counted: string[] = [];
  return {
    client: fake.client,
    cases: { listWithParcelsOnTheWay: async () => cases },
    query,
    polls,
    olderThanMs: SIX_HOURS,
    count: (outcome) => counted.push(outcome),
    counted,
  };
}

/** The courier events signalled to a case, in order. */
function signalledTo(caseId: string): CourierEvent[] {
  return fake.signals.filter((s) => s.workflowId === caseWorkflowId(caseId)).map((s) => s.payload as CourierEvent);
}

const ZERO = { signalled: 0, nothing_new: 0, no_trace: 0, error: 0, waiting: 0 };

beforeAll(async () => {
  kd100 = await startKuaidi100Sandbox({ key: KEY, salt: SALT, stepMs: STEP_MS });
});

afterAll(() => kd100.close());

beforeEach(() => fake.reset());

describe('parcels whose Kuaidi100 pushes were lost, polled by the reconciler', () => {
  test('when a return parcel had no news for longer than the threshold, the scans of its trace that move it (the first of each kind) are signalled to the case with the ids the pushes had', async () => {
    await shipThrough('SFPOLL0001', 'SF');
    const d = deps([caseWithParcel('cs_tp_lost', 'SFPOLL0001', 7)], recordingQuery());
    expect(await pollStaleParcels(d, {})).toEqual({ ...ZERO, signalled: 1 });
    const signalled = signalledTo('cs_tp_lost');
    expect(signalled.map((e) => e.event)).toEqual(['picked_up', 'in_transit', 'delivered']);
    // The same events (ids, times, texts) as the lost pushes: a push that comes after the poll is dropped by the case.
    expect(signalled).toEqual(movingEventsOf('SFPOLL0001'));
    expect(fake.signals.every((s) => s.signal === 'courierEvent')).toBe(true);
    expect(d.counted).toEqual(['signalled']);
  });

  test('a parcel with news more recent than the threshold is not asked about', async () => {
    const query = recordingQuery();
    const d = deps([caseWithParcel('cs_tp_recent', 'SFPOLL0002', 5)], query);
    expect(await pollStaleParcels(d, {})).toEqual({ ...ZERO, waiting: 1 });
    expect(query.asked).toEqual([]);
    expect(fake.signals).toEqual([]);
  });

  test('a parcel polled less than the threshold ago is not asked again; once the threshold passed since that poll, it is', async () => {
    await shipThrough('YTPOLL0003', 'YTO');
    const query = recordingQuery();
    const d = deps([caseWithParcel('cs_tp_quiet', 'YTPOLL0003', 30)], query);
    d.polls.polls.set('YTPOLL0003', Date.now() - 2 * HOUR);
    expect(await pollStaleParcels(d, {})).toEqual({ ...ZERO, waiting: 1 });
    expect(query.asked).toEqual([]);
    d.polls.polls.set('YTPOLL0003', Date.now() - 7 * HOUR);
    expect(await pollStaleParcels(d, {})).toEqual({ ...ZERO, signalled: 1 });
    expect(query.asked).toEqual(['YTPOLL0003']);
    // The poll is recorded: the next run leaves the parcel alone.
    expect(await pollStaleParcels(d, {})).toEqual({ ...ZERO, waiting: 1 });
    expect(query.asked).toEqual(['YTPOLL0003']);
  });

  test('a case that already has a scan gets the scans newer than its last one; a case that has the newest gets nothing', async () => {
    await shipThrough('ZTPOLL0004', 'ZTO');
    const trace = await kuaidi100().query({ trackingNumber: 'ZTPOLL0004', carrier: 'ZTO' });
    const delivered = trace.events.at(-1)!;
    // The sandbox scans within one second; the case's last scan is a second before them (which scans are news by their time is in the describe below).
    const lastScan = new Date(Date.parse(trace.events[0].at) - 1000).toISOString();
    const partway = caseWithParcel('cs_tp_partway', 'ZTPOLL0004', 0, { status: 'picked_up', updatedAt: lastScan });
    expect(await pollStaleParcels(deps([partway], recordingQuery()), { olderThanMs: 0 })).toEqual({ ...ZERO, signalled: 1 });
    // Picked up already: of the scans, the first in transit and the delivery can still move it.
    expect(signalledTo('cs_tp_partway')).toEqual(trace.events.filter((e, i) => e.event === 'delivered' || (e.event === 'in_transit' && trace.events.findIndex((f) => f.event === 'in_transit') === i)));

    fake.reset();
    const upToDate = caseWithParcel('cs_tp_uptodate', 'ZTPOLL0004', 0, { status: 'in_transit', updatedAt: delivered.at });
    expect(await pollStaleParcels(deps([upToDate], recordingQuery()), { olderThanMs: 0 })).toEqual({ ...ZERO, nothing_new: 1 });
    expect(fake.signals).toEqual([]);
  });

  test('delivered and exception parcels, and closed cases, are not asked about', async () => {
    const query = recordingQuery();
    const cases = [
      caseWithParcel('cs_tp_delivered', 'SFPOLL0005', 10, { status: 'delivered' }),
      caseWithParcel('cs_tp_exception', 'SFPOLL0006', 10, { status: 'exception' }),
      { ...caseWithParcel('cs_tp_closed', 'SFPOLL0007', 10), status: 'completed', closedAt: new Date().toISOString() } as CaseSnapshot,
    ];
    expect(await pollStaleParcels(deps(cases, query), {})).toEqual(ZERO);
    expect(query.asked).toEqual([]);
  });

  test('at most `limit` parcels are asked about in a run, those quiet for longest first; the others wait for the next run', async () => {
    await shipThrough('JDPOLL0008', 'JD');
    await shipThrough('JDPOLL0009', 'JD');
    await shipThrough('JDPOLL0010', 'JD');
    const query = recordingQuery();
    const cases = [caseWithParcel('cs_tp_a', 'JDPOLL0008', 8), caseWithParcel('cs_tp_b', 'JDPOLL0009', 20), caseWithParcel('cs_tp_c', 'JDPOLL0010', 12)];
    expect(await pollStaleParcels(deps(cases, query), { limit: 2 })).toEqual({ ...ZERO, signalled: 2, waiting: 1 });
    expect(query.asked).toEqual(['JDPOLL0009', 'JDPOLL0010']);
  });

  test('a parcel carrying the goods of two cases is asked about once and both cases are signalled', async () => {
    await shipThrough('SFPOLL0011', 'SF');
    const query = recordingQuery();
    const d = deps([caseWithParcel('cs_tp_one', 'SFPOLL0011', 7), caseWithParcel('cs_tp_two', 'SFPOLL0011', 9)], query);
    expect(await pollStaleParcels(d, {})).toEqual({ ...ZERO, signalled: 1 });
    expect(query.asked).toEqual(['SFPOLL0011']);
    expect(signalledTo('cs_tp_one')).toEqual(movingEventsOf('SFPOLL0011'));
    expect(signalledTo('cs_tp_two')).toEqual(movingEventsOf('SFPOLL0011'));
  });

  test('a parcel stuck at the courier (疑难) is signalled as an exception', async () => {
    await shipThrough('SFPOLLLOST', 'SF', '2');
    const d = deps([caseWithParcel('cs_tp_stuck', 'SFPOLLLOST', 7, { status: 'in_transit', updatedAt: new Date(Date.now() - 7 * HOUR).toISOString() })], recordingQuery());
    expect(await pollStaleParcels(d, {})).toEqual({ ...ZERO, signalled: 1 });
    expect(signalledTo('cs_tp_stuck').at(-1)?.event).toBe('exception');
  });
});

describe('what the sweep does when Kuaidi100 has nothing, refuses, or a case is gone', () => {
  test('a parcel Kuaidi100 has no scan of yet (500) is counted no_trace, signals nothing, and is not asked again before the threshold', async () => {
    const query = recordingQuery();
    const d = deps([caseWithParcel('cs_tp_noscan', 'EMSNOSCAN1', 7)], query);
    expect(await pollStaleParcels(d, {})).toEqual({ ...ZERO, no_trace: 1 });
    expect(fake.signals).toEqual([]);
    expect(await pollStaleParcels(d, {})).toEqual({ ...ZERO, waiting: 1 });
    expect(query.asked).toEqual(['EMSNOSCAN1']);
  });

  test('a final refusal (a wrong key: 503 bad sign) is counted error and waits for the next period; an unreachable Kuaidi100 is tried again next run', async () => {
    await shipThrough('SFPOLL0012', 'SF');
    const refused = deps([caseWithParcel('cs_tp_badkey', 'SFPOLL0012', 7)], recordingQuery(kuaidi100({ key: 'not-the-key' })));
    expect(await pollStaleParcels(refused, {})).toEqual({ ...ZERO, error: 1 });
    expect(refused.polls.polls.has('SFPOLL0012')).toBe(true);

    const unreachable = deps([caseWithParcel('cs_tp_down', 'SFPOLL0012', 7)], recordingQuery(kuaidi100({ baseUrl: 'http://127.0.0.1:9/kuaidi100', timeoutMs: 500 })));
    expect(await pollStaleParcels(unreachable, {})).toEqual({ ...ZERO, error: 1 });
    expect(unreachable.polls.polls.has('SFPOLL0012')).toBe(false);
    expect(fake.signals).toEqual([]);
    expect(unreachable.counted).toEqual(['error']);
  });

  test('a case whose workflow no longer runs is counted error; the other case of the parcel is still signalled', async () => {
    await shipThrough('SFPOLL0013', 'SF');
    const gone = caseWithParcel('cs_tp_gone', 'SFPOLL0013', 7);
    const alive = caseWithParcel('cs_tp_alive', 'SFPOLL0013', 7);
    fake.running.delete('cs_tp_gone');
    expect(await pollStaleParcels(deps([gone, alive], recordingQuery()), {})).toEqual({ ...ZERO, error: 1 });
    expect(signalledTo('cs_tp_alive')).toEqual(movingEventsOf('SFPOLL0013'));
  });

  test('without a tracking query (COURIER_TRACKING_PROVIDER is not kuaidi100), the sweep reads no case and asks nothing', async () => {
    const d = deps([], undefined);
    d.cases.listWithParcelsOnTheWay = () => Promise.reject(new Error('the cases should not be read'));
    expect(await pollStaleParcels(d, {})).toEqual(ZERO);
  });
});

describe('which scans are news to a case', () => {
  const scan = (at: string, event: CourierEvent['event']): CourierEvent => ({ eventId: `e-${at}-${event}`, trackingNumber: 'X', event, at });
  const events = [scan('2026-11-29T01:00:00.000Z', 'picked_up'), scan('2026-11-29T03:00:00.000Z', 'in_transit'), scan('2026-11-29T05:00:00.000Z', 'delivered')];
  const shipment = (status: ShipmentView['status'], updatedAt: string): ShipmentView => ({ direction: 'return', carrier: 'SF', trackingNumber: 'X', status, updatedAt });

  test('a parcel without scans yet gets the whole trace, even scans older than when it was reported', () => {
    expect(newsFor(shipment('shipped', '2026-11-29T02:00:00.000Z'), events)).toEqual(events);
  });

  test('a parcel with scans gets those from its last one on, or none when nothing is newer', () => {
    expect(newsFor(shipment('in_transit', '2026-11-29T03:00:00.000Z'), events)).toEqual(events.slice(1));
    expect(newsFor(shipment('in_transit', '2026-11-29T05:00:00.000Z'), events)).toEqual([]);
  });

  test('of the news, only what can move the parcel is signalled: a long trace in transit costs the case one signal, its delivery', () => {
    const long = [events[0], ...Array.from({ length: 100 }, (_, i) => scan(`2026-11-29T03:${String(i % 60).padStart(2, '0')}:${String(Math.floor(i / 60)).padStart(2, '0')}.000Z`, 'in_transit')), events[2]];
    expect(signalsFor(shipment('in_transit', '2026-11-29T02:00:00.000Z'), long)).toEqual([events[2]]);
    expect(signalsFor(shipment('shipped', '2026-11-29T00:00:00.000Z'), long)).toEqual([events[0], long[1], events[2]]);
  });
});

describe('the reconciler activity', () => {
  test('reads the parcel statuses from the read model, polls through Kuaidi100 and counts aftersales_parcels_polled_total by outcome', async () => {
    await shipThrough('SFPOLL0014', 'SF');
    const documents = [caseWithParcel('cs_tp_metric', 'SFPOLL0014', 7), caseWithParcel('cs_tp_metric2', 'EMSNOSCAN2', 7)].map((snapshot) => toCaseDocument(snapshot));
    const filters: unknown[] = [];
    const cursor = (docs: unknown[]) => {
      const c = { project: () => c, sort: () => c, limit: () => c, toArray: async () => docs };
      return c;
    };
    // One find per status: the two cases are returned for the first, none for the others.
    const db = { collection: () => ({ find: (filter: unknown) => (filters.push(filter), cursor(filters.length === 1 ? documents : [])), findOne: async () => null }) } as unknown as Db;
    const registry = new Registry();
    const polls = new InMemoryTrackingPollLog();
    const activities = createReconcilerActivities({ client: fake.client, db, target: { upsertCase: async () => 'written' }, runningEveryMs: HOUR, registry, trackingQuery: recordingQuery(), trackingPolls: polls });
    expect(await activities.pollStaleParcels({})).toEqual({ ...ZERO, signalled: 1, no_trace: 1 });
    expect(filters).toEqual(PARCEL_STATUSES.map((status) => ({ status })));
    expect(signalledTo('cs_tp_metric')).toHaveLength(3);
    const metric = await registry.getSingleMetricAsString('aftersales_parcels_polled_total');
    expect(metric).toContain('aftersales_parcels_polled_total{outcome="signalled"} 1');
    expect(metric).toContain('aftersales_parcels_polled_total{outcome="no_trace"} 1');
  });

  test('without a tracking query the activity asks nothing', async () => {
    const db = { collection: () => ({ find: () => Promise.reject(new Error('the read model should not be read')) }) } as unknown as Db;
    const activities = createReconcilerActivities({ client: fake.client, db, target: { upsertCase: async () => 'written' }, runningEveryMs: HOUR, trackingPolls: new InMemoryTrackingPollLog() });
    expect(await activities.pollStaleParcels({})).toEqual(ZERO);
  });
});
