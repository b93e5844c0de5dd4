import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestHub, TestHub } from '../harness/hub';
import { projectRoot } from '../../src/config';

/**
 * The container image's entry script (deploy/entrypoint.sh) run as the image runs it, without a container
 * engine (none runs on the machine this was written on: see README "Container"): from the project root,
 * with the built dist/, against the test PostgreSQL. And the image's promises, read from the files.
 */
const run = promisify(execFile);
const root = projectRoot();
const entry = path.join(root, 'deploy', 'entrypoint.sh');
let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.stop();
});

const freePort = () => new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as net.AddressInfo;
    s.close(() => resolve(port));
  });
});

it('migrate-and-seed runs as the owner and grants the application role; run again it changes nothing', async () => {
  const env = { ...process.env, DATABASE_MIGRATION_URL: t.dbUrl, DATABASE_URL: t.appUrl, LOG_LEVEL: 'warn' };
  const { stdout } = await run('sh', [entry, 'migrate-and-seed'], { cwd: root, env });
  expect(stdout).toContain('[migrate] nothing to apply');
  expect(stdout).toMatch(/\[migrate\] granted role hub_app what the server needs/);
});

it('serve starts the hub on the configured port; the image\'s health check passes on /readyz', async () => {
  const port = await freePort();
  const env = { ...process.env, DATABASE_URL: t.appUrl, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' };
  const child = spawn('sh', [entry, 'serve'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let ready = false;
    for (let i = 0; i < 100 && !ready; i++) {
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 200));
    }
    expect(ready).toBe(true);
    // The HEALTHCHECK line of the Dockerfile, as written there.
    const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const check = /CMD \["node", "-e", "(.+)"\]\n/.exec(dockerfile)![1].replace(/\\"/g, '"');
    const health = await run(process.execPath, ['-e', check], { env }).then(() => 0, (e: { code: number }) => e.code);
    expect(health).toBe(0);
    // SIGTERM (what `docker stop` sends) drains and exits 0; a shutdown that hangs is cut by the grace timer with 1.
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 60_000);

it('passes any other command through, and refuses nothing silently', async () => {
  const { stdout } = await run('sh', [entry, 'echo', 'as given'], { cwd: root });
  expect(stdout.trim()).toBe('as given');
  const token = await run('sh', [entry, 'token'], { cwd: root, env: { ...process.env, DATABASE_URL: t.appUrl, DATABASE_MIGRATION_URL: t.dbUrl } })
    .then(() => 0, (e: { code: number; stderr: string }) => (e.stderr.includes('usage:') ? e.code : -1));
  expect(token).toBe(2); // the token CLI prints its usage and exits 2 without --org and --role
});

it('the image runs as a non-root user with a health check; compose runs migrations once and the hub as the ordinary role', () => {
  const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/^USER hub$/m);
  expect(dockerfile).toMatch(/^HEALTHCHECK .*$/m);
  expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
  // the dashboard is built in the build stage and travels in dist/ (dist/web)
  expect(dockerfile).toMatch(/^COPY web \.\/web$/m);
  expect(dockerfile).toMatch(/vite build --config web\/vite\.config\.mts/);
  const compose = fs.readFileSync(path.join(root, 'compose.yaml'), 'utf8');
  expect(compose).toMatch(/migrate:\n(?:.*\n)*?\s+command: \["migrate-and-seed"\]/);
  expect(compose).toMatch(/condition: service_completed_successfully/);
  // the hub connects as hub_app, never as the owner or the superuser
  const hub = compose.slice(compose.indexOf('\n  hub:'));
  expect(hub).toMatch(/DATABASE_URL: postgresql:\/\/hub_app:/);
  expect(hub).not.toMatch(/hub_owner|POSTGRES_PASSWORD/);
  const init = fs.readFileSync(path.join(root, 'deploy', 'postgres-init.sh'), 'utf8');
  expect(init).toMatch(/CREATE ROLE hub_app LOGIN PASSWORD :'app_pw' NOSUPERUSER NOBYPASSRLS/);
});
