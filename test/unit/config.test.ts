import path from 'node:path';
import { ConfigError, loadConfig, projectRoot } from '../../src/config';

describe('configuration', () => {
  it('defaults to the embedded database, migrating and seeding on start', () => {
    const c = loadConfig({});
    expect(c.database).toEqual({ kind: 'pglite', dataDir: path.join(projectRoot(), '.data/pglite') });
    expect([c.migrateOnStart, c.seedOnStart, c.port, c.introspection]).toEqual([true, true, 4000, true]);
    expect(c.limits).toEqual({ maxDepth: 12, maxComplexity: 200_000, maxRootFields: 25, ratePerMinute: 600, bodyBytes: 5 * 1024 * 1024, importBytes: 64 * 1024 * 1024, maxTokens: 10_000, maxAliases: 100, authFailuresPerMinute: 30, maxSubscriptionsPerConnection: 20 });
    expect(c.work).toEqual({ statementTimeoutMs: 15_000, heavyStatementTimeoutMs: 120_000, heavyConcurrency: 2, poolWaitMs: 5_000 });
  });

  it('loads the demo organization only when HUB_DEMO says so (npm run demo)', () => {
    expect([loadConfig({}).demo, loadConfig({ HUB_DEMO: 'true' }).demo, loadConfig({ HUB_DEMO: '0' }).demo]).toEqual([false, true, false]);
  });

  it('with DATABASE_URL, migrations and seeding are explicit; production turns introspection off', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://u@h/db', NODE_ENV: 'production' });
    expect([c.database.kind, c.migrateOnStart, c.seedOnStart, c.introspection]).toEqual(['postgres', false, false, false]);
    expect(loadConfig({ NODE_ENV: 'production', HUB_INTROSPECTION: 'true' }).introspection).toBe(true);
  });

  it('CORS, metrics and tracing are off by default and read from their variables', () => {
    const c = loadConfig({});
    expect([c.corsOrigins, c.metricsToken, c.tracing.enabled, c.explorer]).toEqual([[], null, false, true]);
    const on = loadConfig({
      HUB_CORS_ORIGINS: 'https://dash.example.com, http://localhost:5173',
      HUB_METRICS_TOKEN: 'a-long-scrape-token-1234',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    });
    expect(on.corsOrigins).toEqual(['https://dash.example.com', 'http://localhost:5173']);
    expect(on.metricsToken).toBe('a-long-scrape-token-1234');
    expect(on.tracing).toEqual({ enabled: true, otlpEndpoint: 'http://collector:4318', serviceName: 'control-mapping-hub' });
    expect(loadConfig({ HUB_TRACING: '1' }).tracing.enabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).explorer).toBe(false);
  });

  it('webhooks: private networks forbidden in production; the disabling period may be a fraction of an hour', () => {
    expect([loadConfig({}).events.webhooks.allowPrivateNetworks, loadConfig({ NODE_ENV: 'production' }).events.webhooks.allowPrivateNetworks]).toEqual([true, false]);
    expect([loadConfig({}).events.webhooks.disableAfterHours, loadConfig({ HUB_WEBHOOK_DISABLE_AFTER_HOURS: '0.25' }).events.webhooks.disableAfterHours]).toEqual([24, 0.25]);
    for (const bad of ['0', '-1', '1e3', 'soon', '721']) {
      expect(() => loadConfig({ HUB_WEBHOOK_DISABLE_AFTER_HOURS: bad })).toThrow(new ConfigError(`HUB_WEBHOOK_DISABLE_AFTER_HOURS must be a number from 0.001 to 720, got "${bad}"`));
    }
  });

  it.each([
    ['HUB_CORS_ORIGINS', 'https://dash.example.com/app', 'HUB_CORS_ORIGINS must list origins like https://dashboard.example.com (scheme, host, optional port), got "https://dash.example.com/app"'],
    ['HUB_CORS_ORIGINS', '*', 'HUB_CORS_ORIGINS must list origins like https://dashboard.example.com (scheme, host, optional port), got "*"'],
    ['HUB_METRICS_TOKEN', 'short', 'HUB_METRICS_TOKEN must be at least 16 characters without spaces'],
    ['PORT', 'abc', 'PORT must be an integer from 0 to 65535, got "abc"'],
    ['HUB_MAX_DEPTH', '1', 'HUB_MAX_DEPTH must be an integer from 2 to 100, got "1"'],
    ['HUB_SEED_ON_START', 'maybe', 'HUB_SEED_ON_START must be true or false, got "maybe"'],
    ['HUB_DEMO', 'yes please', 'HUB_DEMO must be true or false, got "yes please"'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be error, warn, info or debug, got "loud"'],
  ])('names the bad variable: %s', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new ConfigError(message));
  });
});
