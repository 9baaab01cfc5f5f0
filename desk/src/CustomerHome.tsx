import { useEffect, useState } from 'react';
import { api, call, type Case, type Me, type Problem } from './api/client';
import { nextStepFor } from './Actions';
import { ProblemView } from './components';
import { formatDateTime } from './format';
import { useI18n } from './i18n';
import { BASE, linkTo } from './router';

/** A customer's own cases, each with its status in words and what to do next by when. */
export function CustomerHome({ me }: { me: Me }) {
  const i18n = useI18n();
  const [items, setItems] = useState<Case[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  useEffect(() => {
    const load = () =>
      void call(() => api.GET('/v1/cases', { params: { query: { sort: 'createdAt', limit: 50 } } })).then((result) => {
        if ('data' in result) setItems(result.data.items);
        else setProblem(result.problem);
      });
    load();
    const timer = window.setInterval(load, 10_000);
    return () => window.clearInterval(timer);
  }, [me.customerId]);

  return (
    <section aria-labelledby="mine-title">
      <h1 id="mine-title">{i18n.t('myCases')}</h1>
      <p>
        <a className="button" href={`${BASE}new`} onClick={linkTo(`${BASE}new`)}>
          {i18n.t('newCase')}
        </a>
      </p>
      {problem && <ProblemView problem={problem} />}
      {items === null ? (
        <p>{i18n.t('loading')}</p>
      ) : items.length === 0 ? (
        <p>{i18n.t('noCases')}</p>
      ) : (
        <ul className="cards">
          {items.map((c) => (
            <li key={c.id} className="card">
              <a href={`${BASE}cases/${c.id}`} onClick={linkTo(`${BASE}cases/${c.id}`)}>
                {i18n.code('type', c.type)} · {c.orderId}
              </a>
              <p>
                <span className="badge">{i18n.code('status', c.status)}</span> <small>{formatDateTime(c.createdAt, i18n.lang)}</small>
              </p>
              {nextStepFor(c, i18n) && <p className="next-step">{nextStepFor(c, i18n)}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
