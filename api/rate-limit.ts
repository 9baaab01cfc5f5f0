import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError } from './errors';
import { bearerToken } from './auth';

/** Requests allowed per caller per window. */
export interface RateLimitOptions {
  windowMs: number;
  max: number;
}

/** Default: 600 requests a minute per bearer token (or per client address without one), per API replica. */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { windowMs: 60_000, max: 600 };

/**
 * A fixed-window limiter in memory: 429 `rate_limited` with Retry-After once a caller has used
 * its window. Per replica; a shared limit belongs in the load balancer in front.
 */
export function rateLimit(options: RateLimitOptions, now: () => number = Date.now): RequestHandler {
  const windows = new Map<string, { start: number; count: number }>();
  return (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    const key = token ? `t:${createHash('sha256').update(token).digest('hex')}` : `ip:${req.ip ?? 'unknown'}`;
    const at = now();
    let window = windows.get(key);
    if (window === undefined || at - window.start >= options.windowMs) {
      if (windows.size > 10_000) prune(windows, at, options.windowMs);
      window = { start: at, count: 0 };
      windows.set(key, window);
    }
    window.count += 1;
    res.setHeader('RateLimit-Limit', String(options.max));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, options.max - window.count)));
    if (window.count > options.max) {
      const retryAfter = Math.ceil((window.start + options.windowMs - at) / 1000);
      throw new ApiError(429, 'rate_limited', `too many requests; retry in ${retryAfter} s`, [], { 'Retry-After': String(retryAfter) });
    }
    next();
  };
}

function prune(windows: Map<string, { start: number }>, at: number, windowMs: number): void {
  for (const [key, window] of windows) if (at - window.start >= windowMs) windows.delete(key);
}
