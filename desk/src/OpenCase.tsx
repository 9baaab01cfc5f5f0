import { useRef, useState, type FormEvent } from 'react';
import { api, call, type Me, type PolicySummary, type Problem } from './api/client';
import type { components } from './api/schema';
import { Check, Field, ProblemView, Select, localProblem } from './components';
import { formatMoney, yuanToMinor } from './format';
import { useI18n } from './i18n';
import { navigate, BASE } from './router';

type OpenBody = components['schemas']['OpenCaseRequest'];
type CaseTypeName = PolicySummary['types'][number]['type'];
type Reason = PolicySummary['types'][number]['reasons'][number];
/** The form's payment choice: an online channel, or cash on delivery. */
type PaidBy = 'alipay' | 'wechatpay' | 'other' | 'cod';

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

/** The customer's form to open a case for an order; it follows the policy summary (types, reasons, windows, evidence). */
export function OpenCase({ me, policy }: { me: Me; policy: PolicySummary | null }) {
  const i18n = useI18n();
  const [type, setType] = useState<CaseTypeName>('return');
  const [orderId, setOrderId] = useState('');
  const [sku, setSku] = useState('');
  const [quantity, setQuantity] = useState('1');
  const [price, setPrice] = useState('');
  const [total, setTotal] = useState('');
  const [category, setCategory] = useState('');
  const [paidAt, setPaidAt] = useState(daysAgo(5));
  const [deliveredAt, setDeliveredAt] = useState(daysAgo(3));
  // How the order was paid: an online channel (its refund goes back the same way) or cash on delivery.
  const [paidBy, setPaidBy] = useState<PaidBy>('alipay');
  const [reason, setReason] = useState<Reason>('no_reason');
  const [description, setDescription] = useState('');
  const [evidence, setEvidence] = useState('');
  const [intact, setIntact] = useState(true);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(crypto.randomUUID());

  if (!policy || !me.customerId) return <p>{i18n.t('loading')}</p>;
  const rules = policy.types.find((entry) => entry.type === type) ?? policy.types[0];
  const reasons = rules.reasons;
  const chosenReason = reasons.includes(reason) ? reason : reasons[0];
  const openWindow = rules.window;
  const windowText = !openWindow
    ? i18n.t('windowNone')
    : openWindow.months !== undefined
      ? i18n.t('windowWarranty', { months: openWindow.months })
      : openWindow.from === 'purchase'
        ? i18n.t('windowPurchase', { days: openWindow.days ?? 0 })
        : openWindow.packagingIntactDays !== undefined
          ? i18n.t('windowDeliveryIntact', { days: openWindow.days ?? 0, intact: openWindow.packagingIntactDays })
          : i18n.t('windowDelivery', { days: openWindow.days ?? 0 });
  const needsEvidence = rules.evidenceAlways || (type !== 'complaint' && policy.evidenceRequiredReasons.includes(chosenReason));
  const paysShipping = (type === 'return' || type === 'exchange') && policy.customerPaysShippingReasons.includes(chosenReason);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    const unitPrice = yuanToMinor(price);
    if (unitPrice === null) return setProblem(localProblem('items[0].unitPrice', i18n.t('mustBeNumber')));
    const orderTotal = total.trim() === '' ? unitPrice * Number(quantity) : yuanToMinor(total);
    if (orderTotal === null) return setProblem(localProblem('order.total', i18n.t('mustBeNumber')));
    const urls = evidence.split(/\s+/).filter(Boolean);
    // The order's facts (price, dates, payment) are read by the API from the order system; the
    // fields above stay until the order picker replaces this form.
    void orderTotal;
    const body: OpenBody = {
      type,
      orderId: orderId.trim(),
      items: [{ sku: sku.trim(), quantity: Number(quantity) }],
      reason: { code: chosenReason, ...(description.trim() ? { description: description.trim() } : {}) },
      evidence: urls,
      ...(type === 'return' ? { packagingIntact: intact } : {}),
    };
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
      <h1 id="open-title">{i18n.t('openCaseTitle')}</h1>
      <form className="open-case" onSubmit={(event) => void submit(event)}>
        <Select label={i18n.t('type')} value={type} onChange={(value) => setType(value as CaseTypeName)} options={policy.types.map((entry): [string, string] => [entry.type, i18n.code('type', entry.type)])} name="type" />
        <p className="hint" role="note">
          {windowText}
        </p>
        <Field label={i18n.t('orderId')} value={orderId} onChange={setOrderId} required name="orderId" />
        <Field label={i18n.t('sku')} value={sku} onChange={setSku} required name="sku" />
        <Field label={i18n.t('quantity')} value={quantity} onChange={setQuantity} type="number" required name="quantity" />
        <Field label={i18n.t('unitPriceYuan')} value={price} onChange={setPrice} inputMode="decimal" required name="unitPrice" />
        <Field label={i18n.t('orderTotalYuan')} value={total} onChange={setTotal} inputMode="decimal" name="total" />
        <Field label={i18n.t('category')} value={category} onChange={setCategory} name="category" />
        <Field label={i18n.t('paidAt')} value={paidAt} onChange={setPaidAt} type="date" required name="paidAt" />
        <Field label={i18n.t('deliveredAt')} value={deliveredAt} onChange={setDeliveredAt} type="date" name="deliveredAt" />
        <Select
          label={i18n.t('paymentMethod')}
          value={paidBy}
          onChange={(value) => setPaidBy(value as PaidBy)}
          options={[
            ['alipay', i18n.t('paidAlipay')],
            ['wechatpay', i18n.t('paidWechatpay')],
            ['other', i18n.t('paidOtherOnline')],
            ['cod', i18n.t('cod')],
          ]}
          name="paymentMethod"
        />
        <Select label={i18n.t('reason')} value={chosenReason} onChange={(value) => setReason(value as Reason)} options={reasons.map((code): [string, string] => [code, i18n.code('reason', code)])} name="reason" />
        {needsEvidence && (
          <p className="hint" role="note">
            {i18n.t('evidenceNeeded')}
          </p>
        )}
        {paysShipping && (
          <p className="hint" role="note">
            {i18n.t('customerPaysShipping', { fee: formatMoney(policy.returnShippingFee, 'CNY', i18n.lang) })}
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
    </section>
  );
}
