import { parseArguments, requireOption, UsageError } from './cli-arguments';

describe('parseArguments', () => {
  it('separates positional words, valued options and flags', () => {
    expect(parseArguments(['platforms', 'create', '--id', 'acme', '--name=Acme Inc', '--json'])).toEqual({
      positional: ['platforms', 'create'],
      options: { id: 'acme', name: 'Acme Inc', json: true },
    });
  });

  it('requires named options with a clear usage error', () => {
    const parsed = parseArguments(['platforms', 'create', '--id']);
    expect(() => requireOption(parsed, 'id')).toThrow(new UsageError('--id <value> is required'));
    expect(() => parseArguments(['--'])).toThrow(UsageError);
  });
});
