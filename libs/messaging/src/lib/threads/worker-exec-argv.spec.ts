import { workerThreadExecArgv } from './worker-exec-argv';

describe('workerThreadExecArgv', () => {
  it('compiles a TypeScript module with ts-node and the workspace aliases', () => {
    expect(workerThreadExecArgv('/w/libs/x/thread.worker.ts', ['--max-semi-space-size=4'])).toEqual([
      '--require',
      'ts-node/register/transpile-only',
      '--require',
      'tsconfig-paths/register',
    ]);
  });

  it("keeps a compiled module's --require hooks and drops the process's V8 flags", () => {
    expect(
      workerThreadExecArgv('/w/dist/libs/x/thread.worker.js', ['-r', './tools/runtime/register-dist-aliases.js', '--max-semi-space-size=4', '--heap-growing-percent=100', '--require=./other.js']),
    ).toEqual(['--require', './tools/runtime/register-dist-aliases.js', '--require=./other.js']);
  });
});
