// Imported by workflow code and bundled into it: no Node.js APIs here.

const READABLE = Symbol.for('aftersales.readable-text');

/** Metadata of a payload the codec leaves unencrypted: a summary or detail line the Temporal UI shows as is. */
export const READABLE_METADATA = 'aftersales-readable';

/**
 * Marks a summary or detail line for the Temporal UI as readable without the codec server. Only for
 * text our code writes from codes, ids and amounts: never names, contact data or what a person typed.
 * (A String object carrying a mark: the SDK types these options as string.)
 */
export function readable(text: string): string {
  return Object.assign(new String(text), { [READABLE]: true }) as unknown as string;
}

/** True for text marked by `readable`. */
export function isReadable(value: unknown): value is string {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[READABLE] === true;
}
