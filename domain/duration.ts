/** A wall-clock duration written as "<number><unit>", unit ms|s|m|h|d, e.g. "24h", "3d", "1.5s". */
export type DurationText = string;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** True when the text is a duration this module understands. */
export function isDurationText(text: string): boolean {
  return DURATION.test(text);
}

/** Milliseconds of a duration text; throws on a malformed one. */
export function durationMs(text: DurationText): number {
  const match = DURATION.exec(text);
  if (!match) throw new Error(`not a duration: "${text}" (use e.g. "90s", "24h", "3d")`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2]]);
}
