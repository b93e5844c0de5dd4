import fs from 'node:fs';
import path from 'node:path';
import express from 'express';

/** The project root: the nearest folder above this file with a package.json (dist/src/graphql or src/graphql). */
function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** Where `npm run build` puts the dashboard (web/ built by Vite). */
export const WEB_DIR = path.join(projectRoot(), 'dist', 'web');

/**
 * The dashboard at `/`: index.html (never cached, so a new release is picked up at once) and its hashed
 * assets under /assets/ (cached for a year: a new build gives new names). The page talks only to
 * /graphql and /export on this origin; routes are in the URL fragment (#/frameworks/...), so no other
 * path needs the page. Without a build, `/` says how to make one.
 */
export function webRouter(dir = WEB_DIR): express.Router {
  const router = express.Router();
  const index = path.join(dir, 'index.html');
  router.use('/assets', express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: true }));
  router.get(['/', '/index.html'], (_req, res) => {
    if (!fs.existsSync(index)) {
      res.status(404).json({ errors: [{ message: 'The dashboard is not built: run `npm run build` (the API is at /graphql).', extensions: { code: 'NOT_FOUND' } }] });
      return;
    }
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
