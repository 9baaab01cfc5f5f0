import { HttpClient, type LedgerRefund } from './http-client';

// The two records of money the end-to-end money tests compare: the sandbox payment provider's
// ledger (what was actually paid out or collected, the outside witness) and our own order-line
// ledger as `GET /v1/orders/:orderId/ledger` shows it.

/** A refund or a collection as the sandbox's `GET /ledger` records it: a refund's fields but its id. */
export type SandboxMoneyRecord = Omit<LedgerRefund, 'refundId'>;

/** A collection (money asked of the customer) in the sandbox's ledger. */
export interface SandboxCollection extends SandboxMoneyRecord {
  collectionId: string;
  customerId: string;
  purpose: string;
}

/** A refund in the sandbox's ledger. */
export type SandboxRefund = LedgerRefund;

/** The refunds and collections the sandbox recorded for a set of cases. */
export interface SandboxMoney {
  refunds: SandboxRefund[];
  collections: SandboxCollection[];
}

/** Reads the sandbox's ledger and keeps the refunds and collections of `caseIds`. */
export async function sandboxMoneyOf(sandboxUrl: string, caseIds: readonly string[]): Promise<SandboxMoney> {
  const answer = await new HttpClient(sandboxUrl).get<SandboxMoney>('/ledger');
  if (answer.status !== 200) throw new Error(`the sandbox's GET /ledger answered ${answer.status}: ${answer.text}`);
  const ours = <T extends SandboxMoneyRecord>(records: T[]) => records.filter((r) => caseIds.includes(r.caseId));
  return { refunds: ours(answer.body.refunds), collections: ours(answer.body.collections) };
}

/** One entry of a ledger line in `GET /v1/orders/:orderId/ledger`. */
export interface OrderLedgerEntryView {
  key: string;
  caseId: string;
  kind: string;
  amount: number;
  units: number;
  state: 'reserved' | 'committed' | 'released';
}

/** One line of `GET /v1/orders/:orderId/ledger`. */
export interface OrderLedgerLineView {
  sku: string;
  currency: string;
  unitsBought: number;
  amountPaid: number;
  refunded: number;
  reserved: number;
  compensated: number;
  collected: number;
  collectionRefunded: number;
  unitsReturned: number;
  refundable: number;
  unitsRemaining: number;
  paidBackBy: string[];
  entries: OrderLedgerEntryView[];
}

/** `GET /v1/orders/:orderId/ledger` as staff; fails unless 200. */
export async function orderLedgerOf(apiUrl: string, staffToken: string, orderId: string): Promise<OrderLedgerLineView[]> {
  const answer = await new HttpClient(apiUrl, staffToken).get<{ orderId: string; lines: OrderLedgerLineView[] }>(`/v1/orders/${encodeURIComponent(orderId)}/ledger`);
  if (answer.status !== 200) throw new Error(`GET /v1/orders/${orderId}/ledger answered ${answer.status}: ${answer.text}`);
  return answer.body.lines;
}

/** The ledger line of `sku`; fails naming the lines there are when it is missing. */
export function lineOf(lines: readonly OrderLedgerLineView[], sku: string): OrderLedgerLineView {
  const line = lines.find((l) => l.sku === sku);
  if (!line) throw new Error(`the order ledger has no line ${sku} (lines: ${lines.map((l) => l.sku).join(', ') || 'none'})`);
  return line;
}

/** The sum of `amount` over `records`. */
export function totalOf(records: readonly { amount: number }[]): number {
  return records.reduce((sum, r) => sum + r.amount, 0);
}
