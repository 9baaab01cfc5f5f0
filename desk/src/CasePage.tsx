import { useCallback, useEffect, useRef, useState } from 'react';
import { api, call, type Case, type Me, type PolicySummary, type Problem } from './api/client';
import { CustomerActions, StaffActions, nextStepFor, outcomeOf } from './Actions';
import { budgetText, clockInWords, useNow } from './clocks';
import { ProblemView } from './components';
import { formatDateTime, formatMoney } from './format';
import { useI18n, type Translator } from './i18n';
import { BASE, linkTo } from './router';

const IMAGE = /\.(png|jpe?g|gif|webp|avif)(\?.*)?$/i;

/** The return label the courier issued for the case (from its timeline), if it has one. */
function returnLabelOf(c: Case): { labelId?: string; carrier?: string; trackingNumber?: string; warehouseCode?: string } | null {
  const entry = c.timeline.find((e) => e.event === 'return.label_created');
  if (!entry) return null;
  const data = entry.data ?? {};
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { labelId: text(data.labelId), carrier: text(data.carrier), trackingNumber: text(data.trackingNumber), warehouseCode: text(data.warehouseCode) };
}

/** The facts of a timeline entry worth a glance (the clock, the new status, an amount), in words; '' when none. */
function timelineDetail(entry: Case['timeline'][number], i18n: Translator, money: (minor: number) => string): string {
  const data = entry.data ?? {};
  const parts: string[] = [];
  if (typeof data.clock === 'string') parts.push(i18n.code('clock', data.clock));
  if (typeof data.to === 'string' && i18n.has('status', data.to)) parts.push(`→ ${i18n.code('status', data.to)}`);
  if (typeof data.amount === 'number') parts.push(money(data.amount));
  if (entry.event === 'refund.manual_action_required') {
    // Without a reason, the oldest kind: every attempt failed.
    const reason = typeof data.reason === 'string' ? data.reason : 'attempts_exhausted';
    parts.push(i18n.code('manualAction', reason));
  }
  return parts.length > 0 ? ` · ${parts.join(' · ')}` : '';
}

/** One case: the request, the clocks in words, escalations, parcels, money, the timeline, and the actions its state allows. */
export function CasePage({ id, me, policy }: { id: string; me: Me; policy: PolicySummary | null }) {
  const i18n = useI18n();
  const now = useNow();
  const [data, setData] = useState<Case | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // While a form has typed input the page stops refreshing, so that a new state does not take the form away.
  const editing = useRef(false);

  const load = useCallback(async () => {
    const result = await call(() => api.GET('/v1/cases/{id}', { params: { path: { id } } }));
    if ('data' in result) {
      setData(result.data);
      setProblem(null);
    } else {
      setProblem(result.problem);
    }
  }, [id]);

  useEffect(() => {
    void load();
    const timer = window.setInterval(() => {
      if (!editing.current) void load();
    }, 5_000);
    return () => window.clearInterval(timer);
  }, [load]);

  const back = (
    <a href={BASE} onClick={linkTo(BASE)}>
      ← {i18n.t('back')}
    </a>
  );
  if (problem && (!data || problem.status === 404 || problem.code === 'case_not_found')) {
    return (
      <section>
        {back}
        <h1>{i18n.t('casePage')}</h1>
        {problem.status === 404 || problem.status === 400 ? <p role="alert">{i18n.t('notFound')}</p> : <ProblemView problem={problem} />}
      </section>
    );
  }
  if (!data) return <p>{i18n.t('loading')}</p>;
  const c = data;
  const money = (minor: number | null | undefined) => formatMoney(minor, c.order.currency, i18n.lang);
  const staff = me.role !== 'customer';
  const next = !staff ? nextStepFor(c, i18n) : null;
  const label = returnLabelOf(c);
  const shipBy = c.status === 'awaiting_return_shipment' ? c.sla.find((clock) => clock.name === 'return_shipment' && clock.state === 'running')?.deadline : undefined;
  const resolution = outcomeOf(c).resolution;
  const changed = (after: Case) => {
    editing.current = false;
    setData(after);
    setNotice(i18n.t('done', { status: i18n.code('status', after.status) }));
  };

  return (
    <section aria-labelledby="case-title" className="case">
      {back}
      <h1 id="case-title">
        {i18n.code('type', c.type)} · <span className="mono">{c.id}</span>
      </h1>
      <p className="status-line">
        <span className={`badge status-${c.status}`}>{i18n.code('status', c.status)}</span>{' '}
        {c.manualEvaluation && (
          <>
            <span className="badge manual-evaluation" title={i18n.t('manualEvaluationHint')} data-testid="manual-evaluation">
              {i18n.t('manualEvaluation')}
            </span>{' '}
          </>
        )}
        {i18n.t('assignee')}: {c.assignee ?? i18n.t('unassigned')} · {i18n.t('priority')}: {i18n.code('priority', c.priority)} ·{' '}
        {i18n.t('escalation')}: {c.escalation.level}
      </p>
      {next && (
        <div className="next-step" role="note">
          <strong>{i18n.t('nextStep')}:</strong> {next}
        </div>
      )}
      {resolution?.text && (
        <div className="resolution" data-testid="resolution">
          <p>{i18n.t('resolutionGiven', { text: resolution.text })}</p>
          {resolution.compensation && (
            <p>
              {resolution.compensation.kind === 'coupon'
                ? i18n.t('couponIssued', { amount: money(resolution.compensation.amount) })
                : `${i18n.t('refund')}: ${money(resolution.compensation.amount)}`}
            </p>
          )}
        </div>
      )}
      <div className="columns">
        <div>
          <h2>{i18n.t('request')}</h2>
          <dl>
            <dt>{i18n.t('order')}</dt>
            <dd>{c.orderId}</dd>
            <dt>{i18n.t('customer')}</dt>
            <dd>{c.customerId}</dd>
            <dt>{i18n.t('orderTotal')}</dt>
            <dd>{money(c.order.total)}</dd>
            <dt>{i18n.t('paidAt')}</dt>
            <dd>{formatDateTime(c.order.paidAt, i18n.lang)}</dd>
            <dt>{i18n.t('reason')}</dt>
            <dd>{i18n.code('reason', c.reason.code)}</dd>
            {c.reason.description && (
              <>
                <dt>{i18n.t('description')}</dt>
                <dd>{c.reason.description}</dd>
              </>
            )}
          </dl>
          {c.orderRead && (
            <p className="hint" data-testid="order-read">
              {i18n.t('orderRead', { when: formatDateTime(c.orderRead.readAt, i18n.lang) })}
            </p>
          )}
          <table data-testid="items">
            <caption>{i18n.t('items')}</caption>
            <thead>
              <tr>
                <th scope="col">{i18n.t('item')}</th>
                <th scope="col">{i18n.t('quantity')}</th>
                <th scope="col">{i18n.t('unitsBought')}</th>
                <th scope="col">{i18n.t('linePaid')}</th>
                <th scope="col">{i18n.t('unitPrice')}</th>
                <th scope="col">{i18n.t('amount')}</th>
              </tr>
            </thead>
            <tbody>
              {c.items.map((item) => (
                // A line is named by its lineId (an order may hold several lines of one sku); older cases by their sku.
                <tr key={item.lineId ?? item.sku} data-line-id={item.lineId}>
                  <td>
                    {item.title ?? item.sku}
                    {item.title && (
                      <>
                        {' '}
                        <small className="mono">{item.sku}</small>
                      </>
                    )}
                  </td>
                  <td>{item.quantity}</td>
                  <td>{item.orderedQuantity ?? '—'}</td>
                  <td>{item.linePaid === undefined ? '—' : money(item.linePaid)}</td>
                  <td>{money(item.unitPrice)}</td>
                  <td>{money(item.unitPrice * item.quantity)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{i18n.t('evidence')}</h3>
          {c.evidence.length === 0 ? (
            <p>{i18n.t('noEvidence')}</p>
          ) : (
            <ul className="evidence">
              {c.evidence.map((url, index) => (
                <li key={url}>
                  <a href={url} target="_blank" rel="noreferrer noopener">
                    {IMAGE.test(url) ? <img src={url} alt={`${i18n.t('evidence')} ${index + 1}`} loading="lazy" /> : url}
                  </a>
                </li>
              ))}
            </ul>
          )}
          {(outcomeOf(c).customerInfo ?? []).length > 0 && (
            <>
              <h3>{i18n.t('customerMessages')}</h3>
              <ul>
                {(outcomeOf(c).customerInfo ?? []).map((info, index) => (
                  <li key={index}>{info.message}</li>
                ))}
              </ul>
            </>
          )}
        </div>
        <div>
          <h2>{i18n.t('actions')}</h2>
          {notice && (
            <p role="status" className="done">
              {notice}
            </p>
          )}
          <div
            onInput={() => {
              editing.current = true;
              setNotice(null);
            }}
          >
            {staff ? <StaffActions c={c} onChange={changed} /> : <CustomerActions c={c} policy={policy} onChange={changed} />}
          </div>
          <button
            type="button"
            onClick={() => {
              editing.current = false;
              void load();
            }}
          >
            {i18n.t('reload')}
          </button>
        </div>
      </div>

      <h2>{i18n.t('clocks')}</h2>
      <div className="table-wrap" tabIndex={0} role="region" aria-label={i18n.t('clocks')}>
        <table>
          <thead>
            <tr>
              <th scope="col">{i18n.t('clock')}</th>
              <th scope="col">{i18n.t('budget')}</th>
              <th scope="col">{i18n.t('deadline')}</th>
              <th scope="col">{i18n.t('state')}</th>
              <th scope="col">{i18n.t('explanation')}</th>
            </tr>
          </thead>
          <tbody>
            {c.sla.map((clock) => (
              <tr key={`${clock.name}-${clock.startedAt}`}>
                <td>{i18n.code('clock', clock.name)}</td>
                <td>{budgetText(clock.budget, i18n)}</td>
                <td>
                  {formatDateTime(clock.deadline, i18n.lang)}
                  {clock.bound === 'statutory' ? ` · ${i18n.t('statutoryBound')}` : ''}
                </td>
                <td>{i18n.code('clockState', clock.state)}</td>
                <td>{clockInWords(clock, now, i18n)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>{i18n.t('escalationHistory')}</h2>
      {c.escalation.history.length === 0 ? (
        <p>{i18n.t('none')}</p>
      ) : (
        <ul>
          {c.escalation.history.map((step) => (
            <li key={`${step.level}-${step.at}`}>
              {formatDateTime(step.at, i18n.lang)} · L{step.level} · {i18n.code('clock', step.clock)} · {step.reason} · {step.recipients.join(', ')}
            </li>
          ))}
        </ul>
      )}

      <h2>{i18n.t('shipments')}</h2>
      {label && (
        <section aria-labelledby="return-label-title" className="return-label" data-testid="return-label">
          <h3 id="return-label-title">{i18n.t('returnLabel')}</h3>
          {c.status === 'awaiting_return_shipment' && !staff && <p className="hint">{i18n.t('returnLabelHint')}</p>}
          <dl>
            {label.labelId && (
              <>
                <dt>{i18n.t('labelId')}</dt>
                <dd className="mono">{label.labelId}</dd>
              </>
            )}
            {label.carrier && (
              <>
                <dt>{i18n.t('carrier')}</dt>
                <dd>{label.carrier}</dd>
              </>
            )}
            {label.trackingNumber && (
              <>
                <dt>{i18n.t('trackingNumber')}</dt>
                <dd className="mono" data-testid="return-label-tracking-number">
                  {label.trackingNumber}
                </dd>
              </>
            )}
            {label.warehouseCode && (
              <>
                <dt>{i18n.t('warehouseCode')}</dt>
                <dd className="mono">{label.warehouseCode}</dd>
              </>
            )}
            {shipBy && (
              <>
                <dt>{i18n.t('shipBy')}</dt>
                <dd>{formatDateTime(shipBy, i18n.lang)}</dd>
              </>
            )}
          </dl>
        </section>
      )}
      {c.shipments.length === 0 ? (
        <p>{i18n.t('none')}</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={i18n.t('shipments')}>
          <table className="shipments" data-testid="shipments">
            <thead>
              <tr>
                <th scope="col">{i18n.t('parcel')}</th>
                <th scope="col">{i18n.t('carrier')}</th>
                <th scope="col">{i18n.t('trackingNumber')}</th>
                <th scope="col">{i18n.t('labelId')}</th>
                <th scope="col">{i18n.t('state')}</th>
                <th scope="col">{i18n.t('updatedAt')}</th>
                <th scope="col">{i18n.t('trackingEvents')}</th>
              </tr>
            </thead>
            <tbody>
              {c.shipments.map((shipment) => (
                <tr key={shipment.trackingNumber} data-parcel={shipment.purpose ?? shipment.direction}>
                  <td>{i18n.code('parcel', shipment.purpose ?? shipment.direction)}</td>
                  <td>{shipment.carrier}</td>
                  <td className="mono">{shipment.trackingNumber}</td>
                  <td className="mono">{shipment.labelId ?? '—'}</td>
                  <td>{i18n.code('shipment', shipment.status)}</td>
                  <td>{formatDateTime(shipment.updatedAt, i18n.lang)}</td>
                  <td>
                    <TrackingEvents entries={trackingOf(c.timeline, shipment.trackingNumber)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>{i18n.t('refund')}</h2>
      {c.refund ? (
        <p>
          {money(c.refund.amount)} · {i18n.code('refund', c.refund.status)}
          {c.refund.deduction ? ` (−${money(c.refund.deduction)})` : ''}
        </p>
      ) : (
        <p>{i18n.t('none')}</p>
      )}
      {(outcomeOf(c).collections ?? []).length > 0 && (
        <>
          <h3>{i18n.t('collections')}</h3>
          <ul>
            {(outcomeOf(c).collections ?? []).map((collection) => (
              <li key={collection.idempotencyKey}>
                {i18n.code('collection', collection.purpose)} · {money(collection.amount)} · {i18n.code('refund', collection.status)}
              </li>
            ))}
          </ul>
        </>
      )}

      <h2>{i18n.t('timeline')}</h2>
      <div className="table-wrap" tabIndex={0} role="region" aria-label={i18n.t('timeline')}>
        <table className="timeline">
          <thead>
            <tr>
              <th scope="col">{i18n.t('when')}</th>
              <th scope="col">{i18n.t('who')}</th>
              <th scope="col">{i18n.t('what')}</th>
            </tr>
          </thead>
          <tbody>
            {c.timeline.map((entry, index) => (
              <tr key={index}>
                <td>{formatDateTime(entry.at, i18n.lang)}</td>
                <td>
                  {i18n.has('role', entry.actor.kind) ? i18n.code('role', entry.actor.kind) : entry.actor.kind} {entry.actor.id}
                </td>
                <td data-event={entry.event}>
                  <span title={entry.event}>{i18n.code('timeline', entry.event)}</span>
                  {timelineDetail(entry, i18n, money)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {staff && c.temporal.uiUrl && (
        <p>
          <a href={c.temporal.uiUrl} target="_blank" rel="noreferrer noopener">
            {i18n.t('temporalLink')}
          </a>
        </p>
      )}
    </section>
  );
}

/** The courier's events of one parcel, as the case's timeline recorded them (oldest first). */
function trackingOf(timeline: Case['timeline'], trackingNumber: string): Case['timeline'] {
  return timeline.filter((entry) => entry.event.startsWith('shipment.') && entry.data?.trackingNumber === trackingNumber);
}

/** A parcel's tracking events: when, what happened in words, and the courier's note. */
function TrackingEvents({ entries }: { entries: Case['timeline'] }) {
  const i18n = useI18n();
  if (entries.length === 0) return <>—</>;
  return (
    <ol className="tracking-events" data-testid="tracking-events">
      {entries.map((entry) => {
        const detail = typeof entry.data?.detail === 'string' ? entry.data.detail : undefined;
        return (
          <li key={`${entry.at}-${entry.event}`}>
            <time dateTime={entry.at}>{formatDateTime(entry.at, i18n.lang)}</time> {i18n.code('shipment', entry.event.slice('shipment.'.length))}
            {detail ? ` · ${detail}` : ''}
          </li>
        );
      })}
    </ol>
  );
}
