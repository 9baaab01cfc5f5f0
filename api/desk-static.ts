import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

/** Where `scripts/setup.sh` puts the built desk (vite build of desk/). */
export const DEFAULT_DESK_DIR = path.resolve(__dirname, '../desk/dist');

// The pages load only their own files; evidence thumbnails may be anywhere on the web.
const CSP = "default-src 'self'; img-src 'self' https: http: data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Desk not built</title></head>
<body><h1>The desk is not built</h1>
<p>Run <code>npm run setup</code> (or <code>npm start</code>, which runs it) to build the pages in desk/dist, then reload.</p>
<p lang="zh-CN">工作台页面尚未构建：请运行 <code>npm run setup</code>（或 <code>npm start</code>），然后刷新。</p>
</body></html>`;

/**
 * Serves the desk's built files at /desk/ with a fallback to its index.html for the page routes.
 * Without a build it answers 503 with a page saying how to build it, so an API without the desk still runs.
 */
export function deskStaticRouter(dir: string = DEFAULT_DESK_DIR): Router {
  const router = Router();
  const index = path.join(dir, 'index.html');
  const assets = express.static(dir, {
    index: false,
    setHeaders: (res, file) => {
      // Vite names the assets by content hash; index.html must be read afresh after a rebuild.
      res.setHeader('Cache-Control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  router.use('/desk', (req, res, next) => {
    // Relative asset URLs need the trailing slash (express matches /desk and /desk/ alike).
    if (req.originalUrl === '/desk' || req.originalUrl.startsWith('/desk?')) {
      res.redirect(301, '/desk/');
      return;
    }
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (!fs.existsSync(index)) {
      res.status(503).type('html').send(NOT_BUILT);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    assets(req, res, () => {
      // A file that is not there under assets/ is a 404; any other path is a page of the app.
      if (req.path.startsWith('/assets/')) {
        next();
        return;
      }
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    });
  });
  return router;
}
