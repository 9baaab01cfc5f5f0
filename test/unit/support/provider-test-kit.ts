import { generateKeyPairSync } from 'node:crypto';
import http, { type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderError } from '../../../integrations/http-client';

/** An RSA-2048 pair as PEM strings: PKCS#8 private key, SPKI public key (made at test time). */
export interface PemPair {
  privateKey: string;
  publicKey: string;
}

/** A fresh RSA-2048 pair as PEM, as providers hand out and our key files hold. */
export function rsaPemPair(): PemPair {
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
}

/** Serves an app (an express app or any request listener) on a free port of 127.0.0.1; `base` has no trailing slash. */
export async function listen(app: RequestListener): Promise<{ server: Server; base: string }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Stops a server started by `listen`, once its open requests are done. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The ProviderError a call threw (fails the test, saying so, when it resolved or threw something else). */
export async function providerErrorOf(call: Promise<unknown>, what: string): Promise<ProviderError> {
  const outcome = await call.then(
    (value) => ({ value }),
    (err: unknown) => ({ err }),
  );
  if (!('err' in outcome)) throw new Error(`${what}: expected the adapter to throw, it answered ${JSON.stringify(outcome.value)}`);
  if (!(outcome.err instanceof ProviderError)) throw new Error(`${what}: expected a ProviderError, got ${String(outcome.err)}`);
  return outcome.err;
}
