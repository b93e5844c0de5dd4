import { ErrorCode, fromDatabaseError } from '../../src/graphql/errors';

/** Which database errors a client may retry: a lost connection yes, a statement the server itself got wrong no. */
describe('fromDatabaseError', () => {
  it('answers a broken connection (class 08) or a shutdown (57P) as SERVICE_UNAVAILABLE', () => {
    for (const code of ['08006', '08001', '57P01']) {
      expect([code, fromDatabaseError({ code, message: 'terminating connection' })?.code]).toEqual([code, ErrorCode.SERVICE_UNAVAILABLE]);
    }
  });

  it('does not pass a protocol violation (08P01, e.g. a wrong bind parameter count) off as an outage: it stays an internal error', () => {
    expect(fromDatabaseError({ code: '08P01', message: 'bind message supplies 1 parameters, but prepared statement "" requires 2' })).toBeNull();
  });
});
