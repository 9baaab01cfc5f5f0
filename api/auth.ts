import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { Actor, Role } from '../domain/case.types';
import { forbidden, unauthorized } from './errors';

/** Who is calling: the role of the bearer token and whom it stands for. */
export interface Principal {
  role: Role;
  /** Set for customer tokens: the only customer whose cases the token reaches. */
  customerId?: string;
  /** Staff name, recorded on the case timeline. */
  name?: string;
}

const tokenEntrySchema = z
  .object({
    token: z.string().min(8, 'a token needs at least 8 characters'),
    role: z.enum(['customer', 'agent', 'supervisor', 'admin']),
    customerId: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((entry, ctx) => {
    if (entry.role === 'customer' && entry.customerId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['customerId'], message: 'a customer token needs its customerId' });
    }
    if (entry.role !== 'customer' && entry.name === undefined) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'a staff token needs a name (it is written on the case timeline)' });
    }
  });

/** The tokens file: `{"tokens": [{"token", "role", "customerId"?, "name"?}]}`. */
export const tokensFileSchema = z.object({ tokens: z.array(tokenEntrySchema) }).strict();

/** Raised when the tokens file is unreadable or invalid; the message names the entry and field. */
export class TokensFileError extends Error {}

// Tokens are looked up by their hash so that the lookup time says nothing about a near miss.
const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/** Bearer tokens and the principals they stand for. */
export class TokenRegistry {
  private byDigest: Map<string, Principal>;

  constructor(document: unknown) {
    this.byDigest = TokenRegistry.parse(document);
  }

  /** Reads and validates a tokens file. */
  static fromFile(file: string): TokenRegistry {
    return new TokenRegistry(readJson(file));
  }

  /** Replaces the tokens with those of `file`; on error the old tokens stay. */
  reloadFrom(file: string): number {
    this.byDigest = TokenRegistry.parse(readJson(file));
    return this.byDigest.size;
  }

  /** The principal of a token, or undefined. */
  lookup(token: string): Principal | undefined {
    return this.byDigest.get(digest(token));
  }

  private static parse(document: unknown): Map<string, Principal> {
    const result = tokensFileSchema.safeParse(document);
    if (!result.success) {
      const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw new TokensFileError(`invalid tokens file: ${problems.join('; ')}`);
    }
    const map = new Map<string, Principal>();
    result.data.tokens.forEach((entry, index) => {
      const key = digest(entry.token);
      if (map.has(key)) throw new TokensFileError(`invalid tokens file: tokens.${index}.token: the same token appears twice`);
      map.set(key, { role: entry.role, customerId: entry.customerId, name: entry.name });
    });
    return map;
  }
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new TokensFileError(`cannot read tokens file ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TokensFileError(`tokens file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Staff roles; an admin may do everything staff can. */
export const STAFF_ROLES: readonly Role[] = ['agent', 'supervisor', 'admin'];
/** Roles above agent. */
export const SUPERVISOR_ROLES: readonly Role[] = ['supervisor', 'admin'];

/** True for agent, supervisor and admin. */
export function isStaff(principal: Principal): boolean {
  return STAFF_ROLES.includes(principal.role);
}

/** The actor a principal is recorded as on the case timeline (never a real name or phone). */
export function actorOf(principal: Principal): Actor {
  return { kind: principal.role, id: principal.role === 'customer' ? (principal.customerId ?? 'unknown') : (principal.name ?? principal.role) };
}

/** Rejects the request with 401 unless it carries a known bearer token; stores the principal in `res.locals`. */
export function authenticate(registry: TokenRegistry): RequestHandler {
  return (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) throw unauthorized('unauthorized', 'send Authorization: Bearer <token>');
    const principal = registry.lookup(token);
    if (principal === undefined) throw unauthorized('unauthorized', 'unknown bearer token');
    res.locals.principal = principal;
    next();
  };
}

/** The authenticated caller (after `authenticate`). */
export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/** Rejects the request with 403 unless the caller has one of `roles`. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    const { role } = principalOf(res);
    if (!roles.includes(role)) throw forbidden(`this needs the role ${roles.join(' or ')}`);
    next();
  };
}
