import express, { Router, type Response } from 'express';
import type { Logger } from 'pino';
import { beijingDateTime } from '../domain/beijing-time';
import { signCallback, signQuery, type Kuaidi100TraceEntry } from '../integrations/kuaidi100.protocol';
import type { TimerSet } from './timer-set';

/** The customer id the sandbox's Kuaidi100 expects on real-time queries (the key is the sandbox API key). */
export const SANDBOX_KUAIDI100_CUSTOMER = 'dev-sandbox-customer';

/** The account the sandbox's Kuaidi100 accepts. */
export interface SandboxKuaidi100Options {
  key: string;
  customer: string;
  /** Delay before each scan of a subscribed parcel is pushed. */
  stepMs: number;
  timers: TimerSet;
  logger: Logger;
}

/** One subscribed parcel and what has been pushed of it (shown by `GET /kuaidi100/subscriptions`). */
export interface SandboxKuaidi100Subscription {
  company: string;
  number: string;
  callbackUrl: string;
  /** Kuaidi100 signs a push only when the subscription gave a salt. */
  salt?: string;
  /** Current state code. */
  state: string;
  /** Newest first, as Kuaidi100 sends it. */
  data: Kuaidi100TraceEntry[];
  pushes: { state: string; httpStatus?: number; acknowledged: boolean }[];
}

/** A parcel's journey as Kuaidi100 state codes with a courier's words; a number ending in LOST gets stuck (疑难). */
const JOURNEY: readonly { state: string; name: string; context: string }[] = [
  { state: '1', name: '揽收', context: '【深圳市】快件已揽收' },
  { state: '0', name: '在途', context: '【深圳转运中心】已发出，下一站【退货仓】' },
  { state: '5', name: '派件', context: '【退货仓】快递员正在派件' },
  { state: '3', name: '签收', context: '【退货仓】已签收，签收人：仓库' },
];
const STUCK = { state: '2', name: '疑难', context: '【深圳转运中心】快件异常，联系不上收件方' };

const ATTEMPTS = 3;
const RETRY_DELAY_MS = 250;
const ATTEMPT_TIMEOUT_MS = 5000;

/**
 * Kuaidi100 as the sandbox plays it, on its own wire protocol: `POST /poll` subscribes (key checked,
 * 600 for a bad one, 501 for a repeat), `POST /poll/query.do` answers the trace (sign checked, 503
 * for a bad one), and every scan of a subscribed parcel is pushed as a signed form post to its callback URL.
 */
export function kuaidi100Routes(options: SandboxKuaidi100Options): { router: Router; clear(): void } {
  const subscriptions = new Map<string, SandboxKuaidi100Subscription>();
  let generation = 0;
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '64kb', type: () => true }));

  router.post('/poll', (req, res) => {
    const param = decodeParam(req.body);
    if (!param) return refuse(res, '700', '订阅方的订阅数据存在错误');
    if (param.key !== options.key) return refuse(res, '600', '您不是合法的订阅者（即授权Key出错）');
    const parameters = typeof param.parameters === 'object' && param.parameters !== null ? (param.parameters as Record<string, unknown>) : {};
    const { company, number } = param;
    const callbackUrl = parameters.callbackurl;
    if (typeof company !== 'string' || !company || typeof number !== 'string' || !number || number.length > 32 || typeof callbackUrl !== 'string' || !/^https?:\/\//.test(callbackUrl)) {
      return refuse(res, '700', '订阅方的订阅数据存在错误（如不支持的快递公司、单号为空、单号超长等）或错误的回调地址');
    }
    if (subscriptions.has(number)) return refuse(res, '501', '重复订阅');
    const salt = typeof parameters.salt === 'string' ? parameters.salt : undefined;
    const subscription: SandboxKuaidi100Subscription = { company, number, callbackUrl, salt, state: '', data: [], pushes: [] };
    subscriptions.set(number, subscription);
    const journey = number.toUpperCase().endsWith('LOST') ? [...JOURNEY.slice(0, 2), STUCK] : JOURNEY;
    play(subscription, journey, generation);
    res.json({ result: true, returnCode: '200', message: '提交成功' });
  });

  router.post('/poll/query.do', (req, res) => {
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const { customer, sign, param } = body;
    if (typeof customer !== 'string' || typeof sign !== 'string' || typeof param !== 'string') return refuse(res, '400', '提交的数据不完整');
    const expected = signQuery(param, options.key, options.customer);
    if (customer !== options.customer || sign.toUpperCase() !== expected) return refuse(res, '503', '验证签名失败');
    const query = decodeParam({ param });
    if (!query || typeof query.num !== 'string' || typeof query.com !== 'string') return refuse(res, '400', '提交的数据不完整');
    const subscription = subscriptions.get(query.num);
    if (!subscription || subscription.data.length === 0) return refuse(res, '500', '查询无结果，请隔段时间再查');
    res.json({ message: 'ok', status: '200', condition: 'F00', ...trace(subscription) });
  });

  router.get('/subscriptions', (_req, res) => {
    res.json({ subscriptions: [...subscriptions.values()] });
  });

  /** Scans go out one after another, each only once the previous push was acknowledged or given up. */
  function play(subscription: SandboxKuaidi100Subscription, remaining: readonly (typeof JOURNEY)[number][], started: number): void {
    const [step, ...rest] = remaining;
    if (!step) return;
    options.timers.after(options.stepMs, () => {
      if (started !== generation) return;
      subscription.state = step.state;
      subscription.data.unshift({ time: beijingNow(), ftime: beijingNow(), context: step.context, status: step.name });
      void push(subscription, rest.length === 0 && step.state === '3' ? 'shutdown' : 'polling', started).then(() => play(subscription, rest, started));
    });
  }

  async function push(subscription: SandboxKuaidi100Subscription, status: string, started: number): Promise<void> {
    const param = JSON.stringify({ status, billstatus: '', message: '', lastResult: { message: 'ok', status: '200', condition: 'F00', ...trace(subscription) } });
    const form = new URLSearchParams({ param, ...(subscription.salt !== undefined ? { sign: signCallback(param, subscription.salt) } : {}) });
    const record: SandboxKuaidi100Subscription['pushes'][number] = { state: subscription.state, acknowledged: false };
    subscription.pushes.push(record);
    for (let attempt = 1; attempt <= ATTEMPTS && started === generation && !options.timers.isClosed; attempt++) {
      try {
        const res = await fetch(subscription.callbackUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
        record.httpStatus = res.status;
        const answer = (await res.json().catch(() => null)) as { result?: unknown } | null;
        // Kuaidi100 counts a push as received only when the answer says result true.
        if (res.ok && answer?.result === true) {
          record.acknowledged = true;
          return;
        }
      } catch {
        // Network trouble: tried again below, like a refused push.
      }
      if (attempt < ATTEMPTS) await new Promise<void>((resolve) => options.timers.after(RETRY_DELAY_MS * attempt, resolve));
    }
    options.logger.warn({ trackingNumber: subscription.number, state: subscription.state }, 'kuaidi100 push not acknowledged, giving up');
  }

  return {
    router,
    clear: () => {
      generation += 1;
      subscriptions.clear();
    },
  };
}

function trace(subscription: SandboxKuaidi100Subscription) {
  return {
    state: subscription.state,
    ischeck: subscription.state === '3' ? '1' : '0',
    com: subscription.company,
    nu: subscription.number,
    data: subscription.data,
  };
}

/** The `param` form field as a JSON object, or null. */
function decodeParam(body: unknown): Record<string, unknown> | null {
  const param = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).param : undefined;
  if (typeof param !== 'string') return null;
  try {
    const value: unknown = JSON.parse(param);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Kuaidi100 answers a refusal with HTTP 200 and a returnCode. */
function refuse(res: Response, returnCode: string, message: string): void {
  res.json({ result: false, returnCode, message });
}

/** Now in Beijing time, `yyyy-MM-dd HH:mm:ss`, the way Kuaidi100 writes times. */
function beijingNow(): string {
  return beijingDateTime(Date.now());
}
