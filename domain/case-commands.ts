import type { CaseStatus, CaseType } from './case.types';

/** Commands that a case stage waits for (answered synchronously as Workflow Updates). */
export type StageCommandName =
  | 'review'
  | 'customerInfo'
  | 'returnShipment'
  | 'inspection'
  | 'stockDecision'
  | 'quote'
  | 'repairResult'
  | 'resolution'
  | 'confirmReceipt';

/** The statuses in which each stage command is allowed; any other status answers 409. */
export const COMMAND_STATUSES: Record<StageCommandName, readonly CaseStatus[]> = {
  review: ['awaiting_review'],
  customerInfo: ['awaiting_customer_info'],
  returnShipment: ['awaiting_return_shipment'],
  inspection: ['inspecting'],
  stockDecision: ['awaiting_stock_decision'],
  quote: ['awaiting_quote_acceptance'],
  repairResult: ['repairing'],
  resolution: ['investigating'],
  confirmReceipt: ['awaiting_customer_confirmation'],
};

/** Statuses in which the owner may still withdraw the case: the goods have not left them yet. */
export const OWNER_CANCELLABLE_STATUSES: readonly CaseStatus[] = [
  'awaiting_review',
  'awaiting_customer_info',
  'awaiting_return_shipment',
  'awaiting_quote_acceptance',
];

/** True when the owner may withdraw a case of this type in this status (a complaint or courier inquiry can be withdrawn while investigated). */
export function ownerMayCancel(type: CaseType, status: CaseStatus): boolean {
  if (OWNER_CANCELLABLE_STATUSES.includes(status)) return true;
  // A repair quote is paid before the item is sent in; other payments come after the goods reached the warehouse.
  if (type === 'repair' && status === 'awaiting_payment') return true;
  return (type === 'complaint' || type === 'courier_exception') && status === 'investigating';
}

/** Why a command is refused in this status, or null when it is allowed. */
export function commandRefusal(command: StageCommandName, status: CaseStatus, type: CaseType): string | null {
  if (!COMMAND_STATUSES[command].includes(status)) {
    return `${command} is not allowed while the ${type} case is ${status}`;
  }
  return null;
}
