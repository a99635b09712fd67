import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '../repo-root';
import { SERVICES, serviceNodeArgs, serviceProcessSpec } from './service-processes';

const PRELOAD = ['-r', './tools/runtime/register-dist-aliases.js'];

describe('service processes', () => {
  it('lists each service once, with its own entry point, port and port variable', () => {
    const root = findRepoRoot();
    for (const field of ['name', 'port', 'portVariable', 'main'] as const) {
      expect(new Set(SERVICES.map((spec) => spec[field])).size).toBe(SERVICES.length);
    }
    for (const spec of SERVICES) {
      expect(spec.main).toBe(`apps/${spec.name}/src/main.ts`);
      expect(existsSync(join(root, spec.main))).toBe(true);
    }
  });

  it('serviceProcessSpec finds a service by name and refuses an unknown one', () => {
    expect(serviceProcessSpec('notice-and-takedown').portVariable).toBe('NOTICE_AND_TAKEDOWN_PORT');
    expect(() => serviceProcessSpec('nat')).toThrow(/no service named "nat"/);
  });

  it('serviceNodeArgs puts the service node options between the preload and the compiled entry point', () => {
    expect(serviceNodeArgs('apps/scoring/src/main.ts')).toEqual([
      ...PRELOAD,
      '--max-semi-space-size=4',
      '--heap-growing-percent=100',
      join('dist', 'apps/scoring/src/main.js'),
    ]);
    expect(serviceNodeArgs('apps/ingest/src/main.ts')).toEqual([...PRELOAD, '--max-semi-space-size=4', join('dist', 'apps/ingest/src/main.js')]);
    expect(serviceNodeArgs('apps/notice-and-takedown/src/main.ts')).toEqual([...PRELOAD, join('dist', 'apps/notice-and-takedown/src/main.js')]);
  });

  it('serviceNodeArgs takes node options given instead of the service own, none included', () => {
    expect(serviceNodeArgs('apps/audit/src/main.ts', ['--cpu-prof'])).toEqual([...PRELOAD, '--cpu-prof', join('dist', 'apps/audit/src/main.js')]);
    expect(serviceNodeArgs('apps/audit/src/main.ts', [])).toEqual([...PRELOAD, join('dist', 'apps/audit/src/main.js')]);
  });
});
