import { useState } from 'react';
import type { Case, PolicySummary } from './api/client';
import { Check, CommandForm, Field, Select, localProblem } from './components';
import { formatDateTime, formatMoney, yuanToMinor } from './format';
import { useI18n, type Translator } from './i18n';

/** The parts of `outcome` the pages read (the API declares it an open object). */
export interface OutcomeView {
  customerInfo?: { message: string; evidence: string[] }[];
  collections?: { purpose: string; amount: number; currency: string; idempotencyKey: string; status: string }[];
  quote?: { amount: number; currency: string; accepted: boolean | null };
  resolution?: { text: string; compensation?: { kind: 'refund' | 'coupon'; amount: number } | null };
}
/** The outcome of a case, as the pages read it. */
export const outcomeOf = (c: Case): OutcomeView => c.outcome;

const TERMINAL = ['completed', 'rejected', 'cancelled', 'expired'];
const isTerminal = (c: Case) => TERMINAL.includes(c.status);

/** The deadline of the customer's running clock, if one runs. */
function customerDeadline(c: Case): string | undefined {
  return c.sla.find((clock) => clock.party === 'customer' && clock.state === 'running')?.deadline;
}

/** The deadline of the shop's earliest running clock, if one runs: when the customer may expect the shop's next step. */
function shopDeadline(c: Case): string | undefined {
  return c.sla
    .filter((clock) => clock.party === 'staff' && clock.state === 'running')
    .map((clock) => clock.deadline)
    .sort()[0];
}

/** The SKUs the latest stock check found missing (from the timeline). */
function missingSkus(c: Case): string[] {
  const entry = [...c.timeline].reverse().find((e) => e.event === 'stock.unavailable');
  const skus = entry?.data?.skus;
  return Array.isArray(skus) ? skus.filter((sku): sku is string => typeof sku === 'string') : [];
}

/** What the customer must do next, and by when, in words (null: nothing more, the case has ended). */
export function nextStepFor(c: Case, i18n: Translator): string | null {
  const zh = i18n.lang === 'zh-CN';
  const money = (minor: number) => formatMoney(minor, c.order.currency, i18n.lang);
  const deadline = customerDeadline(c);
  const by = deadline ? ` ${i18n.t('byWhen', { when: formatDateTime(deadline, i18n.lang) })}` : '';
  const outcome = outcomeOf(c);
  const quote = outcome.quote ? money(outcome.quote.amount) : '';
  const asked = (outcome.collections ?? []).find((collection) => collection.status === 'requested' || collection.status === 'pending');
  const askedText = asked ? `${i18n.code('collection', asked.purpose)} ${money(asked.amount)}` : '';
  const skus = missingSkus(c).join(', ');
  const steps: Record<string, [string, string]> = {
    awaiting_customer_info: ['请补充客服要求的信息', 'Answer the request for information'],
    awaiting_return_shipment: ['请寄回商品并填写运单号', 'Send the goods back and post the tracking number'],
    awaiting_quote_acceptance: [`请接受或拒绝维修报价${quote ? `（${quote}）` : ''}`, `Accept or decline the repair quote${quote ? ` of ${quote}` : ''}`],
    awaiting_stock_decision: [`商品缺货${skus ? `（${skus}）` : ''}：请选择退款或其他商品`, `Out of stock${skus ? ` (${skus})` : ''}: choose a refund or another item`],
    awaiting_customer_confirmation: ['收到商品后请确认收货', 'Confirm receipt once the parcel arrives'],
    awaiting_payment: [`请完成付款${askedText ? `：${askedText}` : ''}`, `Complete the payment${askedText ? `: ${askedText}` : ''}`],
  };
  const step = steps[c.status];
  if (step) return `${step[zh ? 0 : 1]}${by}`;
  if (isTerminal(c) && c.survey === null && c.status === 'completed') return zh ? '工单已完成，欢迎评价' : 'The case is complete: please answer the survey';
  if (isTerminal(c)) return null;
  // Nothing for the customer to do: say what the shop is doing, with the amount of a refund and the shop's own deadline.
  const shopBy = shopDeadline(c);
  const shopWhen = shopBy ? formatDateTime(shopBy, i18n.lang) : '';
  if (c.status === 'refunding' && c.refund) {
    const amount = money(c.refund.amount);
    return zh ? `无需操作：退款 ${amount} 处理中${shopWhen ? `，最晚 ${shopWhen} 到账` : ''}` : `Nothing to do: your refund of ${amount} is on its way${shopWhen ? `, due by ${shopWhen}` : ''}`;
  }
  return zh ? `无需操作，我们正在处理${shopWhen ? `（最晚 ${shopWhen} 前处理）` : ''}` : `Nothing to do: we are on it${shopWhen ? ` (due by ${shopWhen})` : ''}`;
}

/** A command the API says the caller may send to this case now (its `allowedCommands`, from the command table). */
const allows = (c: Case, command: Case['allowedCommands'][number]) => c.allowedCommands.includes(command);

/** The staff command forms the API allows this member of staff now. */
export function StaffActions({ c, onChange }: { c: Case; onChange: (c: Case) => void }) {
  const i18n = useI18n();
  const forms = [
    allows(c, 'review') && <ReviewForm key="review" c={c} onChange={onChange} />,
    allows(c, 'receive') && <ReceiveForm key="receive" c={c} onChange={onChange} />,
    allows(c, 'inspection') && <InspectionForm key="inspection" c={c} onChange={onChange} />,
    allows(c, 'repair-result') && <RepairForm key="repair" c={c} onChange={onChange} />,
    allows(c, 'resolution') && <ResolutionForm key="resolution" c={c} onChange={onChange} />,
    allows(c, 'stock-decision') && <StockForm key="stock" c={c} onChange={onChange} />,
    allows(c, 'assign') && <AssignForm key="assign" c={c} onChange={onChange} />,
    allows(c, 'cancel') && <CancelForm key="cancel" c={c} onChange={onChange} staff />,
  ].filter(Boolean);
  return forms.length > 0 ? <>{forms}</> : <p>{i18n.t('noActions')}</p>;
}

/** The customer's command forms the API allows now. */
export function CustomerActions({ c, policy, onChange }: { c: Case; policy: PolicySummary | null; onChange: (c: Case) => void }) {
  const i18n = useI18n();
  void policy;
  const forms = [
    allows(c, 'customer-info') && <CustomerInfoForm key="info" c={c} onChange={onChange} />,
    allows(c, 'return-shipment') && <ReturnShipmentForm key="ship" c={c} onChange={onChange} />,
    allows(c, 'quote') && <QuoteForm key="quote" c={c} onChange={onChange} />,
    allows(c, 'stock-decision') && <StockForm key="stock" c={c} onChange={onChange} />,
    allows(c, 'confirm-receipt') && <ConfirmForm key="confirm" c={c} onChange={onChange} />,
    allows(c, 'survey') && <SurveyForm key="survey" c={c} onChange={onChange} />,
    allows(c, 'cancel') && <CancelForm key="cancel" c={c} onChange={onChange} />,
  ].filter(Boolean);
  return (
    <>
      {c.survey && <p role="status">{i18n.t('thanksSurvey', { score: c.survey.score })}</p>}
      {forms.length > 0 ? forms : <p>{i18n.t('noActions')}</p>}
    </>
  );
}

type FormProps = { c: Case; onChange: (c: Case) => void };

function ReviewForm({ c, onChange }: FormProps) {
  const i18n = useI18n();
  const [decision, setDecision] = useState<'approve' | 'reject' | 'request_info'>('approve');
  const [note, setNote] = useState('');
  const [humanDamage, setHumanDamage] = useState(false);
  return (
    <CommandForm
      title={i18n.t('reviewForm')}
      command="review"
      caseId={c.id}
      onDone={onChange}
      body={() => ({ decision, ...(note.trim() ? { note: note.trim() } : {}), ...(humanDamage ? { humanDamage: true } : {}) })}
    >
      <Select
        label={i18n.t('decision')}
        value={decision}
        onChange={(value) => setDecision(value as typeof decision)}
        options={[
          ['approve', i18n.t('approve')],
          ['reject', i18n.t('reject')],
          ['request_info', i18n.t('requestInfo')],
        ]}
        name="decision"
      />
      <Field label={i18n.t('note')} value={note} onChange={setNote} multiline name="note" />
      {c.type === 'repair' && <Check label={i18n.t('humanDamage')} checked={humanDamage} onChange={setHumanDamage} />}
    </CommandForm>
  );
}

function InspectionForm({ c, onChange }: FormProps) {
  const i18n = useI18n();
  const [result, setResult] = useState<'pass' | 'fail'>('pass');
  const [note, setNote] = useState('');
  const [amount, setAmount] = useState('');
  return (
    <CommandForm
      title={i18n.t('inspectionForm')}
      command="inspection"
      caseId={c.id}
      onDone={onChange}
      body={() => {
        const refundAmount = amount.trim() === '' ? undefined : yuanToMinor(amount);
        if (refundAmount === null) return localProblem('refundAmount', i18n.t('mustBeNumber'));
        return { result, ...(note.trim() ? { note: note.trim() } : {}), ...(refundAmount !== undefined ? { refundAmount } : {}) };
      }}
    >
      <Select
        label={i18n.t('outcome')}
        value={result}
        onChange={(value) => setResult(value as typeof result)}
        options={[
          ['pass', i18n.t('pass')],
          ['fail', i18n.t('fail')],
        ]}
        name="result"
      />
      <Field label={i18n.t('refundAmountYuan')} value={amount} onChange={setAmount} inputMode="decimal" name="refundAmount" />
      <Field label={i18n.t('note')} value={note} onChange={setNote} multiline name="note" />
    </CommandForm>
  );
}

function RepairForm({ c, onChange }: FormProps) {
  const i18n = useI18n();
  const [outcome, setOutcome] = useState<'repaired' | 'unrepairable'>('repaired');
  const [verified, setVerified] = useState(true);
  const [note, setNote] = useState('');
  return (
    <CommandForm title={i18n.t('repairForm')} command="repair-result" caseId={c.id} onDone={onChange} body={() => ({ outcome, verified, ...(note.trim() ? { note: note.trim() } : {}) })}>
      <Select
        label={i18n.t('outcome')}
        value={outcome}
        onChange={(value) => setOutcome(value as typeof outcome)}
        options={[
          ['repaired', i18n.t('repaired')],
          ['unrepairable', i18n.t('unrepairable')],
        ]}
      />
      <Check label={i18n.t('verified')} checked={verified} onChange={setVerified} />
      <Field label={i18n.t('note')} value={note} onChange={setNote} multiline />
    </CommandForm>
  );
}

function ResolutionForm({ c, onChange }: FormProps) {
  const i18n = useI18n();
  const [text, setText] = useState('');
  const [outcome, setOutcome] = useState('');
  const [kind, setKind] = useState('');
  const [amount, setAmount] = useState('');
  // A courier exception is resolved by an outcome (found, reship, refund) and takes no compensation; a complaint the other way round.
  const courier = c.type === 'courier_exception';
  return (
    <CommandForm
      title={i18n.t('resolutionForm')}
      command="resolution"
      caseId={c.id}
      onDone={onChange}
      body={() => {
        if (courier && outcome === '') return localProblem('outcome', i18n.t('chooseOutcome'));
        const compensation = courier || kind === '' ? undefined : yuanToMinor(amount);
        if (compensation === null) return localProblem('compensation.amount', i18n.t('mustBeNumber'));
        return {
          resolution: text.trim(),
          ...(courier ? { outcome: outcome as 'found' | 'reship' | 'refund' } : {}),
          ...(compensation !== undefined ? { compensation: { kind: kind as 'refund' | 'coupon', amount: compensation } } : {}),
        };
      }}
    >
      <Field label={i18n.t('resolutionText')} value={text} onChange={setText} multiline required />
      {courier ? (
        <Select
          label={i18n.t('outcome')}
          value={outcome}
          onChange={setOutcome}
          name="outcome"
          options={[
            ['', i18n.t('chooseOutcome')],
            ['found', i18n.t('outcomeFound')],
            ['reship', i18n.t('outcomeReship')],
            ['refund', i18n.t('outcomeRefund', { amount: formatMoney(claimOf(c), c.order.currency, i18n.lang) })],
          ]}
        />
      ) : (
        <>
          <Select
            label={i18n.t('compensationKind')}
            value={kind}
            onChange={setKind}
            options={[
              ['', i18n.t('none')],
              ['refund', i18n.t('refund')],
              ['coupon', i18n.t('coupon')],
            ]}
          />
          {kind && <Field label={i18n.t('compensationAmountYuan')} value={amount} onChange={setAmount} inputMode="decimal" />}
        </>
      )}
    </CommandForm>
  );
}

/** What the case claims: the items' price times quantity, in minor units. */
const claimOf = (c: Case) => c.items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);

function StockForm({ c, onChange }: FormProps) {
  const i18n = useI18n();
  const [decision, setDecision] = useState<'refund' | 'alternative'>('refund');
  const [sku, setSku] = useState('');
  return (
    <CommandForm
      title={i18n.t('stockForm')}
      command="stock-decision"
      caseId={c.id}
      onDone={onChange}
      body={() => (decision === 'refund' ? { decision: 'refund' as const } : { decision: 'alternative' as const, sku: sku.trim() })}
    >
      {missingSkus(c).length > 0 && <p>{i18n.t('outOfStockSkus', { skus: missingSkus(c).join(', '), amount: formatMoney(claimOf(c), c.order.currency, i18n.lang) })}</p>}
      <Select
        label={i18n.t('decision')}
        value={decision}
        onChange={(value) => setDecision(value as typeof decision)}
        options={[
          ['refund', i18n.t('chooseRefund')],
          ['alternative', i18n.t('chooseAlternative')],
        ]}
      />
      {decision === 'alternative' && <Field label={i18n.t('alternativeSku')} value={sku} onChange={setSku} required />}
    </CommandForm>
  );
}

function AssignForm({ c, onChange }: FormProps) {
  const i18n = useI18n();
  const [assignee, setAssignee] = useState(c.assignee ?? '');
  return (
    <CommandForm title={i18n.t('assignForm')} command="assign" caseId={c.id} onDone={onChange} body={() => ({ assignee: assignee.trim() })}>
      <Field label={i18n.t('assignTo')} value={assignee} onChange={setAssignee} required name="assignee" />
    </CommandForm>
  );
}

function CancelForm({ c, onChange, staff = false }: FormProps & { staff?: boolean }) {
  const i18n = useI18n();
  const [note, setNote] = useState('');
  const [resolution, setResolution] = useState('');
  return (
    <CommandForm
      title={i18n.t('cancelForm')}
      command="cancel"
      caseId={c.id}
      onDone={onChange}
      submitLabel={i18n.t('cancel')}
      body={() => ({ ...(note.trim() ? { note: note.trim() } : {}), ...(resolution.trim() ? { resolution: resolution.trim() } : {}) })}
    >
      <Field label={i18n.t('note')} value={note} onChange={setNote} multiline name="cancel-note" />
      {staff && c.type === 'complaint' && <Field label={i18n.t('resolutionText')} value={resolution} onChange={setResolution} multiline />}
    </CommandForm>
  );
}

function CustomerInfoForm({ c, onChange }: FormProps) {
  const i18n = useI18n();
  const [message, setMessage] = useState('');
  const [evidence, setEvidence] = useState('');
  return (
    <CommandForm
      title={i18n.t('customerInfoForm')}
      command="customer-info"
      caseId={c.id}
      onDone={onChange}
      body={() => {
        const urls = evidence.split(/\s+/).filter(Boolean);
        return { message: message.trim(), ...(urls.length ? { evidence: urls } : {}) };
      }}
    >
      <Field label={i18n.t('message')} value={message} onChange={setMessage} multiline required />
      <Field label={i18n.t('evidenceUrls')} value={evidence} onChange={setEvidence} multiline />
    </CommandForm>
  );
}

function ReturnShipmentForm({ c, onChange }: FormProps) {
  const i18n = useI18n();
  const [via, setVia] = useState<'label' | 'own_courier'>('label');
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  // On the label, the case already knows the carrier and number: the customer only says the parcel left.
  const body = () => (via === 'label' ? {} : { via, carrier: carrier.trim(), trackingNumber: tracking.trim() });
  return (
    <CommandForm title={i18n.t('returnShipmentForm')} command="return-shipment" caseId={c.id} onDone={onChange} body={body}>
      <Select
        label={i18n.t('shipVia')}
        value={via}
        onChange={(value) => setVia(value === 'own_courier' ? 'own_courier' : 'label')}
        name="via"
        options={[
          ['label', i18n.t('shipViaLabel')],
          ['own_courier', i18n.t('shipViaOwnCourier')],
        ]}
      />
      {via === 'own_courier' && (
        <>
          <p className="hint">{i18n.t('shipViaOwnCourierHint')}</p>
          <Field label={i18n.t('carrier')} value={carrier} onChange={setCarrier} required name="carrier" />
          <Field label={i18n.t('trackingNumber')} value={tracking} onChange={setTracking} required name="trackingNumber" />
        </>
      )}
    </CommandForm>
  );
}

function ReceiveForm({ c, onChange }: FormProps) {
  const i18n = useI18n();
  const [tracking, setTracking] = useState('');
  return (
    <CommandForm title={i18n.t('receiveForm')} command="receive" caseId={c.id} onDone={onChange} body={() => ({ trackingNumber: tracking.trim() })}>
      <p className="hint">{i18n.t('receiveHint')}</p>
      <Field label={i18n.t('trackingNumber')} value={tracking} onChange={setTracking} required name="trackingNumber" />
    </CommandForm>
  );
}

function QuoteForm({ c, onChange }: FormProps) {
  const i18n = useI18n();
  const [accept, setAccept] = useState('true');
  const quote = outcomeOf(c).quote;
  return (
    <CommandForm title={i18n.t('quoteForm')} command="quote" caseId={c.id} onDone={onChange} body={() => ({ accept: accept === 'true' })}>
      {quote && <p>{i18n.t('quoteAmount', { amount: formatMoney(quote.amount, quote.currency, i18n.lang) })}</p>}
      <Select
        label={i18n.t('decision')}
        value={accept}
        onChange={setAccept}
        options={[
          ['true', i18n.t('acceptQuote')],
          ['false', i18n.t('declineQuote')],
        ]}
      />
    </CommandForm>
  );
}

function ConfirmForm({ c, onChange }: FormProps) {
  const i18n = useI18n();
  return <CommandForm title={i18n.t('confirmForm')} command="confirm-receipt" caseId={c.id} onDone={onChange} submitLabel={i18n.t('confirmReceipt')} body={() => ({})} />;
}

function SurveyForm({ c, onChange }: FormProps) {
  const i18n = useI18n();
  const [score, setScore] = useState('5');
  const [comment, setComment] = useState('');
  return (
    <CommandForm title={i18n.t('surveyForm')} command="survey" caseId={c.id} onDone={onChange} body={() => ({ score: Number(score), ...(comment.trim() ? { comment: comment.trim() } : {}) })}>
      <Select label={i18n.t('score')} value={score} onChange={setScore} options={['5', '4', '3', '2', '1'].map((s): [string, string] => [s, s])} name="score" />
      <Field label={i18n.t('comment')} value={comment} onChange={setComment} multiline name="comment" />
    </CommandForm>
  );
}
