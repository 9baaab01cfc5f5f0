import fs from 'node:fs';
import { ConfigError, type AppConfig } from './env';

/** Connection settings shared by the API's client and the worker's native connection. */
export interface TemporalConnectionSettings {
  address: string;
  apiKey?: string;
  tls?: true | { clientCertPair: { crt: Buffer; key: Buffer } };
}

/** Temporal connection settings from the configuration: mTLS when a certificate pair is given, TLS + API key when a key is. */
export function temporalConnectionOptions(config: AppConfig): TemporalConnectionSettings {
  const { TEMPORAL_ADDRESS: address, TEMPORAL_TLS_CERT_PATH: certPath, TEMPORAL_TLS_KEY_PATH: keyPath, TEMPORAL_API_KEY: apiKey } = config;
  if ((certPath === undefined) !== (keyPath === undefined)) {
    throw new ConfigError('invalid configuration: TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together');
  }
  if (certPath !== undefined && keyPath !== undefined) {
    return {
      address,
      ...(apiKey === undefined ? {} : { apiKey }),
      tls: { clientCertPair: { crt: readFile(certPath, 'TEMPORAL_TLS_CERT_PATH'), key: readFile(keyPath, 'TEMPORAL_TLS_KEY_PATH') } },
    };
  }
  return apiKey !== undefined ? { address, apiKey, tls: true } : { address };
}

function readFile(file: string, variable: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new ConfigError(`invalid configuration: ${variable}: cannot read ${file} (${(error as Error).message})`);
  }
}
