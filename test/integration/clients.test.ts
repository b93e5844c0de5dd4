import { ApolloClient, HttpLink, InMemoryCache, gql as apolloGql } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import type { GraphQLClient as GraphQLClientType } from 'graphql-request' with { 'resolution-mode': 'import' };
import type { ObservableQuery } from '@apollo/client';
import { startTestHub, TestHub } from '../harness/hub';

/**
 * The README's example operations through the clients integrators run: graphql-request's GraphQLClient and
 * Apollo Client (core entry point, no React) with a normalized cache and relayStylePagination on a
 * connection, paged with fetchMore forward and backward. Apollo Client 4 loads as CommonJS under ts-jest;
 * graphql-request 7 declares only ESM types, so it is loaded with a dynamic import() (jest runs with
 * --experimental-vm-modules).
 */
let t: TestHub;
let GraphQLClient: typeof GraphQLClientType;
beforeAll(async () => {
  t = await startTestHub();
  ({ GraphQLClient } = await import('graphql-request'));
});

/** The first settled result of a watched query (Apollo Client 4 observables are RxJS). */
function settled(q: ObservableQuery<any>): Promise<any> {
  return new Promise((resolve, reject) => {
    const sub = q.subscribe({
      next: (r) => { if (!r.loading) { resolve(r); queueMicrotask(() => sub.unsubscribe()); } },
      error: reject,
    });
  });
}
afterAll(async () => {
  await t.stop();
});

/** README "Example queries" and the walk-through, as operations with variables. */
const README = {
  upsertEvidence: `mutation($externalId: String!) { upsertEvidence(input: { sourceSystem: "confluence", externalId: $externalId, title: "Competence procedure", kind: PROCEDURE,
    uri: "https://wiki.example.com/proc-7", effectiveAt: "2026-01-15T00:00:00Z", reviewCadence: P1Y, status: ACCEPTED,
    links: [{ framework: "iso27001", ref: "7.2" }, { framework: "iso27001", ref: "4.1" }] }) { outcome evidence { id externalId validUntil } } }`,
  coverageSummary: `{ coverageSummary { framework { id key } totals { covered prefilled partial gap } } }`,
  coveragePage: `query($after: String) { coverage(framework: "iso42001") { framework { id key } totals { covered prefilled partial gap }
    requirements(first: 20, after: $after) { totalCount edges { cursor node { requirement { id ref } status } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`,
  gaps: `{ gaps(framework: "iso42001") { items { requirement { id ref } status } } }`,
  reusePotential: `{ reusePotential(from: "iso27001", to: "iso42001") { totals { assessable full partial none } } }`,
};

/** Apollo adds __typename to every selection; the comparison is about the fields asked. */
function withoutTypename<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (k, v) => (k === '__typename' ? undefined : v)));
}

describe('graphql-request GraphQLClient', () => {
  it('runs the README operations and answers what the API answers', async () => {
    const client = new GraphQLClient(t.url, { headers: { authorization: `Bearer ${t.token}` } });
    const created = await client.request<any>(README.upsertEvidence, { externalId: 'PROC-7' });
    expect(created.upsertEvidence.outcome).toBe('CREATED');
    expect((await client.request<any>(README.upsertEvidence, { externalId: 'PROC-7' })).upsertEvidence.outcome).toBe('UNCHANGED');
    for (const name of ['coverageSummary', 'coveragePage', 'gaps', 'reusePotential'] as const) {
      const viaClient = await client.request<any>(README[name]);
      expect([name, viaClient]).toEqual([name, await t.data(README[name])]);
    }
    const summary = await client.request<any>(README.coverageSummary);
    expect(summary.coverageSummary.find((r: any) => r.framework.key === 'iso27001').totals.covered).toBeGreaterThanOrEqual(2);
    // Page through the coverage requirements with the client, cursor by cursor.
    const refs: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await client.request<any>(README.coveragePage, { after })).coverage.requirements;
      refs.push(...page.edges.map((e: any) => e.node.requirement.ref));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(refs.length).toBe((await client.request<any>(README.coveragePage)).coverage.requirements.totalCount);
  });

  it('surfaces the stable error code', async () => {
    const client = new GraphQLClient(t.url, { headers: { authorization: `Bearer ${t.token}` } });
    await expect(client.request(`{ coverage(framework: "no-such") { totals { gap } } }`)).rejects.toMatchObject({
      response: { errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })] },
    });
  });
});

describe('Apollo Client', () => {
  const apollo = () => new ApolloClient({
    link: new HttpLink({ uri: t.url, headers: { authorization: `Bearer ${t.token}` }, fetch }),
    cache: new InMemoryCache({ typePolicies: { Query: { fields: { evidences: relayStylePagination(['filter']) } } } }),
  });
  const EVIDENCES = apolloGql`query($first: Int, $after: String, $last: Int, $before: String) {
    evidences(first: $first, after: $after, last: $last, before: $before, filter: { sourceSystem: "apollo" }) {
      totalCount edges { cursor node { id externalId title } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }`;

  beforeAll(async () => {
    for (let i = 0; i < 11; i++) {
      await t.data(`mutation { upsertEvidence(input: { sourceSystem: "apollo", externalId: "A-${String(i).padStart(2, '0')}", title: "apollo ${i}", kind: RECORD,
        effectiveAt: "2026-01-01T00:00:00Z" }) { outcome } }`);
    }
  });

  it('runs the README operations, queries and the mutation, through the normalized cache', async () => {
    const client = apollo();
    const created: any = await client.mutate({ mutation: apolloGql(README.upsertEvidence), variables: { externalId: 'PROC-8' } });
    expect(created.data.upsertEvidence.outcome).toBe('CREATED');
    for (const name of ['coverageSummary', 'coveragePage', 'gaps', 'reusePotential'] as const) {
      const res = await client.query<any>({ query: apolloGql(README[name]), fetchPolicy: 'network-only' });
      expect([name, withoutTypename(res.data)]).toEqual([name, await t.data(README[name])]);
    }
    // The evidence is one normalized object, whichever answer brought it.
    const id = created.data.upsertEvidence.evidence.id;
    expect((client.cache.extract() as Record<string, unknown>)[`Evidence:${id}`]).toEqual(expect.objectContaining({ externalId: 'PROC-8' }));
    client.stop();
  });

  it('relayStylePagination merges fetchMore pages forward and backward into the full list', async () => {
    const full = (await t.data(`{ evidences(first: 200, filter: { sourceSystem: "apollo" }) { edges { node { externalId } } } }`)).evidences.edges.map((e: any) => e.node.externalId);
    expect(full).toHaveLength(11);
    const ids = (data: any) => data.evidences.edges.map((e: any) => e.node.externalId);

    // Forward: first page, then fetchMore with after = endCursor until the end.
    const forward = apollo();
    const fq = forward.watchQuery<any>({ query: EVIDENCES, variables: { first: 4 } });
    const sub = fq.subscribe(() => undefined);
    let result = await settled(fq);
    expect(ids(result.data)).toEqual(full.slice(0, 4));
    // What the watched query renders: the merged list in the cache (getCurrentResult lags behind fetchMore's cache write).
    for (let i = 0; result.data.evidences.pageInfo.hasNextPage && i < 10; i++) {
      await fq.fetchMore({ variables: { first: 4, after: result.data.evidences.pageInfo.endCursor } });
      result = { data: forward.readQuery<any>({ query: EVIDENCES, variables: { first: 4 } }) };
    }
    expect(ids(result.data)).toEqual(full);
    expect(result.data.evidences.pageInfo).toEqual(expect.objectContaining({ hasNextPage: false }));
    sub.unsubscribe();
    forward.stop();

    // Backward: the last page, then fetchMore with before = startCursor until the start.
    const backward = apollo();
    const bq = backward.watchQuery<any>({ query: EVIDENCES, variables: { last: 4 } });
    const bsub = bq.subscribe(() => undefined);
    result = await settled(bq);
    expect(ids(result.data)).toEqual(full.slice(-4));
    for (let i = 0; result.data.evidences.pageInfo.hasPreviousPage && i < 10; i++) {
      await bq.fetchMore({ variables: { last: 4, before: result.data.evidences.pageInfo.startCursor } });
      result = { data: backward.readQuery<any>({ query: EVIDENCES, variables: { last: 4 } }) };
    }
    expect(ids(result.data)).toEqual(full);
    expect(result.data.evidences.pageInfo).toEqual(expect.objectContaining({ hasPreviousPage: false }));
    bsub.unsubscribe();
    backward.stop();
  });
});
