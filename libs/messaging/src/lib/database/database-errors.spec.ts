import { isDatabaseUnavailable, isTransientDatabaseError } from './database-errors';

describe('isDatabaseUnavailable', () => {
  it('recognises a database that is away, however the driver and TypeORM wrap it', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('database "x" is not currently accepting connections'))).toBe(true);
    expect(isDatabaseUnavailable({ message: 'query failed', driverError: { code: '08006', message: 'connection failure' } })).toBe(true);
    expect(isDatabaseUnavailable(new Error('fetch failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }))).toBe(true);
  });

  it('leaves wrong queries and everything else to the usual handling', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('something else'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    const loop: { cause?: unknown; message: string } = { message: 'loop' };
    loop.cause = loop;
    expect(isDatabaseUnavailable(loop)).toBe(false);
  });
});

describe('isTransientDatabaseError', () => {
  it('takes a database that is away, a deadlock, a serialization failure and a lock timeout for passing troubles', () => {
    expect(isTransientDatabaseError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(true);
    expect(isTransientDatabaseError({ message: 'query failed', driverError: { code: '40001', message: 'could not serialize access' } })).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('could not obtain lock'), { code: '55P03' }))).toBe(true);
    expect(isTransientDatabaseError(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('leaves an error of the work itself to be dealt with as such', () => {
    expect(isTransientDatabaseError(Object.assign(new Error('value too long'), { code: '22001' }))).toBe(false);
    expect(isTransientDatabaseError(new TypeError('cannot read properties of undefined'))).toBe(false);
  });
});
