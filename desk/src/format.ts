import { BEIJING_TIME_ZONE } from '../../domain/beijing-time';
import type { Lang } from './i18n';

/** A date and time in Beijing time, e.g. "2026/11/29 14:05 北京时间" or "Nov 29, 2026, 14:05 Beijing time". */
export function formatDateTime(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—';
  const text = new Intl.DateTimeFormat(lang, {
    // Dates are shown in Beijing time, with the zone named.
    timeZone: BEIJING_TIME_ZONE,
    year: 'numeric',
    month: lang === 'en' ? 'short' : '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
  return `${text} ${lang === 'en' ? 'Beijing time' : '北京时间'}`;
}

/** A duration in words: "3 h 12 min" / "3小时12分钟"; days above 48 hours. */
export function formatDuration(ms: number, lang: Lang): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const zh = lang === 'zh-CN';
  const parts: string[] = [];
  if (days > 0) parts.push(zh ? `${days}天` : `${days} d`);
  if (hours > 0) parts.push(zh ? `${hours}小时` : `${hours} h`);
  if (days === 0 && (mins > 0 || parts.length === 0)) {
    if (minutes === 0 && ms > 0) return zh ? `${Math.ceil(ms / 1000)}秒` : `${Math.ceil(ms / 1000)} s`;
    parts.push(zh ? `${mins}分钟` : `${mins} min`);
  }
  return parts.join(zh ? '' : ' ');
}

/** Minor units (fen) as money: "¥56.00". */
export function formatMoney(minor: number | null | undefined, currency: string, lang: Lang): string {
  if (minor === null || minor === undefined) return '—';
  return new Intl.NumberFormat(lang, { style: 'currency', currency }).format(minor / 100);
}

/** Yuan typed by a person ("56.5") as minor units, or null when it is not a positive amount. */
export function yuanToMinor(text: string): number | null {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) return null;
  return Math.round(value * 100);
}

/** A fraction 0..1 as a percentage, "—" for null. */
export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}
