import { useEffect, useState, type FormEvent } from 'react';
import { gql } from '@apollo/client';
import { ApolloProvider, useQuery } from '@apollo/client/react';
import { Link, Route, Router, Switch } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import { createClient, errorText, onSignedOut, tokenStore } from './api';
import { ErrorBox } from './components/ui';
import { Overview } from './pages/Overview';
import { FrameworkPage } from './pages/FrameworkPage';
import { FrameworksPage } from './pages/FrameworksPage';
import { RequirementPage } from './pages/RequirementPage';
import { DEFAULT_GRAPH, GraphPage } from './pages/GraphPage';
import { SystemPage, SystemsPage } from './pages/SystemsPage';
import { ReusePage } from './pages/ReusePage';

export interface ViewerInfo {
  organizationSlug: string;
  organizationName: string;
  role: string;
  tokenName: string;
  permissions: { reports: boolean; ingest: boolean; edit: boolean; admin: boolean };
}

const VIEWER = gql`
  query Viewer {
    viewer { organizationSlug organizationName role tokenName tokenPrefix permissions { reports ingest edit admin } }
  }
`;

export function App() {
  const [client] = useState(createClient);
  const [token, setToken] = useState<string | null>(tokenStore.get());
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(
    () =>
      onSignedOut(() => {
        setNotice('The hub did not accept the token (wrong, expired or revoked). Paste a valid one.');
        setToken(null);
        void client.clearStore();
      }),
    [client],
  );
  return (
    <ApolloProvider client={client}>
      {token ? (
        <Shell
          onSignOut={() => {
            tokenStore.clear();
            setNotice(null);
            setToken(null);
            void client.clearStore();
          }}
        />
      ) : (
        <TokenScreen
          notice={notice}
          onToken={(t) => {
            tokenStore.set(t);
            setNotice(null);
            setToken(t);
          }}
        />
      )}
    </ApolloProvider>
  );
}

function TokenScreen({ onToken, notice }: { onToken: (t: string) => void; notice: string | null }) {
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) onToken(value.trim());
  };
  return (
    <main className="token-screen">
      <h1>Control mapping hub</h1>
      <p>
        ISO/IEC 42001, ISO/IEC 27001, the NIST AI RMF and the EU AI Act as one graph: coverage, pre-fill and gaps, each status
        explained by the evidence and mapping path behind it.
      </p>
      <form onSubmit={submit} aria-describedby="token-help">
        <label htmlFor="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="cmh_…"
        />
        <button type="submit" className="btn btn-primary" disabled={!value.trim()}>
          Open the dashboard
        </button>
      </form>
      <p id="token-help" className="muted">
        The token stays in this browser tab (session storage) and is sent only to this hub. An ADMIN makes one with{' '}
        <code>npm run token -- --org &lt;slug&gt; --role ANALYST</code> or the <code>createApiToken</code> mutation; reports need
        ANALYST or above.
      </p>
      {notice ? (
        <div className="error" role="alert">
          {notice}
        </div>
      ) : null}
    </main>
  );
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const { data, error } = useQuery<{ viewer: ViewerInfo }>(VIEWER);
  const viewer = data?.viewer;
  return (
    <Router hook={useHashLocation}>
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header className="top">
        <Link href="/" className="brand">
          Control mapping hub
        </Link>
        <nav aria-label="Main">
          <Link href="/">Overview</Link>
          <Link href="/frameworks">Frameworks</Link>
          <Link href={DEFAULT_GRAPH}>Graph</Link>
          <Link href="/systems">AI systems</Link>
          <Link href="/reuse">Reuse</Link>
        </nav>
        <div className="who">
          {viewer ? (
            <span>
              {viewer.organizationName} · <span className="role">{viewer.role}</span>
            </span>
          ) : null}
          <button type="button" className="btn btn-secondary" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {error && !viewer ? <ErrorBox error={error} /> : null}
        {viewer && !viewer.permissions.reports ? (
          <div className="error" role="alert">
            This token's role ({viewer.role}) cannot read reports. The dashboard needs ANALYST, EDITOR or ADMIN.
          </div>
        ) : null}
        {/* Screens start their own queries at once, in parallel with the viewer's: nothing waits for it but the edit buttons. */}
        <Switch>
          <Route path="/">{() => <Overview />}</Route>
          <Route path="/frameworks">{() => <FrameworksPage />}</Route>
          <Route path="/frameworks/:key">{(p) => <FrameworkPage frameworkKey={decodeURIComponent(p.key)} />}</Route>
          <Route path="/frameworks/:key/requirements/:ref">
            {(p) => <RequirementPage frameworkKey={decodeURIComponent(p.key)} refId={decodeURIComponent(p.ref)} viewer={viewer ?? null} />}
          </Route>
          <Route path="/graph">{() => <GraphPage />}</Route>
          <Route path="/systems">{() => <SystemsPage />}</Route>
          <Route path="/systems/:id">{(p) => <SystemPage id={decodeURIComponent(p.id)} />}</Route>
          <Route path="/reuse">{() => <ReusePage viewer={viewer ?? null} />}</Route>
          <Route>
            <p>
              Nothing here. <Link href="/">Back to the overview</Link>.
            </p>
          </Route>
        </Switch>
      </main>
    </Router>
  );
}

export { errorText };
