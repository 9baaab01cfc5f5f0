import type { CaseSnapshot, OpenCaseRequest } from './case.types';

/** The fields of the case resource that repeat the open-case request as it was accepted (the API's 201 and the workflow build them alike). */
export function requestFields(
  request: OpenCaseRequest,
): Pick<CaseSnapshot, 'type' | 'orderId' | 'customerId' | 'items' | 'reason' | 'evidence' | 'packagingIntact' | 'order' | 'orderRead'> {
  return {
    type: request.type,
    orderId: request.orderId,
    customerId: request.customerId,
    items: request.items,
    reason: request.reason,
    evidence: request.evidence,
    ...(request.packagingIntact === undefined ? {} : { packagingIntact: request.packagingIntact }),
    order: request.order,
    ...(request.orderRead === undefined ? {} : { orderRead: request.orderRead }),
  };
}
