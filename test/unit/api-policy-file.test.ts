import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PolicyProvider } from '../../api/policy-provider';
import { loadPolicyFile } from '../../config/policy-file';
import { defaultPolicy } from '../../domain/policy';
import { PolicyError } from '../../domain/policy.schema';

describe('policy file', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-policy-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('is the default policy (docs/business-rules.md) when no file is configured', () => {
    expect(loadPolicyFile(undefined)).toEqual(defaultPolicy());
  });

  it('reads JSON, with omitted fields taking the defaults', () => {
    const policy = loadPolicyFile(write('p.json', JSON.stringify({ version: 'fast-1', sla: { review: '30s' } })));
    expect(policy.version).toBe('fast-1');
    expect(policy.sla.review).toBe('30s');
    expect(policy.sla.processing).toBe(defaultPolicy().sla.processing);
  });

  it('reads YAML, including working-day budgets', () => {
    const policy = loadPolicyFile(write('p.yaml', 'version: yaml-1\nsla:\n  refundCod:\n    workingDays: 5\neligibility:\n  noReasonReturnDays: 10\n'));
    expect(policy.sla.refundCod).toEqual({ workingDays: 5 });
    expect(policy.eligibility.noReasonReturnDays).toBe(10);
  });

  it('names the file and every bad field', () => {
    const file = write('bad.json', JSON.stringify({ version: 'x', sla: { review: 'soon' }, escalation: { warningFraction: 2 } }));
    expect(() => loadPolicyFile(file)).toThrow(PolicyError);
    expect(() => loadPolicyFile(file)).toThrow(/bad\.json.*sla\.review.*escalation\.warningFraction/);
  });

  it('refuses a file without a version, unreadable files and broken syntax', () => {
    expect(() => loadPolicyFile(write('nov.json', '{"sla": {}}'))).toThrow(/version: required/);
    expect(() => loadPolicyFile(path.join(dir, 'missing.json'))).toThrow(/cannot read policy file/);
    expect(() => loadPolicyFile(write('broken.json', '{"version": '))).toThrow(/not valid JSON/);
    expect(() => loadPolicyFile(write('broken.yaml', 'version: [a\n'))).toThrow(/not valid YAML/);
  });

  it('reloads into the provider, and a bad file leaves the policy in force', () => {
    const file = write('p.json', JSON.stringify({ version: 'v1' }));
    const provider = new PolicyProvider(file);
    expect(provider.current().version).toBe('v1');
    fs.writeFileSync(file, JSON.stringify({ version: 'v2' }));
    expect(provider.reload()).toMatchObject({ previousVersion: 'v1', version: 'v2' });
    fs.writeFileSync(file, JSON.stringify({ version: 'v3', sla: { review: 'never' } }));
    expect(() => provider.reload()).toThrow(/sla\.review/);
    expect(provider.current().version).toBe('v2');
  });
});
