import { deliverTrace, type TraceDelivery, type TraceDeliveryDeps } from '../../api/courier-trace-delivery';
import { kindsThatMayMove, mergeTraces, scansToTell } from '../../domain/courier-scans';
import type { CourierEvent } from '../../domain/workflow-contract';
import { InMemoryParcelTraces, MAX_SCANS_KEPT, type ParcelTrace } from '../../store/parcel-traces.store';

// A Kuaidi100 push carries the parcel's whole trace: a parcel with n scans pushed once per scan used
// to cost each of its cases n(n+1)/2 signals. These check that a case is signalled only the scans
// that can change it, once each, and that the whole trace is kept.

const NUMBER = 'SFSCAN0001';

/** Scan `i` of the parcel, `i` minutes after the pick-up. */
function scan(i: number, event: CourierEvent['event']): CourierEvent {
  return { eventId: `kd100-${NUMBER}-${i}-${event}`, trackingNumber: NUMBER, event, at: new Date(Date.UTC(2026, 11, 1, 0, i)).toISOString(), detail: `scan ${i}` };
}

/** A trace of `n` scans, oldest first: picked up, in transit, and delivered at the last one when `delivered`. */
function trace(n: number, delivered = false): CourierEvent[] {
  return Array.from({ length: n }, (_, i) => scan(i, i === 0 ? 'picked_up' : delivered && i === n - 1 ? 'delivered' : 'in_transit'));
}

/** Delivery deps over an in-memory store, recording each signal; `answers` says what each case answers. */
function deps(answers: Record<string, TraceDelivery> = {}, traces: TraceDeliveryDeps['traces'] = new InMemoryParcelTraces()) {
  const signals: { caseId: string; event: CourierEvent }[] = [];
  const warnings: string[] = [];
  const d: TraceDeliveryDeps = {
    traces,
    signal: async (caseId, event) => {
      const answer = answers[caseId] ?? 'delivered';
      if (answer === 'delivered') signals.push({ caseId, event });
      return answer;
    },
    now: () => Date.UTC(2026, 11, 2),
    log: { warn: (_fields, message) => void warnings.push(message) },
  };
  return { d, signals, warnings };
}

describe('which scans of a trace are worth a signal', () => {
  test('the first scan of each kind, in trace order; kinds the case was told are skipped', () => {
    const scans = [scan(0, 'picked_up'), scan(1, 'in_transit'), scan(2, 'in_transit'), scan(3, 'exception'), scan(4, 'in_transit'), scan(5, 'delivered'), scan(6, 'delivered')];
    expect(scansToTell(scans, new Set()).map((s) => s.eventId)).toEqual([scans[0], scans[1], scans[3], scans[5]].map((s) => s.eventId));
    expect(scansToTell(scans, new Set(['picked_up', 'in_transit']))).toEqual([scans[3], scans[5]]);
    expect(scansToTell(scans, new Set(['picked_up', 'in_transit', 'exception', 'delivered']))).toEqual([]);
  });

  test('a parcel at a status hears only the kinds that can still move it (delivered after an exception included)', () => {
    const scans = [scan(0, 'picked_up'), scan(1, 'in_transit'), scan(2, 'exception'), scan(3, 'delivered')];
    expect(scansToTell(scans, new Set(), kindsThatMayMove('shipped'))).toEqual(scans);
    expect(scansToTell(scans, new Set(), kindsThatMayMove('in_transit'))).toEqual([scans[2], scans[3]]);
    expect(scansToTell(scans, new Set(), kindsThatMayMove('exception'))).toEqual([scans[3]]);
    expect(scansToTell(scans, new Set(), kindsThatMayMove('delivered'))).toEqual([]);
  });

  test('traces merge by event id, oldest first, keeping the newest when too long', () => {
    const all = trace(6);
    expect(mergeTraces(all.slice(0, 4), all.slice(2), 100)).toEqual(all);
    expect(mergeTraces(all.slice(3), all.slice(0, 2), 100)).toEqual([...all.slice(0, 2), ...all.slice(3)]);
    expect(mergeTraces(all, [], 2)).toEqual(all.slice(4));
  });
});

describe('a pushed trace delivered to the cases of its parcel', () => {
  test('200 scans pushed one push per scan cost the case 3 signals (picked up, in transit, delivered), and the whole trace is kept', async () => {
    const traces = new InMemoryParcelTraces();
    const { d, signals } = deps({}, traces);
    const full = trace(200, true);
    for (let n = 1; n <= full.length; n++) expect(await deliverTrace(d, NUMBER, ['cs_1'], full.slice(0, n))).toEqual(['delivered']);
    expect(signals.map((s) => s.event.event)).toEqual(['picked_up', 'in_transit', 'delivered']);
    expect(signals.map((s) => s.event.eventId)).toEqual([full[0], full[1], full[199]].map((s) => s.eventId));
    const stored = await traces.load(NUMBER);
    expect(stored.scans).toEqual(full);
    expect(stored.told.get('cs_1')).toEqual(new Set(['picked_up', 'in_transit', 'delivered']));
  });

  test('each case of a shared parcel is told once; a case that joins later still hears the kinds it missed', async () => {
    const { d, signals } = deps();
    await deliverTrace(d, NUMBER, ['cs_1'], trace(5));
    await deliverTrace(d, NUMBER, ['cs_1', 'cs_2'], trace(8));
    expect(signals.map((s) => `${s.caseId} ${s.event.event}`)).toEqual(['cs_1 picked_up', 'cs_1 in_transit', 'cs_2 picked_up', 'cs_2 in_transit']);
  });

  test('a case that has ended or does not exist is not recorded as told, and the answer says so', async () => {
    const traces = new InMemoryParcelTraces();
    const { d, signals } = deps({ cs_gone: 'unknown', cs_ended: 'ignored' }, traces);
    expect(await deliverTrace(d, NUMBER, ['cs_gone', 'cs_ended', 'cs_1'], trace(3))).toEqual(['unknown', 'ignored', 'delivered']);
    expect(signals.map((s) => s.caseId)).toEqual(['cs_1', 'cs_1']);
    const told = (await traces.load(NUMBER)).told;
    expect([...told.keys()]).toEqual(['cs_1']);
  });

  test('a signal that fails is not recorded: the next push sends it again', async () => {
    const traces = new InMemoryParcelTraces();
    const { d, signals } = deps({}, traces);
    const failing: TraceDeliveryDeps = { ...d, signal: async () => Promise.reject(new Error('temporal down')) };
    await expect(deliverTrace(failing, NUMBER, ['cs_1'], trace(2))).rejects.toThrow('temporal down');
    await deliverTrace(d, NUMBER, ['cs_1'], trace(3));
    expect(signals.map((s) => s.event.event)).toEqual(['picked_up', 'in_transit']);
  });

  test('while the traces cannot be read, each push is filtered on its own (at most one signal per kind), and nothing is saved', async () => {
    const broken = new InMemoryParcelTraces();
    broken.load = async () => Promise.reject(new Error('database down'));
    const saved: ParcelTrace[] = [];
    broken.save = async (_n, t) => void saved.push(t);
    const { d, signals, warnings } = deps({}, broken);
    await deliverTrace(d, NUMBER, ['cs_1'], trace(50));
    expect(signals.map((s) => s.event.event)).toEqual(['picked_up', 'in_transit']);
    expect(saved).toEqual([]);
    expect(warnings).toEqual(['parcel trace could not be read: this push is filtered on its own']);
  });

  test('a trace that cannot be saved still signals, and is warned about', async () => {
    const traces = new InMemoryParcelTraces();
    traces.save = async () => Promise.reject(new Error('database down'));
    const { d, signals, warnings } = deps({}, traces);
    expect(await deliverTrace(d, NUMBER, ['cs_1'], trace(3))).toEqual(['delivered']);
    expect(signals).toHaveLength(2);
    expect(warnings).toEqual(['parcel trace could not be saved']);
  });

  test('a stored trace keeps at most the newest MAX_SCANS_KEPT scans', async () => {
    const traces = new InMemoryParcelTraces();
    const { d } = deps({}, traces);
    await deliverTrace(d, NUMBER, ['cs_1'], trace(MAX_SCANS_KEPT + 5));
    expect((await traces.load(NUMBER)).scans).toHaveLength(MAX_SCANS_KEPT);
  });
});
