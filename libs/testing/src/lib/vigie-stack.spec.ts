import { SERVICES, serviceNodeArgs } from '@vigie/provisioning';
import { STACK_SERVICE_PROCESS_NAMES, stackServiceNodeArgs, stackServiceSpec, type StackServiceName } from './vigie-stack';

const stackServices = Object.keys(STACK_SERVICE_PROCESS_NAMES) as StackServiceName[];

describe('the stack services as processes', () => {
  it('are the four services of SERVICES, the console aside', () => {
    expect(stackServices.map((name) => stackServiceSpec(name).name).sort()).toEqual(
      SERVICES.map((spec) => spec.name).filter((name) => name !== 'console').sort(),
    );
    expect(stackServiceSpec('nat').main).toBe('apps/notice-and-takedown/src/main.ts');
  });

  it.each(stackServices)('%s runs from dist/ with the node arguments of npm start', (name) => {
    expect(stackServiceNodeArgs(name, 'dist')).toEqual(serviceNodeArgs(stackServiceSpec(name).main));
  });

  it.each(stackServices)('%s runs through ts-node with its node options after the preloads, before the entry point', (name) => {
    const { main, nodeOptions = [] } = stackServiceSpec(name);
    expect(stackServiceNodeArgs(name, 'ts-node')).toEqual(['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', ...nodeOptions, main]);
  });

  it('gives scoring its held heap in both runtimes', () => {
    for (const runtime of ['dist', 'ts-node'] as const) {
      const args = stackServiceNodeArgs('scoring', runtime);
      expect(args.slice(-3, -1)).toEqual(['--max-semi-space-size=4', '--heap-growing-percent=100']);
    }
  });
});
