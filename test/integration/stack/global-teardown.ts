import fs from 'node:fs';
import { STACK_FILE } from './stack-file';

/** Jest globalTeardown of the `integration` project: stops every child and removes the temp dir. */
export default async function globalTeardown(): Promise<void> {
  const running = globalThis.__aftersalesIntegrationStack;
  globalThis.__aftersalesIntegrationStack = undefined;
  fs.rmSync(STACK_FILE, { force: true });
  if (!running) return;
  await running.group.stopAll();
  if (process.env.AFTERSALES_IT_KEEP === '1') {
    process.stdout.write(`integration stack: kept ${running.dir} (AFTERSALES_IT_KEEP=1)\n`);
  } else {
    fs.rmSync(running.dir, { recursive: true, force: true });
  }
}
