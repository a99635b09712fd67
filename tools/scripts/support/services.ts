import { join } from 'node:path';

/** The four Vigie services and the console as `npm start` runs them: one process each. */
export interface ServiceProcessSpec {
  name: string;
  port: number;
  portVariable: string;
  main: string;
}

export const SERVICES: readonly ServiceProcessSpec[] = [
  { name: 'ingest', port: 3001, portVariable: 'INGEST_PORT', main: 'apps/ingest/src/main.ts' },
  { name: 'scoring', port: 3002, portVariable: 'SCORING_PORT', main: 'apps/scoring/src/main.ts' },
  {
    name: 'notice-and-takedown',
    port: 3003,
    portVariable: 'NOTICE_AND_TAKEDOWN_PORT',
    main: 'apps/notice-and-takedown/src/main.ts',
  },
  { name: 'audit', port: 3004, portVariable: 'AUDIT_PORT', main: 'apps/audit/src/main.ts' },
  // Last: it only proxies the browser's calls to the services above.
  { name: 'console', port: 3000, portVariable: 'CONSOLE_PORT', main: 'apps/console/src/main.ts' },
];

/**
 * The node arguments that run a service's compiled entry point (`npm run build` writes
 * dist/): compiled code starts faster and uses about half the memory of on-the-fly
 * TypeScript.
 */
export function serviceNodeArgs(main: string): string[] {
  return ['-r', './tools/runtime/register-dist-aliases.js', join('dist', main.replace(/\.ts$/, '.js'))];
}
