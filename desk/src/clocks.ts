import { useEffect, useState } from 'react';
import type { Case, Clock } from './api/client';
import type { Translator } from './i18n';
import { formatDateTime, formatDuration } from './format';

/** The current time, ticking every `ms` (the live countdowns). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(timer);
  }, [ms]);
  return now;
}

/** The running clock whose deadline is the case's next deadline (the one the queue counts down). */
export function runningClock(c: Case): Clock | undefined {
  const running = c.sla.filter((clock) => clock.state === 'running');
  return running.find((clock) => clock.deadline === c.nextDeadline) ?? running.sort((a, b) => a.deadline.localeCompare(b.deadline))[0];
}

/** How urgent a clock is now: ok, warning (past the policy's warning point) or overdue. */
export type Urgency = 'ok' | 'warning' | 'overdue';

/** The urgency of `clock` at `now`; the warning point is `warningFraction` of its span. */
export function urgencyOf(clock: Clock, now: number, warningFraction: number): Urgency {
  const deadline = Date.parse(clock.deadline);
  if (clock.state === 'breached' || now >= deadline) return 'overdue';
  const start = Date.parse(clock.startedAt);
  if (clock.warnedAt !== undefined || now >= start + (deadline - start) * warningFraction) return 'warning';
  return 'ok';
}

/** "2 h 5 min left" or "overdue by 12 min". */
export function countdownText(clock: Clock, now: number, i18n: Translator): string {
  const left = Date.parse(clock.deadline) - now;
  return left >= 0 ? i18n.t('leftOf', { d: formatDuration(left, i18n.lang) }) : i18n.t('overdueBy', { d: formatDuration(-left, i18n.lang) });
}

/** A budget as the policy writes it, in words. */
export function budgetText(budget: Clock['budget'], i18n: Translator): string {
  const zh = i18n.lang === 'zh-CN';
  if (typeof budget === 'string') {
    const match = /^(\d+)([smhd])$/.exec(budget);
    if (!match) return budget;
    const n = Number(match[1]);
    const unit = { s: zh ? '秒' : ' s', m: zh ? '分钟' : ' min', h: zh ? '小时' : ' h', d: zh ? '天' : ' days' }[match[2] as 's' | 'm' | 'h' | 'd'];
    return `${n}${unit}`;
  }
  if ('workingDays' in budget) return zh ? `${budget.workingDays} 个工作日` : `${budget.workingDays} working days`;
  return zh ? `${budget.workingHours} 个工作小时` : `${budget.workingHours} working hours`;
}

/** One clock explained in words: running, paused since…, met, breached, with the time paused. */
export function clockInWords(clock: Clock, now: number, i18n: Translator): string {
  const zh = i18n.lang === 'zh-CN';
  const customerWait = clock.party === 'staff';
  const paused = clock.pausedMs + (clock.state === 'paused' && clock.pausedAt ? now - Date.parse(clock.pausedAt) : 0);
  const pausedText =
    paused > 0
      ? zh
        ? `；${customerWait ? '等待客户期间' : ''}暂停共 ${formatDuration(paused, i18n.lang)}`
        : `; paused ${formatDuration(paused, i18n.lang)}${customerWait ? ' while waiting for the customer' : ''}`
      : '';
  const deadline = formatDateTime(clock.deadline, i18n.lang);
  switch (clock.state) {
    case 'running':
      return (zh ? `计时中，截止 ${deadline}（${countdownText(clock, now, i18n)}）` : `Running, due ${deadline} (${countdownText(clock, now, i18n)})`) + pausedText;
    case 'paused':
      return (zh ? `自 ${formatDateTime(clock.pausedAt, i18n.lang)} 起暂停` : `Paused since ${formatDateTime(clock.pausedAt, i18n.lang)}`) + pausedText;
    case 'met':
      return (zh ? `已在 ${formatDateTime(clock.stoppedAt, i18n.lang)} 按时完成` : `Met on time at ${formatDateTime(clock.stoppedAt, i18n.lang)}`) + pausedText;
    case 'breached':
      return (zh ? `已于 ${formatDateTime(clock.breachedAt, i18n.lang)} 超时` : `Breached at ${formatDateTime(clock.breachedAt, i18n.lang)}`) + pausedText;
  }
}
