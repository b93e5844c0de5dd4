import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { projectRoot } from '../../src/config';

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

/**
 * The hub as a real process: the build in dist/ (which `npm test` makes first), started as `npm start`
 * starts it, on an already migrated and seeded database, with `env` over the defaults below. Resolves
 * once GET /readyz answers 200.
 */
export async function startHubProcess(databaseUrl: string, env: Record<string, string> = {}, port?: number): Promise<{ origin: string; child: ChildProcess }> {
  const listen = port ?? (await freePort());
  const child = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'src', 'main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(listen),
      HOST: '127.0.0.1',
      HUB_MIGRATE_ON_START: 'false',
      HUB_SEED_ON_START: 'false',
      LOG_LEVEL: 'error',
      ...env,
    },
    stdio: 'ignore',
  });
  const origin = `http://127.0.0.1:${listen}`;
  for (let i = 0; i < 400; i++) {
    if (await fetch(`${origin}/readyz`).then((r) => r.ok, () => false)) return { origin, child };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('the hub process did not become ready');
}
