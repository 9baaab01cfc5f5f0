import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CaseDataErasedError } from '../codec/case-data-keys';
import { bearerToken, STAFF_ROLES, type Principal, type TokenRegistry } from './auth';
import { forbidden, parseOrThrow, unauthorized } from './errors';

/** The cookie a staff member's browser keeps after signing in at /codec/login (the UI sends it with its decode calls). */
export const CODEC_SESSION_COOKIE = 'aftersales_codec';
const SESSION_SECONDS = 8 * 3600;
/** Metadata of a payload the codec server could not decode, naming why (e.g. case_data_erased). */
export const DECODE_ERROR_METADATA = 'aftersales-decode-error';

/** What the codec server needs. */
export interface CodecServerDeps {
  codec: PayloadCodec;
  tokens: TokenRegistry;
  /** Origins allowed to call it from a browser (the Temporal UI's). */
  allowedOrigins: readonly string[];
  logger: Logger;
}

// Payloads as protobuf JSON: metadata values and data in base64.
const jsonPayload = z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() }).passthrough();
const payloadsBody = z.object({ payloads: z.array(jsonPayload).max(10_000) });
type JsonPayload = z.infer<typeof jsonPayload>;

/**
 * The remote codec endpoint of the Temporal UI and CLI (`/codec/decode`, `/codec/encode`): staff
 * only, by bearer token or by the session cookie set at /codec/login; CORS for the UI's origin.
 * Every call is logged with who and how many payloads, never their content.
 */
export function codecRouter(deps: CodecServerDeps): Router {
  const router = Router();
  const cors = corsFor(deps.allowedOrigins);
  // The UI sends a page of history at once: a larger limit than the API's.
  const body = express.json({ limit: '8mb' });

  router.options(['/codec/decode', '/codec/encode'], cors, (_req, res) => {
    res.status(204).end();
  });
  router.post('/codec/decode', cors, body, async (req, res) => {
    const principal = staffCaller(req, deps.tokens);
    const { payloads } = parseOrThrow(payloadsBody, req.body);
    const decoded = await Promise.all(payloads.map((payload) => decodeOne(deps.codec, payload)));
    const failed = decoded.filter((p) => p.metadata?.[DECODE_ERROR_METADATA] !== undefined).length;
    deps.logger.info({ by: principal.name ?? principal.role, role: principal.role, namespace: req.get('x-namespace'), payloads: payloads.length, failed }, 'codec decode');
    res.json({ payloads: decoded });
  });
  router.post('/codec/encode', cors, body, async (req, res) => {
    const principal = staffCaller(req, deps.tokens);
    const { payloads } = parseOrThrow(payloadsBody, req.body);
    const encoded = await deps.codec.encode(payloads.map(fromJson));
    deps.logger.info({ by: principal.name ?? principal.role, role: principal.role, namespace: req.get('x-namespace'), payloads: payloads.length }, 'codec encode');
    res.json({ payloads: encoded.map(toJson) });
  });

  router.get('/codec/login', (_req, res) => {
    res.type('html').send(loginPage());
  });
  router.post('/codec/session', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    const submitted = (req.body as { token?: unknown } | undefined)?.token;
    const token = typeof submitted === 'string' ? submitted.trim() : '';
    const principal = token ? deps.tokens.lookup(token) : undefined;
    if (principal === undefined || !STAFF_ROLES.includes(principal.role)) {
      res.status(principal === undefined ? 401 : 403).type('html').send(loginPage('That token is not a staff token.'));
      return;
    }
    // HttpOnly: page scripts never read it; SameSite=Lax: sent to the UI's same-site calls, never from other sites.
    res.cookie(CODEC_SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/codec', maxAge: SESSION_SECONDS * 1000 });
    deps.logger.info({ by: principal.name ?? principal.role, role: principal.role }, 'codec session opened');
    res.type('html').send(signedInPage(principal));
  });
  router.post('/codec/logout', (_req, res) => {
    res.clearCookie(CODEC_SESSION_COOKIE, { path: '/codec' });
    res.status(204).end();
  });
  return router;
}

/** The staff member calling, by bearer token or session cookie: 401 for nobody, 403 for a customer. */
function staffCaller(req: Request, tokens: TokenRegistry): Principal {
  const token = bearerToken(req.headers.authorization) ?? sessionToken(req);
  if (token === undefined) throw unauthorized('unauthorized', 'sign in at /codec/login, or send Authorization: Bearer <staff token>');
  const principal = tokens.lookup(token);
  if (principal === undefined) throw unauthorized('unauthorized', 'unknown token');
  if (!STAFF_ROLES.includes(principal.role)) throw forbidden('the codec endpoint is for staff only');
  return principal;
}

function sessionToken(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CODEC_SESSION_COOKIE && value.length > 0) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** CORS for the allowed origins only, with credentials (the session cookie). */
function corsFor(allowedOrigins: readonly string[]): RequestHandler {
  return (req: Request, res: Response, next) => {
    const origin = req.get('origin');
    if (origin !== undefined && allowedOrigins.includes(origin)) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
        'Access-Control-Max-Age': '600',
        Vary: 'Origin',
      });
    }
    next();
  };
}

/** One payload decoded; one that cannot be (its case was erased, its key is gone) becomes a readable notice instead. */
async function decodeOne(codec: PayloadCodec, payload: JsonPayload): Promise<JsonPayload> {
  try {
    const [decoded] = await codec.decode([fromJson(payload)]);
    return toJson(decoded);
  } catch (error) {
    const code = error instanceof CaseDataErasedError ? 'case_data_erased' : 'cannot_decode';
    const text = error instanceof CaseDataErasedError ? `[erased: ${error.message}]` : `[cannot decode: ${(error as Error).message}]`;
    return toJson({
      metadata: { encoding: Buffer.from('json/plain'), [DECODE_ERROR_METADATA]: Buffer.from(code) },
      data: Buffer.from(JSON.stringify(text)),
    });
  }
}

function fromJson(payload: JsonPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) metadata[key] = Buffer.from(value, 'base64');
  return { metadata, data: Buffer.from(payload.data ?? '', 'base64') };
}

function toJson(payload: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) if (value) metadata[key] = Buffer.from(value).toString('base64');
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}

function loginPage(problem?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>aftersales codec sign-in</title></head><body>
<h1>Decode cases in the Temporal UI</h1>
<p>Paste your staff API token. Your browser keeps it for 8 hours as a cookie that only this codec endpoint reads.</p>
${problem ? `<p role="alert">${problem}</p>` : ''}
<form method="post" action="/codec/session"><label>Staff token <input name="token" type="password" autocomplete="off" required></label> <button type="submit">Sign in</button></form>
</body></html>`;
}

function signedInPage(principal: Principal): string {
  const who = escapeHtml(principal.name ?? principal.role);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>aftersales codec: signed in</title></head><body>
<h1>Signed in as ${who} (${principal.role})</h1>
<p>In the Temporal UI, open the codec settings and tick "Include cross-origin credentials"; case inputs and updates then show decoded.</p>
</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
