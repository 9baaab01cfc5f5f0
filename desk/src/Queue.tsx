import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, call, sendCommand, type Case, type Me, type PolicySummary, type Problem } from './api/client';
import { countdownText, runningClock, urgencyOf, useNow } from './clocks';
import { Check, Field, ProblemView, Select } from './components';
import { formatDateTime } from './format';
import { codes, useI18n } from './i18n';
import { BASE, linkTo } from './router';

type Status = Case['status'];
type CaseType = Case['type'];

const TERMINAL = ['completed', 'rejected', 'cancelled', 'expired'];
const OPEN_STATUSES = codes('status').filter((status) => !TERMINAL.includes(status)) as Status[];
/** How often the queue reads the list again. */
export const QUEUE_REFRESH_MS = 10_000;

interface Filters {
  status: string;
  type: string;
  assignee: string;
  breached: string;
  mine: boolean;
}

function filtersFromUrl(): Filters {
  const query = new URLSearchParams(window.location.search);
  return {
    status: query.get('status') ?? '',
    type: query.get('type') ?? '',
    assignee: query.get('assignee') ?? '',
    breached: query.get('breached') ?? '',
    mine: query.get('mine') === '1',
  };
}

function filtersToUrl(filters: Filters): void {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value === true) query.set(key, '1');
    else if (typeof value === 'string' && value !== '') query.set(key, value);
  }
  const search = query.toString();
  window.history.replaceState(null, '', `${BASE}${search ? `?${search}` : ''}`);
}

/** The staff queue: open cases by next deadline, live countdowns, filters, paging, refresh; supervisors assign from it. */
export function Queue({ me, policy }: { me: Me; policy: PolicySummary | null }) {
  const i18n = useI18n();
  const now = useNow();
  const [filters, setFilters] = useState<Filters>(filtersFromUrl);
  const [draft, setDraft] = useState<Filters>(filters);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [items, setItems] = useState<Case[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [refreshedAt, setRefreshedAt] = useState<string | null>(null);
  const supervisor = me.role === 'supervisor' || me.role === 'admin';
  const cursor = cursors[cursors.length - 1];

  const load = useCallback(async () => {
    const assignee = filters.mine ? me.name : filters.assignee.trim() || undefined;
    const result = await call(() =>
      api.GET('/v1/cases', {
        params: {
          query: {
            status: filters.status ? [filters.status as Status] : OPEN_STATUSES,
            ...(filters.type ? { type: [filters.type as CaseType] } : {}),
            ...(assignee ? { assignee } : {}),
            ...(filters.breached ? { breached: filters.breached as 'true' | 'false' } : {}),
            sort: 'nextDeadline',
            limit: 20,
            ...(cursor ? { cursor } : {}),
          },
        },
      }),
    );
    if ('data' in result) {
      setItems(result.data.items);
      setNextCursor(result.data.nextCursor);
      setProblem(null);
      setRefreshedAt(new Date().toISOString());
    } else {
      setProblem(result.problem);
    }
  }, [filters, cursor, me.name]);

  useEffect(() => {
    void load();
    const timer = window.setInterval(() => void load(), QUEUE_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [load]);

  function apply(event: FormEvent) {
    event.preventDefault();
    setFilters(draft);
    filtersToUrl(draft);
    setCursors([undefined]);
  }

  const warning = policy?.warningFraction ?? 0.8;
  const statusOptions: [string, string][] = [['', i18n.t('openOnly')], ...codes('status').map((s): [string, string] => [s, i18n.code('status', s)])];
  const typeOptions: [string, string][] = [['', i18n.t('any')], ...codes('type').map((s): [string, string] => [s, i18n.code('type', s)])];
  const breachedOptions: [string, string][] = [
    ['', i18n.t('any')],
    ['true', i18n.t('yes')],
    ['false', i18n.t('no')],
  ];

  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">{i18n.t('queue')}</h1>
      <form className="filters" onSubmit={apply} aria-label={i18n.t('filters')}>
        <Select label={i18n.t('status')} value={draft.status} onChange={(status) => setDraft({ ...draft, status })} options={statusOptions} name="status" />
        <Select label={i18n.t('type')} value={draft.type} onChange={(type) => setDraft({ ...draft, type })} options={typeOptions} name="type" />
        <Field label={i18n.t('assignee')} value={draft.assignee} onChange={(assignee) => setDraft({ ...draft, assignee })} name="assignee" />
        <Select label={i18n.t('breached')} value={draft.breached} onChange={(breached) => setDraft({ ...draft, breached })} options={breachedOptions} name="breached" />
        <Check label={i18n.t('mine')} checked={draft.mine} onChange={(mine) => setDraft({ ...draft, mine })} />
        <button type="submit">{i18n.t('apply')}</button>
      </form>
      {problem && <ProblemView problem={problem} />}
      {refreshedAt && (
        <p className="muted" aria-live="off">
          {i18n.t('refreshedAt', { time: formatDateTime(refreshedAt, i18n.lang), seconds: QUEUE_REFRESH_MS / 1000 })}
        </p>
      )}
      {items === null ? (
        <p>{i18n.t('loading')}</p>
      ) : items.length === 0 ? (
        <p>{i18n.t('noCases')}</p>
      ) : supervisor ? (
        <AssignableTable items={items} now={now} warning={warning} onAssigned={() => void load()} />
      ) : (
        <CaseTable items={items} now={now} warning={warning} />
      )}
      <div className="paging">
        {cursors.length > 1 && (
          <button type="button" onClick={() => setCursors([undefined])}>
            {i18n.t('firstPage')}
          </button>
        )}
        {nextCursor && (
          <button type="button" onClick={() => setCursors([...cursors, nextCursor])}>
            {i18n.t('nextPage')}
          </button>
        )}
      </div>
    </section>
  );
}

function CaseTable({ items, now, warning, selected, onSelect }: { items: Case[]; now: number; warning: number; selected?: Set<string>; onSelect?: (id: string, on: boolean) => void }) {
  const i18n = useI18n();
  return (
    <div className="table-wrap">
      <table className="queue">
        <thead>
          <tr>
            {onSelect && <th scope="col">{i18n.t('select')}</th>}
            <th scope="col">{i18n.t('caseId')}</th>
            <th scope="col">{i18n.t('timeLeft')}</th>
            <th scope="col">{i18n.t('clock')}</th>
            <th scope="col">{i18n.t('type')}</th>
            <th scope="col">{i18n.t('status')}</th>
            <th scope="col">{i18n.t('assignee')}</th>
            <th scope="col">{i18n.t('escalation')}</th>
            <th scope="col">{i18n.t('priority')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => {
            const clock = runningClock(c);
            const urgency = clock ? urgencyOf(clock, now, warning) : 'ok';
            return (
              <tr key={c.id} data-case-id={c.id}>
                {onSelect && (
                  <td>
                    <input type="checkbox" aria-label={i18n.t('selectCase', { id: c.id })} checked={selected?.has(c.id) ?? false} onChange={(event) => onSelect(c.id, event.target.checked)} />
                  </td>
                )}
                <td>
                  <a href={`${BASE}cases/${c.id}`} onClick={linkTo(`${BASE}cases/${c.id}`)}>
                    {c.id}
                  </a>
                </td>
                <td className={`countdown ${urgency}`} data-urgency={urgency}>
                  {clock ? (
                    <>
                      <span>{countdownText(clock, now, i18n)}</span>
                      <br />
                      <small>{formatDateTime(clock.deadline, i18n.lang)}</small>
                    </>
                  ) : (
                    '—'
                  )}
                </td>
                <td>{clock ? i18n.code('clock', clock.name) : '—'}</td>
                <td>
                  {i18n.code('type', c.type)}
                  {c.manualEvaluation && (
                    <>
                      {' '}
                      <span className="badge manual-evaluation" title={i18n.t('manualEvaluationHint')} data-testid="manual-evaluation">
                        {i18n.t('manualEvaluation')}
                      </span>
                    </>
                  )}
                </td>
                <td>{i18n.code('status', c.status)}</td>
                <td>{c.assignee ?? i18n.t('unassigned')}</td>
                <td>{c.escalation.level}</td>
                <td>{i18n.code('priority', c.priority)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function AssignableTable({ items, now, warning, onAssigned }: { items: Case[]; now: number; warning: number; onAssigned: () => void }) {
  const i18n = useI18n();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [assignee, setAssignee] = useState('');
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<{ id: string; problem: Problem }[]>([]);
  const [message, setMessage] = useState<string | null>(null);

  async function assign(event: FormEvent) {
    event.preventDefault();
    if (busy || selected.size === 0 || assignee.trim() === '') return;
    setBusy(true);
    setMessage(null);
    const failures: { id: string; problem: Problem }[] = [];
    let ok = 0;
    for (const id of selected) {
      const result = await sendCommand('assign', id, { assignee: assignee.trim() }, crypto.randomUUID());
      if ('data' in result) ok += 1;
      else failures.push({ id, problem: result.problem });
    }
    setBusy(false);
    setProblems(failures);
    setMessage(i18n.t('assigned', { n: ok }));
    setSelected(new Set(failures.map((failure) => failure.id)));
    onAssigned();
  }

  return (
    <>
      <form className="bulk" onSubmit={(event) => void assign(event)}>
        <Field label={i18n.t('assignTo')} value={assignee} onChange={setAssignee} name="bulk-assignee" />
        <button type="submit" disabled={busy || selected.size === 0}>
          {i18n.t('assignSelected')} ({selected.size})
        </button>
        {message && <span role="status">{message}</span>}
      </form>
      {problems.map(({ id, problem }) => (
        <div key={id}>
          <strong>{id}</strong>
          <ProblemView problem={problem} command="assign" />
        </div>
      ))}
      <CaseTable
        items={items}
        now={now}
        warning={warning}
        selected={selected}
        onSelect={(id, on) => {
          const next = new Set(selected);
          if (on) next.add(id);
          else next.delete(id);
          setSelected(next);
        }}
      />
    </>
  );
}
