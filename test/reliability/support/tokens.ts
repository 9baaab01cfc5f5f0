import { randomBytes } from 'node:crypto';
import fs from 'node:fs';

// The stack's own tokens file. The API allows 600 requests a minute per token, so every case
// of a scenario gets its own customer (and token), and pollers and fuzzers spread their
// requests over pools of staff tokens: a 429 then always means a real problem.

const POOL = 200;

/** The bearer tokens of a reliability stack. */
export interface StackTokens {
  /** The tokens file given to the API (API_TOKENS_FILE). */
  file: string;
  /** Agent `li.wei` (customer service: reviews). */
  agent: string;
  /** Agent `wang.fang` (warehouse: inspections). */
  warehouse: string;
  supervisor: string;
  admin: string;
  /** Customer `rc-<i>` and its token (i in 0..199). */
  customer(i: number): { customerId: string; token: string };
  /** Agent `reader-<i>`, for polling and fuzzing (i in 0..199). */
  reader(i: number): string;
  /** Supervisor `sup-<i>` (i in 0..199). */
  supervisorN(i: number): string;
}

/** Writes a tokens file with the staff tokens and pools of customers, agents and supervisors. */
export function writeTokensFile(file: string): StackTokens {
  const secret = () => randomBytes(12).toString('hex');
  const staff = {
    agent: `rel-agent-${secret()}`,
    warehouse: `rel-warehouse-${secret()}`,
    supervisor: `rel-supervisor-${secret()}`,
    admin: `rel-admin-${secret()}`,
  };
  const customers = Array.from({ length: POOL }, (_, i) => ({ customerId: `rc-${i}`, token: `rel-customer-${i}-${secret()}` }));
  const readers = Array.from({ length: POOL }, (_, i) => `rel-reader-${i}-${secret()}`);
  const supervisors = Array.from({ length: POOL }, (_, i) => `rel-sup-${i}-${secret()}`);
  const entries = [
    { token: staff.agent, role: 'agent', name: 'li.wei' },
    { token: staff.warehouse, role: 'agent', name: 'wang.fang' },
    { token: staff.supervisor, role: 'supervisor', name: 'zhang.min' },
    { token: staff.admin, role: 'admin', name: 'admin' },
    ...customers.map((c) => ({ token: c.token, role: 'customer', customerId: c.customerId })),
    ...readers.map((token, i) => ({ token, role: 'agent', name: `reader-${i}` })),
    ...supervisors.map((token, i) => ({ token, role: 'supervisor', name: `sup-${i}` })),
  ];
  fs.writeFileSync(file, `${JSON.stringify({ tokens: entries }, null, 2)}\n`);
  const pick = <T>(pool: T[], i: number, what: string): T => {
    const value = pool[i];
    if (value === undefined) throw new Error(`the tokens file has ${pool.length} ${what} tokens; asked for #${i}`);
    return value;
  };
  return {
    file,
    ...staff,
    customer: (i) => pick(customers, i, 'customer'),
    reader: (i) => pick(readers, i, 'reader'),
    supervisorN: (i) => pick(supervisors, i, 'supervisor'),
  };
}
