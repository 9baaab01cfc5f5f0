import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, call, type Me, type PolicySummary, type Problem } from './api/client';
import type { components } from './api/schema';
import { Check, Field, ProblemView, Select, localProblem } from './components';
import { formatDateTime, formatMoney } from './format';
import { useI18n, type Translator } from './i18n';
import { navigate, BASE } from './router';

type OpenBody = components['schemas']['OpenCaseRequest'];
/** An order as the shop's order system gave it (GET /v1/orders). */
type Order = components['schemas']['OrderRead']['order'];
type OrderLine = Order['lines'][number];
type CaseTypeName = PolicySummary['types'][number]['type'];
type Reason = PolicySummary['types'][number]['reasons'][number];
/** A line ticked in the form and the units typed for it. */
type Claims = Record<string, { checked: boolean; units: string }>;

/** Orders per page of the picker. */
const ORDERS_PER_PAGE = 20;

/** Units of a line after-sales may still claim: bought, less those the shop refunded outside after-sales (at least one, as the API counts them). */
export function claimableUnits(order: Order, line: OrderLine): number {
  const refunded = order.refunds.filter((r) => r.lineId === line.lineId).reduce((sum, r) => sum + r.units, 0);
  return Math.max(1, line.unitsBought - refunded);
}

/**
 * The form to open a case: a customer picks one of their orders (staff, on the phone with one,
 * first name the customer), then the lines and units to claim; every fact that decides money —
 * price paid, units bought, dates, payment — is the order system's, shown and never typed. It
 * follows the policy summary (types, reasons, windows, evidence).
 */
export function OpenCase({ me, policy }: { me: Me; policy: PolicySummary | null }) {
  const i18n = useI18n();
  const staff = me.role !== 'customer';
  const [customerInput, setCustomerInput] = useState('');
  // Whose orders are listed: the customer's own, or the one staff named.
  const [customerId, setCustomerId] = useState<string | null>(staff ? null : (me.customerId ?? null));
  const [orders, setOrders] = useState<Order[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [listProblem, setListProblem] = useState<Problem | null>(null);
  const [lookup, setLookup] = useState('');
  const [orderId, setOrderId] = useState<string | null>(null);
  const [claims, setClaims] = useState<Claims>({});
  const [type, setType] = useState<CaseTypeName>('return');
  const [reason, setReason] = useState<Reason>('no_reason');
  const [description, setDescription] = useState('');
  const [evidence, setEvidence] = useState('');
  const [intact, setIntact] = useState(true);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(crypto.randomUUID());

  const loadOrders = useCallback(
    async (whose: string, cursor: string | null) => {
      setListProblem(null);
      const query = { limit: ORDERS_PER_PAGE, ...(staff ? { customerId: whose } : {}), ...(cursor ? { cursor } : {}) };
      const result = await call(() => api.GET('/v1/orders', { params: { query } }));
      if (!('data' in result)) return setListProblem(result.problem);
      setOrders((before) => [...(cursor && before ? before : []), ...result.data.orders]);
      setNextCursor(result.data.nextCursor);
    },
    [staff],
  );

  useEffect(() => {
    if (customerId) void loadOrders(customerId, null);
  }, [customerId, loadOrders]);

  if (!policy || (!staff && !me.customerId)) return <p>{i18n.t('loading')}</p>;
  const rules = policy.types.find((entry) => entry.type === type) ?? policy.types[0];
  const reasons = rules.reasons;
  const chosenReason = reasons.includes(reason) ? reason : reasons[0];
  const needsEvidence = rules.evidenceAlways || (type !== 'complaint' && policy.evidenceRequiredReasons.includes(chosenReason));
  const paysShipping = (type === 'return' || type === 'exchange') && policy.customerPaysShippingReasons.includes(chosenReason);
  const order = orders?.find((o) => o.orderId === orderId) ?? null;

  function chooseOrder(id: string) {
    setOrderId(id);
    setClaims({});
    setProblem(null);
  }

  function showCustomer(event: FormEvent) {
    event.preventDefault();
    const whose = customerInput.trim();
    if (!whose) return;
    setOrders(null);
    setOrderId(null);
    setCustomerId(whose);
    // The same id again still reloads (the effect runs on a change only).
    if (whose === customerId) void loadOrders(whose, null);
  }

  async function findOrder() {
    const wanted = lookup.trim();
    if (!wanted) return;
    setListProblem(null);
    const result = await call(() => api.GET('/v1/orders/{orderId}', { params: { path: { orderId: wanted } } }));
    if (!('data' in result)) return setListProblem(result.problem);
    const found = result.data.order;
    setOrders((before) => [found, ...(before ?? []).filter((o) => o.orderId !== found.orderId)]);
    chooseOrder(found.orderId);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy || !order) return;
    const items: { lineId: string; quantity: number }[] = [];
    for (const [index, line] of order.lines.entries()) {
      const claim = claims[line.lineId];
      if (!claim?.checked) continue;
      const units = Number(claim.units);
      if (!Number.isInteger(units) || units < 1 || units > claimableUnits(order, line)) {
        return setProblem(localProblem(`items[${index}].quantity`, i18n.t('unitsBetween', { max: claimableUnits(order, line) })));
      }
      items.push({ lineId: line.lineId, quantity: units });
    }
    if (items.length === 0) return setProblem(localProblem('items', i18n.t('pickALine')));
    const body = {
      type,
      orderId: order.orderId,
      items,
      reason: { code: chosenReason, ...(description.trim() ? { description: description.trim() } : {}) },
      evidence: evidence.split(/\s+/).filter(Boolean),
      ...(type === 'return' ? { packagingIntact: intact } : {}),
    } satisfies OpenBody;
    setBusy(true);
    setProblem(null);
    const result = await call(() => api.POST('/v1/cases', { params: { header: { 'Idempotency-Key': key.current } }, body }));
    setBusy(false);
    if ('data' in result) {
      navigate(`${BASE}cases/${result.data.id}`);
    } else {
      // A refused request opened nothing; a corrected one is a new request.
      key.current = crypto.randomUUID();
      setProblem(result.problem);
    }
  }

  return (
    <section aria-labelledby="open-title">
      <h1 id="open-title">{staff ? i18n.t('openForCustomerTitle') : i18n.t('openCaseTitle')}</h1>
      {staff && (
        <form className="open-case" onSubmit={showCustomer} aria-label={i18n.t('whichCustomer')}>
          <Field label={i18n.t('customerIdLabel')} value={customerInput} onChange={setCustomerInput} required name="customerId" />
          <button type="submit">{i18n.t('showOrders')}</button>
        </form>
      )}
      {customerId && (
        <OrderPicker
          orders={orders}
          chosen={orderId}
          onChoose={chooseOrder}
          more={nextCursor ? () => void loadOrders(customerId, nextCursor) : null}
          problem={listProblem}
          lookup={lookup}
          onLookup={setLookup}
          find={() => void findOrder()}
          staff={staff}
        />
      )}
      {order && (
        <form className="open-case" onSubmit={(event) => void submit(event)} aria-label={i18n.t('openCaseTitle')}>
          <OrderFacts order={order} i18n={i18n} />
          <LinePicker order={order} claims={claims} onChange={setClaims} />
          <Select label={i18n.t('type')} value={type} onChange={(value) => setType(value as CaseTypeName)} options={policy.types.map((entry): [string, string] => [entry.type, i18n.code('type', entry.type)])} name="type" />
          <p className="hint" role="note">
            {windowText(rules.window, i18n)}
          </p>
          <Select label={i18n.t('reason')} value={chosenReason} onChange={(value) => setReason(value as Reason)} options={reasons.map((code): [string, string] => [code, i18n.code('reason', code)])} name="reason" />
          {needsEvidence && (
            <p className="hint" role="note">
              {i18n.t('evidenceNeeded')}
            </p>
          )}
          {paysShipping && (
            <p className="hint" role="note">
              {order.freightInsurance ? i18n.t('freightInsured') : i18n.t('customerPaysShipping', { fee: formatMoney(policy.returnShippingFee, 'CNY', i18n.lang) })}
            </p>
          )}
          <Field label={i18n.t('description')} value={description} onChange={setDescription} multiline name="description" />
          <Field label={i18n.t('evidenceUrls')} value={evidence} onChange={setEvidence} multiline name="evidence" />
          {type === 'return' && <Check label={i18n.t('packagingIntact')} checked={intact} onChange={setIntact} />}
          <button type="submit" disabled={busy}>
            {busy ? i18n.t('submitting') : i18n.t('openCase')}
          </button>
          {problem && <ProblemView problem={problem} />}
        </form>
      )}
    </section>
  );
}

/** The policy's window of a type in words. */
function windowText(openWindow: PolicySummary['types'][number]['window'], i18n: Translator): string {
  if (!openWindow) return i18n.t('windowNone');
  if (openWindow.months !== undefined) return i18n.t('windowWarranty', { months: openWindow.months });
  if (openWindow.from === 'purchase') return i18n.t('windowPurchase', { days: openWindow.days ?? 0 });
  if (openWindow.packagingIntactDays !== undefined) return i18n.t('windowDeliveryIntact', { days: openWindow.days ?? 0, intact: openWindow.packagingIntactDays });
  return i18n.t('windowDelivery', { days: openWindow.days ?? 0 });
}

/** The order's latest 签收 time, or null. */
const deliveredAtOf = (order: Order): string | null =>
  order.shipments.map((s) => s.deliveredAt).filter((t): t is string => t !== null).sort().at(-1) ?? null;

/** One choice per order, newest first; more on demand; an order found by its number. */
function OrderPicker(props: {
  orders: Order[] | null;
  chosen: string | null;
  onChoose: (orderId: string) => void;
  more: (() => void) | null;
  problem: Problem | null;
  lookup: string;
  onLookup: (value: string) => void;
  find: () => void;
  staff: boolean;
}) {
  const i18n = useI18n();
  const legend = useId();
  return (
    <div className="order-picker">
      {props.problem && <ProblemView problem={props.problem} />}
      {props.orders === null ? (
        !props.problem && <p>{i18n.t('loading')}</p>
      ) : (
        <fieldset aria-labelledby={legend} data-testid="orders">
          <legend id={legend}>{props.staff ? i18n.t('customerOrders') : i18n.t('yourOrders')}</legend>
          {props.orders.length === 0 && <p>{i18n.t('noOrders')}</p>}
          <ul className="cards">
            {props.orders.map((order) => (
              <li key={order.orderId} className="card" data-order-id={order.orderId}>
                <label>
                  <input type="radio" name="order" value={order.orderId} checked={props.chosen === order.orderId} onChange={() => props.onChoose(order.orderId)} />{' '}
                  <strong>{order.orderId}</strong> · {i18n.code('orderStatus', order.status)} · {formatMoney(order.payment.amount, order.currency, i18n.lang)}
                </label>
                <p>
                  <small>
                    {i18n.t('placedAt', { when: formatDateTime(order.placedAt, i18n.lang) })} · {order.lines.map((line) => line.title).join('、')}
                  </small>
                </p>
              </li>
            ))}
          </ul>
          {props.more && (
            <button type="button" onClick={props.more}>
              {i18n.t('moreOrders')}
            </button>
          )}
        </fieldset>
      )}
      <div className="order-lookup">
        <Field label={i18n.t('findOrder')} value={props.lookup} onChange={props.onLookup} name="findOrder" />
        <button type="button" onClick={props.find}>
          {i18n.t('find')}
        </button>
      </div>
    </div>
  );
}

/** What the order system says of the order: payment, dates, parcels. Shown, never typed. */
function OrderFacts({ order, i18n }: { order: Order; i18n: Translator }) {
  const delivered = deliveredAtOf(order);
  const paidWith = order.payment.method === 'cod' ? i18n.t('cod') : i18n.code('paymentChannel', order.payment.channel ?? 'other');
  return (
    <div className="order-facts" data-testid="order-facts">
      <h2>{i18n.t('orderFromSystem', { orderId: order.orderId })}</h2>
      <dl>
        <dt>{i18n.t('paymentMethod')}</dt>
        <dd>{paidWith}</dd>
        <dt>{i18n.t('orderPaid')}</dt>
        <dd>{formatMoney(order.payment.amount, order.currency, i18n.lang)}</dd>
        <dt>{i18n.t('paidAt')}</dt>
        <dd>{formatDateTime(order.payment.paidAt, i18n.lang)}</dd>
        <dt>{i18n.t('deliveredOn')}</dt>
        <dd>{delivered ? formatDateTime(delivered, i18n.lang) : i18n.t('notDeliveredYet')}</dd>
      </dl>
    </div>
  );
}

/** A checkbox per line of the order, and the units to claim of each ticked one (up to what may still be claimed). */
function LinePicker({ order, claims, onChange }: { order: Order; claims: Claims; onChange: (claims: Claims) => void }) {
  const i18n = useI18n();
  const set = (lineId: string, change: Partial<Claims[string]>) => {
    const before = claims[lineId] ?? { checked: false, units: '1' };
    onChange({ ...claims, [lineId]: { ...before, ...change } });
  };
  return (
    <fieldset data-testid="lines">
      <legend>{i18n.t('whichItems')}</legend>
      <ul className="lines">
        {order.lines.map((line) => {
          const claim = claims[line.lineId] ?? { checked: false, units: '1' };
          const max = claimableUnits(order, line);
          return (
            <li key={line.lineId} data-line-id={line.lineId}>
              <label>
                <input type="checkbox" checked={claim.checked} onChange={(event) => set(line.lineId, { checked: event.target.checked })} />{' '}
                {line.imageUrl && <img src={line.imageUrl} alt="" width={40} height={40} loading="lazy" />} <strong>{line.title}</strong> <small className="mono">{line.sku}</small>
              </label>
              <p>
                <small>
                  {i18n.t('unitsBought')}: {line.unitsBought} · {i18n.t('linePaid')}: {formatMoney(line.amountPaid, order.currency, i18n.lang)}
                </small>
              </p>
              {claim.checked && (
                <UnitsField label={i18n.t('unitsToClaim', { title: line.title })} value={claim.units} max={max} onChange={(units) => set(line.lineId, { units })} />
              )}
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}

/** A number of units from 1 to `max`. */
function UnitsField(props: { label: string; value: string; max: number; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input id={id} type="number" min={1} max={props.max} step={1} value={props.value} required onChange={(event) => props.onChange(event.target.value)} />
    </div>
  );
}
