import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from '../../integrations/webhook-signature';

const secret = 'whsec-test-secret';
const body = JSON.stringify({ eventId: 'evt_1', refundId: 're_1', status: 'succeeded' });
const now = 1_800_000_000;

describe('provider callback signatures', () => {
  it('signs as t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">', () => {
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(signWebhook(body, secret, now)).toBe(`t=${now},v1=${expected}`);
  });

  it('accepts a callback signed with the shared secret', () => {
    expect(verifyWebhook(signWebhook(body, secret, now), body, secret, now)).toEqual({ ok: true });
  });

  it('accepts a callback up to 5 minutes old', () => {
    expect(verifyWebhook(signWebhook(body, secret, now - 300), body, secret, now)).toEqual({ ok: true });
  });

  it('refuses a body changed after signing', () => {
    const header = signWebhook(body, secret, now);
    expect(verifyWebhook(header, body.replace('succeeded', 'failed'), secret, now)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature made with another secret', () => {
    expect(verifyWebhook(signWebhook(body, 'another-secret', now), body, secret, now)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature whose timestamp was changed (replay with a fresh t)', () => {
    const forged = signWebhook(body, secret, now - 3600).replace(`t=${now - 3600}`, `t=${now}`);
    expect(verifyWebhook(forged, body, secret, now)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses an authentic callback more than 5 minutes old as expired', () => {
    expect(verifyWebhook(signWebhook(body, secret, now - 301), body, secret, now)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses an authentic callback dated more than the clock skew ahead as future, not as expired', () => {
    expect(verifyWebhook(signWebhook(body, secret, now + 61), body, secret, now)).toEqual({ ok: false, reason: 'future' });
    expect(verifyWebhook(signWebhook(body, secret, now + 200), body, secret, now)).toEqual({ ok: false, reason: 'future' });
  });

  it('accepts a callback dated up to 60 s ahead (the provider clock may run a little fast)', () => {
    expect(verifyWebhook(signWebhook(body, secret, now + 60), body, secret, now)).toEqual({ ok: true });
  });

  it('verifies the exact bytes, so a body that is not valid UTF-8 still verifies when signed as sent', () => {
    const bytes = Buffer.concat([Buffer.from('{"eventId":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    expect(verifyWebhook(signWebhook(bytes, secret, now), bytes, secret, now)).toEqual({ ok: true });
    // Decoding first turns 0xff into U+FFFD: those are other bytes, and their signature does not match.
    expect(verifyWebhook(signWebhook(bytes, secret, now), bytes.toString('utf8'), secret, now)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('signs a string as its UTF-8 bytes', () => {
    const text = '{"detail":"签收"}';
    expect(signWebhook(text, secret, now)).toBe(signWebhook(Buffer.from(text, 'utf8'), secret, now));
  });

  it('honours a custom tolerance', () => {
    expect(verifyWebhook(signWebhook(body, secret, now - 20), body, secret, now, 10)).toEqual({ ok: false, reason: 'expired' });
  });

  it.each([undefined, '', '   '])('reports a missing header (%p) as missing', (header) => {
    expect(verifyWebhook(header, body, secret, now)).toEqual({ ok: false, reason: 'missing' });
  });

  it.each([
    ['no v1', `t=${now}`],
    ['no t', `v1=${'a'.repeat(64)}`],
    ['a non-numeric t', `t=soon,v1=${'a'.repeat(64)}`],
    ['a v1 that is not a SHA-256 hex digest', `t=${now},v1=xyz`],
    ['no key=value pairs', 'garbage'],
  ])('reports a header with %s as malformed', (_what, header) => {
    expect(verifyWebhook(header, body, secret, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts any matching v1 among several (secret rotation)', () => {
    const good = signWebhook(body, secret, now).split(',v1=')[1];
    expect(verifyWebhook(`t=${now},v1=${'0'.repeat(64)},v1=${good}`, body, secret, now)).toEqual({ ok: true });
  });
});
