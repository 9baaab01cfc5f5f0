import fs from 'node:fs';
import type { ProcessGroup } from '../../../scripts/stack/managed-process';
import { startIntegrationStack } from './integration-stack';
import { STACK_ENV, STACK_FILE } from './stack-file';

/** Handed from the global setup to the global teardown (same Jest parent process). */
export interface RunningIntegrationStack {
  group: ProcessGroup;
  dir: string;
}

declare global {
  var __aftersalesIntegrationStack: RunningIntegrationStack | undefined;
}

/** Jest globalSetup of the `integration` project: starts the stack and publishes where it is. */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const { stack, group } = await startIntegrationStack();
  globalThis.__aftersalesIntegrationStack = { group, dir: stack.dir };
  group.onUnexpectedExit((child) => {
    process.stderr.write(`\nintegration stack: ${child.name} died (${child.describeExit()}); see ${stack.logDir}/${child.name}.log\n`);
  });

  fs.writeFileSync(STACK_FILE, `${JSON.stringify(stack, null, 2)}\n`);
  process.env.AFTERSALES_IT_STACK_FILE = STACK_FILE;
  // Jest starts its test workers after this returns, and they inherit process.env.
  process.env[STACK_ENV.apiUrl] = stack.apiUrl;
  process.env[STACK_ENV.sandboxUrl] = stack.sandboxUrl;
  process.env[STACK_ENV.temporalAddress] = stack.temporalAddress;
  process.env[STACK_ENV.mongoUri] = stack.mongoUri;
  process.env[STACK_ENV.tokensFile] = stack.tokensFile;
  process.env[STACK_ENV.paymentWebhookSecret] = stack.paymentWebhookSecret;
  process.env[STACK_ENV.courierWebhookSecret] = stack.courierWebhookSecret;
  process.stdout.write(`\nintegration stack up in ${Date.now() - started} ms: API ${stack.apiUrl}, logs in ${stack.logDir}\n`);
}
