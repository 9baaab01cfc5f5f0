import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { defaultPolicy, type Policy } from '../domain/policy';
import { parsePolicy, PolicyError } from '../domain/policy.schema';

/**
 * Loads the policy document named by POLICY_FILE: JSON (`.json`) or YAML (`.yaml`, `.yml`; any
 * other extension is read as YAML, which also accepts JSON). Fields the file omits take the
 * built-in defaults (docs/business-rules.md); no file at all means the default policy. A bad file throws a
 * PolicyError naming the file and every offending field.
 */
export function loadPolicyFile(file: string | undefined): Policy {
  // The default is plain data in domain/policy.ts; validating it here checks the shipped calendar at start.
  if (file === undefined || file === '') return parsePolicy(defaultPolicy());
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyError(`cannot read policy file ${file}: ${(error as Error).message}`);
  }
  const document = parseDocument(file, text);
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new PolicyError(`policy file ${file}: (root): expected an object with at least a "version"`);
  }
  if (!('version' in document)) {
    // Without its own version a changed policy would be indistinguishable from the default on every case.
    throw new PolicyError(`policy file ${file}: version: required (cases record the policy version they started with)`);
  }
  try {
    return parsePolicy(document);
  } catch (error) {
    if (error instanceof PolicyError) throw new PolicyError(`policy file ${file}: ${error.message}`);
    throw error;
  }
}

function parseDocument(file: string, text: string): unknown {
  const extension = path.extname(file).toLowerCase();
  try {
    if (extension === '.json') return JSON.parse(text);
    const doc = YAML.parseDocument(text, { prettyErrors: true });
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS();
  } catch (error) {
    const kind = extension === '.json' ? 'JSON' : 'YAML';
    throw new PolicyError(`policy file ${file} is not valid ${kind}: ${(error as Error).message}`);
  }
}
