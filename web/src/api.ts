import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { ErrorLink } from '@apollo/client/link/error';
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';

/**
 * The one way the dashboard talks to the hub: its public GraphQL API at /graphql on the same origin,
 * with the token the person pasted. The token lives in this tab's session storage only: never in a URL,
 * never in local storage, gone when the tab closes.
 */
const KEY = 'hub.token';

export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (token: string) => sessionStorage.setItem(KEY, token.trim()),
  clear: () => sessionStorage.removeItem(KEY),
};

type Listener = () => void;
const signedOut = new Set<Listener>();
/** Called when the hub refuses the token (401): the app goes back to the token screen. */
export function onSignedOut(fn: Listener): () => void {
  signedOut.add(fn);
  return () => signedOut.delete(fn);
}

export function createClient(): ApolloClient {
  const auth = new ApolloLink((operation, forward) => {
    const token = tokenStore.get();
    operation.setContext(({ headers = {} }: { headers?: Record<string, string> }) => ({
      headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    }));
    return forward(operation);
  });
  const errors = new ErrorLink(({ error }) => {
    const unauthenticated =
      (ServerError.is(error) && error.statusCode === 401) ||
      (CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED'));
    if (unauthenticated) {
      tokenStore.clear();
      signedOut.forEach((fn) => fn());
    }
  });
  return new ApolloClient({
    link: ApolloLink.from([errors, auth, new HttpLink({ uri: '/graphql' })]),
    cache: new InMemoryCache({
      typePolicies: {
        // Reports carry no id: they live inside the query that asked for them, keyed by its arguments.
        CoverageTotals: { keyFields: false },
        FrameworkCoverage: { keyFields: false },
        CoverageReport: { keyFields: false },
      },
    }),
    defaultOptions: { watchQuery: { fetchPolicy: 'cache-and-network' } },
  });
}

/** A GET of one of the hub's export routes with the token, saved as a file (exports are not GraphQL). */
export async function download(path: string, filename: string): Promise<void> {
  const token = tokenStore.get();
  const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    throw new Error(body?.errors?.[0]?.message ?? `${res.status} ${res.statusText}`);
  }
  saveBlob(await res.blob(), filename);
}

export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The message to show for a failed query: the hub's own words and code, never a stack. */
export function errorText(error: unknown): string {
  if (CombinedGraphQLErrors.is(error)) return error.errors.map((e) => `${e.message}${e.extensions?.code ? ` (${e.extensions.code})` : ''}`).join('; ');
  if (ServerError.is(error)) return `The hub answered ${error.statusCode}.`;
  return error instanceof Error ? error.message : String(error);
}
