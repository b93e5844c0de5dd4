import fs from 'node:fs';
import path from 'node:path';
import express from 'express';

/**
 * GraphiQL served from this package's own node_modules: no CDN, no telemetry, so the explorer works
 * offline and air-gapped. Apollo's landing pages (sandbox, embedded explorer) load their code from
 * Apollo's CDN whatever their options, so they are turned off (server.ts).
 *
 * GraphiQL 3 is the last major with a UMD build (4+ need a bundler or esm.sh); React 18 the last with UMD.
 * The page runs no inline script, so the default Content-Security-Policy (script-src 'self') holds.
 */
const packageDir = (name: string) => path.dirname(require.resolve(name));

const ASSETS: Record<string, { file: () => string; type: string }> = {
  'react.js': { file: () => path.join(packageDir('react'), 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.js': { file: () => path.join(packageDir('react-dom'), 'umd/react-dom.production.min.js'), type: 'text/javascript' },
  'graphiql.js': { file: () => require.resolve('graphiql/graphiql.min.js'), type: 'text/javascript' },
  'graphiql.css': { file: () => require.resolve('graphiql/graphiql.min.css'), type: 'text/css' },
};

// The token goes into the headers pane by hand; GraphiQL keeps headers in memory only (shouldPersistHeaders: false).
const INIT = `'use strict';
(function () {
  var fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', window.location.href).href });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolsVisibility: 'headers',
    defaultHeaders: '{\\n  "authorization": "Bearer <your token>"\\n}',
    shouldPersistHeaders: false,
    defaultQuery: '{ frameworks { key version title } }\\n',
  }));
})();
`;

export const EXPLORER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Control mapping hub: GraphiQL</title>
<link rel="stylesheet" href="/graphiql/assets/graphiql.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/assets/react.js"></script>
<script src="/graphiql/assets/react-dom.js"></script>
<script src="/graphiql/assets/graphiql.js"></script>
<script src="/graphiql/assets/init.js"></script>
</body>
</html>
`;

/** A browser opening the endpoint: GET, asks for HTML, and carries no operation. */
export function wantsExplorer(req: express.Request): boolean {
  return req.method === 'GET' && req.query.query === undefined && Boolean(req.accepts(['application/json', 'text/html']) === 'text/html');
}

export function explorerRouter(): express.Router {
  const router = express.Router();
  const sendPage: express.RequestHandler = (_req, res) => {
    res.type('html').setHeader('cache-control', 'no-cache');
    res.send(EXPLORER_HTML);
  };
  router.get('/graphiql', sendPage);
  router.get('/graphql', (req, res, next) => (wantsExplorer(req) ? sendPage(req, res, next) : next()));
  router.get('/graphiql/assets/init.js', (_req, res) => {
    res.type('text/javascript').setHeader('cache-control', 'no-cache');
    res.send(INIT);
  });
  router.get('/graphiql/assets/:name', (req, res, next) => {
    const asset = ASSETS[req.params.name];
    if (!asset) return next();
    const file = asset.file();
    if (!fs.existsSync(file)) return next();
    // The versions are pinned in package-lock.json; a day of caching is enough across upgrades.
    res.sendFile(file, { headers: { 'content-type': asset.type, 'cache-control': 'public, max-age=86400' } });
  });
  return router;
}
