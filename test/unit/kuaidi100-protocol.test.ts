import { ConfigError, loadConfig } from '../../config/env';
import {
  beijingTimeToIso,
  kuaidi100Company,
  KUAIDI100_STATES,
  signCallback,
  signQuery,
  traceToCourierEvents,
  trackingEventOf,
  verifyCallbackSign,
  type Kuaidi100Trace,
} from '../../integrations/kuaidi100.protocol';

// Kuaidi100 signs with an uppercase hex MD5 of plain concatenations. The digests below are the
// MD5 test suite of RFC 1321 (MD5("message digest"), MD5("abc")), so a wrong order of the parts,
// a missing upper-casing or another digest fails here, independently of our own code.
const RFC1321_MESSAGE_DIGEST = 'F96B697D7CB7938D525A2F31AAF161D0';
const RFC1321_ABC = '900150983CD24FB0D6963F7D28E17F72';

describe('Kuaidi100 signatures', () => {
  test('a callback sign is the uppercase MD5 of param followed by the salt', () => {
    expect(signCallback('message', ' digest')).toBe(RFC1321_MESSAGE_DIGEST);
  });

  test('a query sign is the uppercase MD5 of param, key and customer, in that order', () => {
    expect(signQuery('a', 'b', 'c')).toBe(RFC1321_ABC);
    expect(signQuery('c', 'b', 'a')).not.toBe(RFC1321_ABC);
  });

  test('a callback signed with our salt is accepted, in upper or lower case', () => {
    const param = JSON.stringify({ status: 'polling', lastResult: { state: '0', nu: 'SF1', data: [] } });
    const sign = signCallback(param, 'our-salt-123');
    expect(verifyCallbackSign(param, sign, 'our-salt-123')).toBe(true);
    expect(verifyCallbackSign(param, sign.toLowerCase(), 'our-salt-123')).toBe(true);
  });

  test('a forged callback is refused: another salt, a changed param, a missing or malformed sign', () => {
    const param = JSON.stringify({ status: 'polling', lastResult: { state: '3', nu: 'SF1', data: [] } });
    const sign = signCallback(param, 'our-salt-123');
    expect(verifyCallbackSign(param, signCallback(param, 'their-salt'), 'our-salt-123')).toBe(false);
    expect(verifyCallbackSign(param.replace('"3"', '"0"'), sign, 'our-salt-123')).toBe(false);
    expect(verifyCallbackSign(param, undefined, 'our-salt-123')).toBe(false);
    expect(verifyCallbackSign(param, `${sign}00`, 'our-salt-123')).toBe(false);
    expect(verifyCallbackSign(param, 'not-hex-at-all', 'our-salt-123')).toBe(false);
  });
});

describe('Kuaidi100 states and carriers', () => {
  test.each([
    ['0', '在途', 'in_transit'],
    ['1', '揽收', 'picked_up'],
    ['2', '疑难', 'exception'],
    ['3', '签收', 'delivered'],
    ['4', '退签', 'exception'],
    ['5', '派件', 'in_transit'],
    ['6', '退回', 'exception'],
    ['7', '转投', 'in_transit'],
    ['8', '清关', 'in_transit'],
    ['13', '清关异常', 'exception'],
    ['14', '拒签', 'exception'],
  ])('state %s (%s) is our %s, by code and by name', (code, name, event) => {
    expect({ byCode: trackingEventOf(code), byName: trackingEventOf(name) }).toEqual({ byCode: event, byName: event });
  });

  test('every state of the table maps by its code, and an unknown state maps to nothing', () => {
    expect(KUAIDI100_STATES.filter((s) => trackingEventOf(s.code) !== s.event)).toEqual([]);
    expect(trackingEventOf('99')).toBeNull();
    expect(trackingEventOf('未知')).toBeNull();
    expect(trackingEventOf(undefined)).toBeNull();
  });

  test('our carrier codes become Kuaidi100 company codes', () => {
    expect(['SF', 'YTO', 'ZTO', 'JD', 'EMS', 'sf'].map(kuaidi100Company)).toEqual(['shunfeng', 'yuantong', 'zhongtong', 'jd', 'ems', 'shunfeng']);
    expect(kuaidi100Company('YUNDA')).toBe('yunda');
  });

  test('Kuaidi100 times are Beijing time', () => {
    expect(beijingTimeToIso('2026-03-01 08:00:00')).toBe('2026-03-01T00:00:00.000Z');
    expect(beijingTimeToIso('yesterday')).toBeNull();
  });
});

describe('a Kuaidi100 trace as our courier events', () => {
  const trace: Kuaidi100Trace = {
    state: '3',
    ischeck: '1',
    com: 'shunfeng',
    nu: 'SF1234567890',
    // Newest first, as Kuaidi100 sends it.
    data: [
      { time: '2026-03-03 10:00:00', context: '已签收，签收人：仓库', status: '签收' },
      { time: '2026-03-02 20:00:00', context: '快件到达【深圳转运中心】' },
      { time: '2026-03-02 09:00:00', context: '快件已揽收', status: '揽收' },
    ],
  };

  test('every scan becomes an event, oldest first, with the courier text as its detail', () => {
    const events = traceToCourierEvents(trace);
    expect(events.map((e) => [e.event, e.at, e.detail])).toEqual([
      ['picked_up', '2026-03-02T01:00:00.000Z', '快件已揽收'],
      ['in_transit', '2026-03-02T12:00:00.000Z', '快件到达【深圳转运中心】'],
      ['delivered', '2026-03-03T02:00:00.000Z', '已签收，签收人：仓库'],
    ]);
    expect(events.every((e) => e.trackingNumber === 'SF1234567890')).toBe(true);
  });

  test('the same scan pushed again has the same event id, so the case drops the repeat', () => {
    const first = traceToCourierEvents(trace).map((e) => e.eventId);
    const again = traceToCourierEvents({ ...trace, data: trace.data.map((d) => ({ ...d })) }).map((e) => e.eventId);
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(3);
  });

  test('without an own state, the newest scan takes the parcel state; a scan with an unreadable time is left out', () => {
    const events = traceToCourierEvents({
      state: '2',
      nu: 'YT1',
      data: [
        { time: '2026-03-04 10:00:00', context: '联系不上收件人' },
        { time: 'garbled', context: '?' },
      ],
    });
    expect(events.map((e) => e.event)).toEqual(['exception']);
  });
});

describe('COURIER_TRACKING_PROVIDER configuration', () => {
  const complete = {
    COURIER_TRACKING_PROVIDER: 'kuaidi100',
    KUAIDI100_KEY: 'key',
    KUAIDI100_CUSTOMER: 'customer',
    KUAIDI100_SALT: 'salt-of-8-or-more',
    KUAIDI100_CALLBACK_URL: 'https://shop.example/v1/webhooks/kuaidi100',
  };

  test('the default is the sandbox, which needs no Kuaidi100 credential', () => {
    const config = loadConfig({});
    expect(config.courier.tracking.provider).toBe('sandbox');
  });

  test('kuaidi100 with every variable set is accepted, with Kuaidi100\'s production host as the default', () => {
    expect(loadConfig(complete).courier.tracking.provider).toBe('kuaidi100');
    expect(loadConfig(complete).courier.tracking).toMatchObject({ baseUrl: 'https://poll.kuaidi100.com' });
  });

  test.each(['KUAIDI100_KEY', 'KUAIDI100_CUSTOMER', 'KUAIDI100_SALT', 'KUAIDI100_CALLBACK_URL'])('kuaidi100 without %s stops the start with a message naming it', (name) => {
    const env: Record<string, string> = { ...complete, [name]: '' };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`${name}: required when COURIER_TRACKING_PROVIDER=kuaidi100`));
  });
});
