import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { actorOf, bearerToken, TokenRegistry, TokensFileError } from '../../api/auth';
import { caseIdForIdempotencyKey, CASE_ID_PATTERN, randomCaseId } from '../../api/case-id';

describe('bearer tokens', () => {
  const registry = new TokenRegistry({
    tokens: [
      { token: 'customer-token-1', role: 'customer', customerId: 'c-1' },
      { token: 'agent-token-1', role: 'agent', name: 'li.wei' },
    ],
  });

  it('maps a token to its role and whom it stands for', () => {
    expect(registry.lookup('customer-token-1')).toEqual({ role: 'customer', customerId: 'c-1', name: undefined });
    expect(registry.lookup('agent-token-1')).toMatchObject({ role: 'agent', name: 'li.wei' });
    expect(registry.lookup('nobody-token')).toBeUndefined();
  });

  it('records customers by customerId and staff by name on the timeline', () => {
    expect(actorOf({ role: 'customer', customerId: 'c-1' })).toEqual({ kind: 'customer', id: 'c-1' });
    expect(actorOf({ role: 'supervisor', name: 'zhang.min' })).toEqual({ kind: 'supervisor', id: 'zhang.min' });
  });

  it('reads the Authorization header', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('refuses a tokens file with a customer without customerId, a nameless staff token, an unknown role or a repeated token', () => {
    const bad = (tokens: unknown[]) => () => new TokenRegistry({ tokens });
    expect(bad([{ token: 'customer-token-1', role: 'customer' }])).toThrow(/tokens\.0\.customerId/);
    expect(bad([{ token: 'agent-token-1', role: 'agent' }])).toThrow(/tokens\.0\.name/);
    expect(bad([{ token: 'agent-token-1', role: 'root', name: 'x' }])).toThrow(/tokens\.0\.role/);
    const repeated = { token: 'agent-token-1', role: 'agent', name: 'x' };
    expect(bad([repeated, repeated])).toThrow(/tokens\.1\.token: the same token appears twice/);
  });

  it('reloads from a file and keeps the old tokens when the new file is bad', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-auth-'));
    const file = path.join(dir, 'tokens.json');
    fs.writeFileSync(file, JSON.stringify({ tokens: [{ token: 'admin-token-1', role: 'admin', name: 'root' }] }));
    const fromFile = TokenRegistry.fromFile(file);
    expect(fromFile.lookup('admin-token-1')?.role).toBe('admin');
    fs.writeFileSync(file, '{ not json');
    expect(() => fromFile.reloadFrom(file)).toThrow(TokensFileError);
    expect(fromFile.lookup('admin-token-1')?.role).toBe('admin');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('case ids', () => {
  it('derives the same id from the same customer and Idempotency-Key', () => {
    const id = caseIdForIdempotencyKey('c-1', 'order-1001-return');
    expect(id).toMatch(CASE_ID_PATTERN);
    expect(caseIdForIdempotencyKey('c-1', 'order-1001-return')).toBe(id);
  });

  it('scopes keys per customer', () => {
    expect(caseIdForIdempotencyKey('c-2', 'order-1001-return')).not.toBe(caseIdForIdempotencyKey('c-1', 'order-1001-return'));
    expect(caseIdForIdempotencyKey('c-12', 'k')).not.toBe(caseIdForIdempotencyKey('c-1', '2k'));
  });

  it('gives a random id in the same format without a key', () => {
    const a = randomCaseId();
    expect(a).toMatch(CASE_ID_PATTERN);
    expect(randomCaseId()).not.toBe(a);
  });
});
