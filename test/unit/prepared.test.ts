import { prepared, preparedStatementsOn } from '../../src/database/prepared';

/** A pg client stand-in that records what it was asked to run and fails when told to. */
function fakeClient(fail?: string) {
  const sent: unknown[] = [];
  const client = {
    query: (config: unknown, values?: unknown) => {
      sent.push(values === undefined ? config : [config, values]);
      if (fail && typeof config === 'object') return Promise.reject(Object.assign(new Error('lost'), { code: fail }));
      return Promise.resolve({ rows: [] });
    },
  };
  return { client, sent };
}

describe('prepared statements', () => {
  it('send a marked statement with parameters by a name of its text, and anything else as it is', async () => {
    const { client, sent } = fakeClient();
    preparedStatementsOn(client);
    const a = prepared('SELECT $1::int');
    const b = prepared('SELECT $1::text');
    await client.query(a, [1]);
    await client.query(a, [2]);
    await client.query(b, ['x']);
    await client.query('SELECT $1::int', [3]);
    await client.query(prepared('SELECT 1'));
    const [first, second, third] = sent as { name: string; text: string; values: unknown[] }[];
    expect(first).toEqual({ name: expect.stringMatching(/^hub_[0-9a-f]{24}$/), text: a, values: [1] });
    expect(second).toEqual({ name: first.name, text: a, values: [2] });
    expect(third.name).not.toBe(first.name);
    expect(sent.slice(3)).toEqual([['SELECT $1::int', [3]], prepared('SELECT 1')]);
  });

  it('stop for the process when a pooler loses one, and run the next ones unnamed', async () => {
    const lost = fakeClient('26000');
    preparedStatementsOn(lost.client);
    await expect(lost.client.query(prepared('SELECT $1::int'), [1])).rejects.toMatchObject({ code: '26000' });
    const other = fakeClient();
    preparedStatementsOn(other.client);
    await other.client.query(prepared('SELECT $1::int'), [2]);
    expect(other.sent).toEqual([[prepared('SELECT $1::int'), [2]]]);
  });
});
