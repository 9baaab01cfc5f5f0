import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { sendCommand, type Case, type CommandBody, type CommandName, type Problem } from './api/client';
import { useI18n, type Translator } from './i18n';

/** The sentence that heads a problem: a state refusal in the command's own words, one naming fields as a mismatch, else the code's meaning. */
function problemWords(problem: Problem, command: CommandName | undefined, i18n: Translator): string {
  if (problem.code === 'invalid_state') {
    // A state refusal that names fields is about what was sent (a parcel that is not the one awaited), not that the case moved on.
    if (problem.details.length > 0) return i18n.t('doesNotMatchCase');
    if (command && i18n.has('stateRefusal', command)) return i18n.code('stateRefusal', command);
  }
  return i18n.has('error', problem.code) ? i18n.code('error', problem.code) : i18n.t('errorGeneric', { message: problem.code });
}

/** A refusal or failure in words: the code's meaning, the fields named, and what the API said. */
export function ProblemView({ problem, command }: { problem: Problem; command?: CommandName }) {
  const i18n = useI18n();
  const words = problemWords(problem, command, i18n);
  return (
    <div role="alert" className="problem">
      <p>
        <strong>{problem.status > 0 ? `${problem.status} · ` : ''}</strong>
        {words}
      </p>
      {problem.details.length > 0 && (
        <ul>
          {problem.details.map((detail) => (
            <li key={`${detail.field}:${detail.message}`}>{i18n.t('fieldProblem', { field: detail.field, message: detail.message })}</li>
          ))}
        </ul>
      )}
      {problem.message && <p className="api-said">{i18n.t('apiSaid', { message: problem.message })}</p>}
    </div>
  );
}

const isProblem = (value: unknown): value is Problem => typeof value === 'object' && value !== null && 'code' in value && 'status' in value && 'details' in value;

/** A fresh Idempotency-Key: one per submission, kept while the same submission is retried. */
const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

/**
 * A form that sends one case command. It submits once at a time (a double click sends one
 * request), shows the new state or the refusal in words, and keeps what was typed after a refusal.
 */
export function CommandForm<C extends CommandName>(props: {
  title: string;
  command: C;
  caseId: string;
  /** The body from the fields, or a problem to show instead of sending. */
  body: () => CommandBody<C> | Problem;
  onDone: (c: Case) => void;
  submitLabel?: string;
  children?: ReactNode;
  testId?: string;
}) {
  const i18n = useI18n();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const inFlight = useRef(false);
  const key = useRef(newKey());
  const headingId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (inFlight.current) return;
    const body: unknown = props.body();
    if (isProblem(body)) {
      setProblem(body);
      return;
    }
    inFlight.current = true;
    setBusy(true);
    setProblem(null);
    const result = await sendCommand(props.command, props.caseId, body as CommandBody<C>, key.current);
    inFlight.current = false;
    setBusy(false);
    if ('data' in result) {
      key.current = newKey();
      props.onDone(result.data);
    } else {
      // A refusal binds nothing: the next submission is judged afresh.
      if (result.problem.status !== 503 && result.problem.status !== 0) key.current = newKey();
      setProblem(result.problem);
    }
  }

  return (
    <form className="command" aria-labelledby={headingId} onSubmit={(event) => void submit(event)} data-testid={props.testId ?? `form-${props.command}`}>
      <h3 id={headingId}>{props.title}</h3>
      {props.children}
      <button type="submit" disabled={busy} aria-busy={busy}>
        {busy ? i18n.t('submitting') : (props.submitLabel ?? i18n.t('submit'))}
      </button>
      {problem && <ProblemView problem={problem} command={props.command} />}
    </form>
  );
}

/** A labelled input. */
export function Field(props: { label: string; value: string; onChange: (value: string) => void; type?: string; required?: boolean; multiline?: boolean; name?: string; inputMode?: 'decimal' | 'numeric' }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? (
        <textarea id={id} name={props.name} value={props.value} required={props.required} onChange={(event) => props.onChange(event.target.value)} rows={3} />
      ) : (
        <input id={id} name={props.name} type={props.type ?? 'text'} inputMode={props.inputMode} value={props.value} required={props.required} onChange={(event) => props.onChange(event.target.value)} />
      )}
    </div>
  );
}

/** A labelled select of `options` ([value, label]). */
export function Select(props: { label: string; value: string; onChange: (value: string) => void; options: [string, string][]; name?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} name={props.name} value={props.value} onChange={(event) => props.onChange(event.target.value)}>
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A labelled checkbox. */
export function Check(props: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  const id = useId();
  return (
    <div className="field check">
      <input id={id} type="checkbox" checked={props.checked} onChange={(event) => props.onChange(event.target.checked)} />
      <label htmlFor={id}>{props.label}</label>
    </div>
  );
}

/** A problem made by the page itself (a field it could not read), shown like the API's 400. */
export function localProblem(field: string, message: string): Problem {
  return { status: 0, code: 'validation_failed', message: '', details: [{ field, message }] };
}
