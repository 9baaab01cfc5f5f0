// Integer arithmetic only (BigInt): in floating point 0.29 * 100 = 28.999999999999996, and a truncation would move a fen.

const YUAN = /^(0|[1-9]\d*)(?:\.(\d{1,2}))?$/;

/** An amount in fen (integer minor units) written as yuan with two decimals, e.g. 1230 → "12.30". */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`not an amount in fen: ${fen} (a non-negative whole number is expected)`);
  const value = BigInt(fen);
  return `${value / 100n}.${(value % 100n).toString().padStart(2, '0')}`;
}

/** A yuan amount as a provider writes it ("12.3", "12.30", "12") in fen; throws on anything else (a sign, three decimals, an exponent). */
export function yuanToFen(yuan: string): number {
  const match = YUAN.exec(yuan);
  if (!match) throw new RangeError(`not a yuan amount: "${yuan}"`);
  const fen = BigInt(match[1]) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
  if (fen > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`yuan amount too large: "${yuan}"`);
  return Number(fen);
}
