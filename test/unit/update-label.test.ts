import { updateLabel } from '../../domain/update-label';

const agent = { kind: 'agent' as const, id: 'li.wei' };
const customer = { kind: 'customer' as const, id: 'c-1' };

describe('updateLabel: who did what, readable in the history without decoding', () => {
  test('an agent approving a review reads "agent li.wei: review approve"', () => {
    expect(updateLabel('review', { actor: agent, decision: 'approve', note: 'looks fine' })).toBe('agent li.wei: review approve');
  });

  test('each command shows its decision codes and amounts', () => {
    expect(updateLabel('review', { actor: agent, decision: 'reject', humanDamage: true })).toBe('agent li.wei: review reject human_damage');
    expect(updateLabel('inspection', { actor: { kind: 'agent', id: 'wang.fang' }, result: 'pass', refundAmount: 3000 })).toBe('agent wang.fang: inspection pass refund 3000');
    expect(updateLabel('quote', { actor: customer, accept: false })).toBe('customer c-1: quote decline');
    expect(updateLabel('repairResult', { actor: agent, outcome: 'repaired', verified: true })).toBe('agent li.wei: repairResult repaired verified');
    expect(updateLabel('stockDecision', { actor: customer, decision: 'alternative', sku: 'TV-2' })).toBe('customer c-1: stockDecision alternative TV-2');
    expect(updateLabel('assign', { actor: { kind: 'supervisor', id: 'zhang.min' }, assignee: 'chen.jing' })).toBe('supervisor zhang.min: assign chen.jing');
    expect(updateLabel('confirmReceipt', { actor: customer })).toBe('customer c-1: confirmReceipt');
  });

  test('free text never shows: notes, messages, resolutions, cancel reasons, tracking numbers, survey comments', () => {
    const secret = 'Zhang San 13800138000';
    const labels = [
      updateLabel('review', { actor: agent, decision: 'request_info', note: secret }),
      updateLabel('customerInfo', { actor: customer, message: secret, evidence: ['https://x/y.jpg'] }),
      updateLabel('resolution', { actor: agent, resolution: secret, outcome: 'reship', compensation: { kind: 'coupon', amount: 2000 } }),
      updateLabel('cancel', { actor: customer, note: secret }),
      updateLabel('returnShipment', { actor: customer, carrier: 'SF', trackingNumber: 'SF1234567890' }),
      updateLabel('survey', { actor: customer, score: 2, comment: secret }),
    ];
    expect(labels).toEqual([
      'agent li.wei: review request_info',
      'customer c-1: customerInfo',
      'agent li.wei: resolution reship coupon 2000',
      'customer c-1: cancel',
      'customer c-1: returnShipment SF',
      'customer c-1: survey',
    ]);
  });

  test('an actor id or a code that is not a plain code (an e-mail address, text with spaces) is left out', () => {
    expect(updateLabel('review', { actor: { kind: 'agent', id: 'li.wei@shop.example' }, decision: 'approve' })).toBe('agent: review approve');
    expect(updateLabel('assign', { actor: { kind: 'supervisor', id: 'zhang.min' }, assignee: 'Chen Jing' })).toBe('supervisor zhang.min: assign');
    expect(updateLabel('stockDecision', { actor: customer, decision: 'alternative', sku: 'TV 2 (blue)' })).toBe('customer c-1: stockDecision alternative');
  });
});
