import { createContext, useContext } from 'react';

/** The languages of the desk: Simplified Chinese (default) and English. */
export type Lang = 'zh-CN' | 'en';

type Entry = [zh: string, en: string];

// Labels. Placeholders {name} are filled by t(key, {name: value}).
const LABELS = {
  appTitle: ['售后工作台', 'After-sales desk'],
  language: ['语言', 'Language'],
  switchTo: ['English', '中文'],
  signInTitle: ['登录', 'Sign in'],
  signInHint: ['请输入您的访问令牌。令牌仅保存在本浏览器标签页的会话中，关闭即清除。', 'Enter your access token. It is kept for this browser tab only and forgotten when you close it.'],
  token: ['访问令牌', 'Access token'],
  signIn: ['登录', 'Sign in'],
  signOut: ['退出', 'Sign out'],
  signedInAs: ['当前用户：{who}（{role}）', 'Signed in as {who} ({role})'],
  unknownToken: ['令牌无效，请检查后重试。', 'This token is not known; check it and try again.'],
  queue: ['待办队列', 'Queue'],
  report: ['SLA 报表', 'SLA report'],
  myCases: ['我的售后', 'My cases'],
  newCase: ['申请售后', 'Open a case'],
  mainNav: ['主导航', 'Main navigation'],
  loading: ['加载中…', 'Loading…'],
  refreshedAt: ['已于 {time} 刷新（每 {seconds} 秒自动刷新）', 'Refreshed at {time} (every {seconds} s)'],
  filters: ['筛选', 'Filters'],
  status: ['状态', 'Status'],
  type: ['类型', 'Type'],
  assignee: ['处理人', 'Assignee'],
  breached: ['已超时', 'Breached'],
  mine: ['只看我的', 'Mine only'],
  any: ['全部', 'Any'],
  openOnly: ['全部未结', 'All open'],
  yes: ['是', 'Yes'],
  no: ['否', 'No'],
  apply: ['应用', 'Apply'],
  nextPage: ['下一页', 'Next page'],
  firstPage: ['第一页', 'First page'],
  noCases: ['没有符合条件的工单。', 'No cases match.'],
  caseId: ['工单号', 'Case'],
  clock: ['计时', 'Clock'],
  deadline: ['截止时间', 'Deadline'],
  timeLeft: ['剩余时间', 'Time left'],
  escalation: ['升级级别', 'Escalation'],
  priority: ['优先级', 'Priority'],
  unassigned: ['未分配', 'unassigned'],
  overdueBy: ['已超时 {d}', 'overdue by {d}'],
  leftOf: ['剩余 {d}', '{d} left'],
  select: ['选择', 'Select'],
  selectCase: ['选择工单 {id}', 'Select case {id}'],
  assignSelected: ['分配所选工单', 'Assign selected'],
  assignTo: ['分配给', 'Assign to'],
  assigned: ['已分配 {n} 个工单', '{n} cases assigned'],
  casePage: ['工单详情', 'Case'],
  back: ['返回', 'Back'],
  reload: ['刷新工单', 'Reload the case'],
  request: ['申请内容', 'Request'],
  order: ['订单', 'Order'],
  customer: ['客户', 'Customer'],
  items: ['商品', 'Items'],
  sku: ['SKU', 'SKU'],
  quantity: ['数量', 'Quantity'],
  unitPrice: ['单价', 'Unit price'],
  amount: ['金额', 'Amount'],
  orderTotal: ['订单金额', 'Order total'],
  reason: ['原因', 'Reason'],
  description: ['说明', 'Description'],
  evidence: ['凭证', 'Evidence'],
  noEvidence: ['无凭证', 'No evidence'],
  customerMessages: ['客户留言', "Customer's messages"],
  clocks: ['SLA 计时', 'SLA clocks'],
  budget: ['时限', 'Budget'],
  state: ['状态', 'State'],
  explanation: ['说明', 'In words'],
  escalationHistory: ['升级记录', 'Escalation history'],
  none: ['无', 'None'],
  shipments: ['物流', 'Shipments'],
  carrier: ['承运商', 'Carrier'],
  trackingNumber: ['运单号', 'Tracking number'],
  direction: ['方向', 'Direction'],
  parcel: ['包裹', 'Parcel'],
  updatedAt: ['更新时间', 'Updated'],
  returnLabel: ['退货面单', 'Return label'],
  returnLabelHint: ['请用此面单将商品寄回，寄出后在上方填写运单号。', 'Send the goods back with this label, then post the tracking number above.'],
  labelId: ['面单号', 'Label number'],
  warehouseCode: ['收货仓库', 'Receiving warehouse'],
  shipBy: ['最晚寄出时间', 'Ship by'],
  couponIssued: ['已发放优惠券：{amount}', 'Coupon issued: {amount}'],
  resolutionGiven: ['处理结果：{text}', 'Resolution: {text}'],
  refund: ['退款', 'Refund'],
  collections: ['待付款项', 'Payments asked'],
  timeline: ['时间线', 'Timeline'],
  when: ['时间', 'When'],
  who: ['操作人', 'Who'],
  what: ['事件', 'What'],
  temporalLink: ['在 Temporal UI 中查看此工单', 'Open this case in the Temporal UI'],
  actions: ['操作', 'Actions'],
  noActions: ['当前状态下没有可执行的操作。', 'Nothing to do in this state.'],
  submit: ['提交', 'Submit'],
  submitting: ['提交中…', 'Submitting…'],
  done: ['已完成：工单现在的状态是「{status}」。', 'Done: the case is now "{status}".'],
  note: ['备注', 'Note'],
  decision: ['决定', 'Decision'],
  approve: ['同意', 'Approve'],
  reject: ['拒绝', 'Reject'],
  requestInfo: ['要求补充信息', 'Request information'],
  humanDamage: ['人为损坏（保内维修改为付费）', 'Damaged by the customer (in-warranty repair becomes paid)'],
  reviewForm: ['审核', 'Review'],
  inspectionForm: ['质检', 'Inspection'],
  pass: ['通过', 'Pass'],
  fail: ['不通过', 'Fail'],
  refundAmountYuan: ['退款金额（元，部分退款时填写）', 'Refund amount (yuan, for a partial refund)'],
  repairForm: ['维修结果', 'Repair result'],
  repaired: ['已修复', 'Repaired'],
  unrepairable: ['无法修复', 'Unrepairable'],
  verified: ['已验证', 'Verified'],
  resolutionForm: ['处理结果', 'Resolution'],
  resolutionText: ['处理说明', 'How it was resolved'],
  outcome: ['结果', 'Outcome'],
  compensationKind: ['补偿方式', 'Compensation'],
  compensationAmountYuan: ['补偿金额（元）', 'Compensation amount (yuan)'],
  coupon: ['优惠券', 'Coupon'],
  assignForm: ['分配', 'Assign'],
  cancelForm: ['取消工单', 'Cancel the case'],
  cancel: ['取消工单', 'Cancel the case'],
  stockForm: ['缺货处理', 'Out of stock'],
  alternativeSku: ['替代商品 SKU', 'Alternative SKU'],
  chooseRefund: ['退款', 'Refund'],
  chooseAlternative: ['换其他商品', 'Another item'],
  customerInfoForm: ['补充信息', 'Answer the request for information'],
  message: ['留言', 'Message'],
  evidenceUrls: ['凭证链接（每行一个）', 'Evidence links (one per line)'],
  returnShipmentForm: ['填写退货运单', 'Post the return tracking number'],
  quoteForm: ['维修报价', 'Repair quote'],
  acceptQuote: ['接受报价', 'Accept the quote'],
  declineQuote: ['拒绝报价', 'Decline the quote'],
  confirmForm: ['确认收货', 'Confirm receipt'],
  confirmReceipt: ['我已收到', 'I received it'],
  surveyForm: ['满意度评价', 'Survey'],
  score: ['评分（1–5）', 'Score (1–5)'],
  comment: ['评价', 'Comment'],
  thanksSurvey: ['感谢您的评价：{score} 分。', 'Thank you for your answer: {score} of 5.'],
  nextStep: ['下一步', 'What next'],
  byWhen: ['截止 {when}', 'by {when}'],
  openCaseTitle: ['申请售后', 'Open an after-sales case'],
  orderId: ['订单号', 'Order number'],
  category: ['商品类目', 'Product category'],
  paidAt: ['付款日期', 'Paid on'],
  deliveredAt: ['签收日期（未签收请留空）', 'Delivered on (empty if not delivered)'],
  paymentMethod: ['付款方式', 'Payment method'],
  online: ['在线支付', 'Online'],
  cod: ['货到付款', 'Cash on delivery'],
  unitPriceYuan: ['单价（元）', 'Unit price (yuan)'],
  orderTotalYuan: ['订单金额（元）', 'Order total (yuan)'],
  packagingIntact: ['包装完好', 'Packaging intact'],
  windowDelivery: ['签收后 {days} 天内可申请', 'Can be opened within {days} days of delivery'],
  windowDeliveryIntact: ['签收后 {days} 天内无理由可申请；{intact} 天内需包装完好', 'Within {days} days of delivery for any reason; up to {intact} days with the packaging intact'],
  windowPurchase: ['付款后 {days} 天内可申请', 'Can be opened within {days} days of purchase'],
  windowWarranty: ['保修期：付款后 {months} 个月（过保为付费维修）', 'Warranty: {months} months from purchase (paid repair after that)'],
  windowNone: ['无申请期限', 'No time limit'],
  evidenceNeeded: ['此原因需要上传照片或视频凭证', 'This reason needs photo or video evidence'],
  customerPaysShipping: ['此原因的退货运费由您承担（{fee}）', 'For this reason you pay the return shipping ({fee})'],
  openCase: ['提交申请', 'Open the case'],
  notFound: ['找不到该工单（可能不存在，或不属于您）。', 'This case was not found (it does not exist, or it is not yours).'],
  reportTitle: ['SLA 与 KPI 报表', 'SLA and KPI report'],
  from: ['开始日期', 'From'],
  to: ['结束日期（不含）', 'To (exclusive)'],
  deliveredOrders: ['期间签收订单数（可选）', 'Orders delivered in the period (optional)'],
  show: ['查询', 'Show'],
  exportCsv: ['导出 CSV', 'Export CSV'],
  casesInRange: ['期间新建工单：{total}，已关闭：{closed}', 'Cases opened in the period: {total}, closed: {closed}'],
  onTimeRate: ['各计时准时率', 'On-time rate per clock'],
  breachesByClock: ['各环节超时次数', 'Breaches per stage'],
  breachesByAssignee: ['各处理人超时次数', 'Breaches per assignee'],
  handlingTime: ['处理时长（中位数）', 'Handling time (median)'],
  firstResponse: ['首次响应', 'First response'],
  satisfaction: ['满意度', 'Satisfaction'],
  noReasonRate: ['无理由退换货率', 'No-reason return and exchange rate'],
  surveys: ['评价数', 'Surveys'],
  meanScore: ['平均分', 'Mean score'],
  satisfiedRate: ['满意率（≥4 分）', 'Satisfied (score ≥ 4)'],
  withinTarget: ['时限内', 'Within target'],
  late: ['超时', 'Late'],
  count: ['数量', 'Count'],
  rate: ['比率', 'Rate'],
  unknownBase: ['未知（请填写签收订单数）', 'unknown (give the delivered orders)'],
  firstTimeResolution: ['一次解决率', 'First-time resolution'],
  errorGeneric: ['出错了：{message}', 'Something went wrong: {message}'],
  fieldProblem: ['字段 {field}：{message}', 'Field {field}: {message}'],
  apiSaid: ['系统说明：{message}', 'The system said: {message}'],
  timezoneNote: ['所有时间均为北京时间 (UTC+8)', 'All times are Beijing time (UTC+8)'],
  mustBeNumber: ['请输入数字', 'Enter a number'],
  deskNeedsApi: ['无法连接服务，请稍后重试。', 'The service cannot be reached; try again shortly.'],
} satisfies Record<string, Entry>;

/** A label key. */
export type LabelKey = keyof typeof LABELS;

const STATUSES: Record<string, Entry> = {
  awaiting_review: ['待审核', 'Awaiting review'],
  awaiting_customer_info: ['待客户补充信息', 'Awaiting information from the customer'],
  awaiting_return_shipment: ['待客户寄回', 'Awaiting the return parcel'],
  return_in_transit: ['退货运输中', 'Return in transit'],
  inspecting: ['质检中', 'Inspecting'],
  awaiting_stock_decision: ['缺货待选择', 'Out of stock: awaiting a choice'],
  shipping_replacement: ['换货发出中', 'Shipping the replacement'],
  awaiting_customer_confirmation: ['待客户确认收货', 'Awaiting confirmation of receipt'],
  awaiting_quote_acceptance: ['待客户确认报价', 'Awaiting acceptance of the quote'],
  awaiting_payment: ['待客户付款', 'Awaiting payment'],
  repairing: ['维修中', 'Repairing'],
  investigating: ['调查处理中', 'Investigating'],
  refunding: ['退款中', 'Refunding'],
  completed: ['已完成', 'Completed'],
  rejected: ['已拒绝', 'Rejected'],
  cancelled: ['已取消', 'Cancelled'],
  expired: ['已过期', 'Expired'],
};

const TYPES: Record<string, Entry> = {
  return: ['退货退款', 'Return'],
  exchange: ['换货', 'Exchange'],
  repair: ['维修', 'Repair'],
  complaint: ['投诉', 'Complaint'],
  refund_only: ['仅退款', 'Refund only'],
  reship: ['补发', 'Reship'],
  courier_exception: ['物流异常', 'Courier exception'],
};

const CLOCKS: Record<string, Entry> = {
  review: ['审核', 'Review'],
  processing: ['退货处理', 'Processing'],
  refund: ['退款', 'Refund'],
  reship: ['补发', 'Reship'],
  resolution: ['投诉处理', 'Resolution'],
  stock_contact: ['缺货联系', 'Stock contact'],
  return_shipment: ['客户寄回', 'Return shipment'],
  customer_info: ['客户补充信息', 'Customer information'],
  customer_confirmation: ['客户确认收货', 'Customer confirmation'],
  quote_acceptance: ['客户确认报价', 'Quote acceptance'],
  stock_decision: ['客户缺货选择', 'Stock decision'],
  investigation: ['物流调查', 'Investigation'],
  payment: ['客户付款', 'Payment'],
};

const CLOCK_STATES: Record<string, Entry> = {
  running: ['计时中', 'running'],
  paused: ['已暂停', 'paused'],
  met: ['已达成', 'met'],
  breached: ['已超时', 'breached'],
};

const REASONS: Record<string, Entry> = {
  no_reason: ['七天无理由', 'No reason (change of mind)'],
  quality_issue: ['质量问题', 'Quality issue'],
  not_as_described: ['与描述不符', 'Not as described'],
  wrong_item: ['发错商品', 'Wrong item'],
  size_fit: ['尺码不合适', 'Size or fit'],
  missing_parts: ['少件/缺配件', 'Missing parts'],
  damaged_in_transit: ['运输途中损坏', 'Damaged in transit'],
  not_received: ['未收到货', 'Not received'],
  other: ['其他', 'Other'],
};

const PRIORITIES: Record<string, Entry> = { normal: ['普通', 'normal'], high: ['高', 'high'], urgent: ['紧急', 'urgent'] };
const SHIPMENT_STATUSES: Record<string, Entry> = {
  label_created: ['已生成面单', 'label created'],
  shipped: ['已发出', 'shipped'],
  picked_up: ['已揽收', 'picked up'],
  in_transit: ['运输中', 'in transit'],
  delivered: ['已签收', 'delivered'],
  exception: ['异常', 'exception'],
};
const REFUND_STATUSES: Record<string, Entry> = {
  pending: ['待发起', 'pending'],
  requested: ['已发起', 'requested'],
  succeeded: ['已到账', 'paid back'],
  failed: ['失败', 'failed'],
  paid: ['已支付', 'paid'],
  unpaid: ['未支付', 'unpaid'],
};
// What a parcel is for: the customer's return, or why an outbound parcel ships.
const PARCELS: Record<string, Entry> = {
  return: ['退货寄回', 'Return to us'],
  outbound: ['发给客户', 'To the customer'],
  replacement: ['换货新品', 'Replacement'],
  reship: ['补发', 'Reship'],
  repair_return: ['维修后寄回', 'Repaired item back'],
  return_to_customer: ['原物退回', 'Goods sent back'],
};
// What a payment asked of the customer is for.
const COLLECTIONS: Record<string, Entry> = {
  repair_quote: ['维修费', 'Repair quote'],
  return_shipping: ['退货运费', 'Return shipping'],
  send_back_shipping: ['退回运费', 'Shipping the goods back'],
  price_difference: ['差价', 'Price difference'],
};
const ROLES: Record<string, Entry> = { customer: ['客户', 'customer'], agent: ['客服', 'agent'], supervisor: ['主管', 'supervisor'], admin: ['管理员', 'admin'] };

// Error codes of the API (docs/api.md "Errors"), in words a person can act on.
const ERRORS: Record<string, Entry> = {
  validation_failed: ['有字段填写不正确（见下方）。', 'Some fields are not right (see below).'],
  invalid_json: ['请求格式不正确。', 'The request was not valid JSON.'],
  invalid_input: ['内容不适用于此工单。', 'The content does not fit this case.'],
  invalid_body: ['请求内容不正确。', 'The request body is not right.'],
  unauthorized: ['登录已失效，请重新登录。', 'You are not signed in any more; sign in again.'],
  forbidden: ['您的角色无权执行此操作。', 'Your role may not do this.'],
  case_not_found: ['找不到该工单（可能不存在，或不属于您）。', 'This case was not found (it does not exist, or it is not yours).'],
  not_found: ['找不到该页面或接口。', 'Not found.'],
  duplicate_open_case: ['该订单商品已有一个未结的同类工单。', 'This order line already has an open case of this type.'],
  idempotency_key_reused: ['此操作已以不同内容提交过。', 'This action was already sent with different content.'],
  invalid_state: ['工单当前的状态不允许此操作（它可能已被他人处理）：请查看最新状态。', 'The case is not in a state that allows this any more (someone may have acted on it): see its current state.'],
  case_closed: ['工单已结束，不能再操作。', 'The case has ended; nothing more can be done on it.'],
  payload_too_large: ['内容过长。', 'The content is too long.'],
  unsupported_media_type: ['请求格式不受支持。', 'The request format is not supported.'],
  rate_limited: ['操作过于频繁，请稍后再试。', 'Too many requests; wait a moment and try again.'],
  temporal_unavailable: ['工单服务暂时不可用；操作可能稍后生效，请先刷新查看。', 'The case service is not answering; the action may still take effect, so reload before retrying.'],
  read_model_unavailable: ['数据暂时不可用，请稍后再试。', 'The data is not available right now; try again shortly.'],
  outside_return_window: ['已超过退货申请期限。', 'The return window is over.'],
  packaging_not_intact: ['超过无理由期限后，退货需包装完好。', 'After the no-reason period a return needs the packaging intact.'],
  outside_exchange_window: ['已超过换货申请期限。', 'The exchange window is over.'],
  outside_refund_only_window: ['已超过仅退款申请期限。', 'The refund-only window is over.'],
  outside_reship_window: ['已超过补发申请期限。', 'The reship window is over.'],
  outside_courier_exception_window: ['已超过物流异常申请期限。', 'The courier-exception window is over.'],
  delivered_use_courier_exception: ['订单已签收：未收到货请申请「物流异常」。', 'The order shows as delivered: for a parcel you did not get, open a courier exception.'],
  no_reason_excluded_category: ['该类目商品不支持无理由退换。', 'This product category cannot be returned or exchanged without a reason.'],
  not_delivered: ['订单尚未签收。', 'The order has not been delivered.'],
  evidence_required: ['此原因需要照片或视频凭证。', 'This reason needs photo or video evidence.'],
  reason_not_allowed_for_type: ['此类型不支持所选原因。', 'This type of case cannot be opened for that reason.'],
  amount_exceeds_order: ['申请金额超过订单金额。', 'The amount claimed is more than the order total.'],
  delivered_before_paid: ['签收时间早于付款时间。', 'The delivery is dated before the payment.'],
  delivery_in_the_future: ['签收时间在未来。', 'The delivery is dated in the future.'],
  nothing_refundable: ['该商品已无可退金额。', 'Nothing is left to pay back on this item.'],
  quantity_exceeds_remaining: ['申请数量超过可退数量。', 'More units are claimed than remain on the order line.'],
  network: ['无法连接服务，请稍后重试。', 'The service cannot be reached; try again shortly.'],
};

// A refusal of one command because the case moved on, said for that command.
const STATE_REFUSALS: Record<string, Entry> = {
  review: ['该工单已不在待审核状态（可能已被他人审核）。', 'The case is not waiting for a review any more (someone may have reviewed it).'],
  inspection: ['该工单已不在质检状态。', 'The case is not waiting for an inspection any more.'],
  'return-shipment': ['该工单已不在等待寄回状态。', 'The case is not waiting for the return parcel any more.'],
  survey: ['工单结束后才能评价，或已评价过。', 'The survey opens once the case has ended, and takes one answer.'],
  cancel: ['该工单已不能取消（例如货物已发出或退款处理中）。', 'The case cannot be cancelled any more (goods shipped or a payment in flight).'],
};

const TABLES = { status: STATUSES, type: TYPES, clock: CLOCKS, clockState: CLOCK_STATES, reason: REASONS, priority: PRIORITIES, shipment: SHIPMENT_STATUSES, parcel: PARCELS, collection: COLLECTIONS, refund: REFUND_STATUSES, role: ROLES, error: ERRORS, stateRefusal: STATE_REFUSALS };
/** A table of code names. */
export type CodeTable = keyof typeof TABLES;

/** The translation functions of one language. */
export interface Translator {
  lang: Lang;
  t: (key: LabelKey, values?: Record<string, string | number>) => string;
  /** A code (status, type, clock, error …) in words; an unknown code is shown as it is. */
  code: (table: CodeTable, value: string) => string;
  has: (table: CodeTable, value: string) => boolean;
}

/** The translator of `lang`. */
export function translator(lang: Lang): Translator {
  const index = lang === 'zh-CN' ? 0 : 1;
  return {
    lang,
    t: (key, values = {}) => LABELS[key][index].replace(/\{(\w+)\}/g, (_m, name: string) => String(values[name] ?? `{${name}}`)),
    code: (table, value) => TABLES[table][value]?.[index] ?? value,
    has: (table, value) => TABLES[table][value] !== undefined,
  };
}

/** Every code of a table, for checks and selects. */
export function codes(table: CodeTable): string[] {
  return Object.keys(TABLES[table]);
}

/** The translator of the page (set by App). */
export const I18nContext = createContext<Translator>(translator('zh-CN'));
/** The translator of the page. */
export const useI18n = (): Translator => useContext(I18nContext);
