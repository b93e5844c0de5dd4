import fs from 'node:fs';
import path from 'node:path';

/**
 * Behind PgBouncer in transaction mode each transaction may run on a different server session, so the
 * hub must not rely on session state (issue 17; docs/scaling.md). The isolation matrix runs behind a real
 * PgBouncer; this test keeps the source honest between runs: it finds every construct that would leave
 * state on a session and allows only the listed ones, each on the embedded database (one session, no pooler).
 */
const ROOT = path.resolve(__dirname, '../..');
const SESSION_STATE: [string, RegExp][] = [
  ['session setting', /set_config\([^)]*,\s*false\s*\)|[`'"]\s*SET\s+(SESSION\s+)?(?!LOCAL\b)[a-z_.]+\s*(=|\bTO\b)/gi],
  ['session advisory lock', /pg_(try_)?advisory_lock(_shared)?\s*\(/g],
  ['LISTEN', /[`'"]\s*(UN)?LISTEN\b/g],
  ['temporary table', /CREATE\s+TEMP(ORARY)?\s+TABLE(?![^;`]*ON COMMIT DROP)/gi],
  ['cursor kept past its transaction', /WITH\s+HOLD/gi],
  ['named prepared statement', /\bPREPARE\s+[a-z_]+\s+(\(|AS)/gi],
  ['protocol-level prepared statement', /\{\s*name(\s*:\s*[^,}]+)?\s*,\s*text\b[^}]*\}/g],
];
const ALLOWED = [
  'src/app.ts: session setting: SET hub.events',
  // Off behind a pooler in transaction mode (HUB_PREPARED_STATEMENTS=false; the isolation matrix and the
  // concurrent benchmark run so), and off for the process at the first statement a pooler lost.
  'src/database/prepared.ts: protocol-level prepared statement: { name, text, values }',
  'src/database/tenant.ts: session setting: set_config(\'app.organization_id\', $1, false)',
  'src/database/tenant.ts: session setting: set_config(\'statement_timeout\', $2, false)',
];

function files(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

describe('no session state', () => {
  it('the server, its migrations and the benchmark leave nothing on a database session but on the embedded database', () => {
    const found: string[] = [];
    for (const file of [...files('src'), ...files('migrations'), ...files('bench')]) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const [what, pattern] of SESSION_STATE) {
        for (const m of text.matchAll(pattern)) found.push(`${file}: ${what}: ${m[0].replace(/^[`'"]\s*/, '').replace(/\s*=$/, '')}`);
      }
    }
    expect(found.sort()).toEqual(ALLOWED);
  });

  it('the patterns find what they are for', () => {
    const hits = (sql: string) => SESSION_STATE.filter(([, p]) => new RegExp(p.source, p.flags).test(sql)).map(([w]) => w);
    expect(hits("`SET search_path = x`")).toEqual(['session setting']);
    expect(hits("`SET LOCAL statement_timeout = 5`")).toEqual([]);
    expect(hits("UPDATE t SET a = 1")).toEqual([]);
    expect(hits("SELECT set_config('a.b', $1, false)")).toEqual(['session setting']);
    expect(hits("SELECT set_config('a.b', $1, true)")).toEqual([]);
    expect(hits('SELECT pg_advisory_lock(1)')).toEqual(['session advisory lock']);
    expect(hits('SELECT pg_advisory_xact_lock(1)')).toEqual([]);
    expect(hits("'LISTEN hub_events'")).toEqual(['LISTEN']);
    expect(hits('CREATE TEMP TABLE x (a int)')).toEqual(['temporary table']);
    expect(hits('CREATE TEMP TABLE x (a int) ON COMMIT DROP')).toEqual([]);
    expect(hits('client.query({ name: "q1", text: sql, values })')).toEqual(['protocol-level prepared statement']);
    expect(hits('client.query({ text: sql, values })')).toEqual([]);
  });
});
