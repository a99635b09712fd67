import { join } from 'node:path';

/** The four Vigie services and the console as `npm start` runs them: one process each. */
export interface ServiceProcessSpec {
  name: string;
  port: number;
  portVariable: string;
  main: string;
  /** Node/V8 options the service runs with, before its entry point. */
  nodeOptions?: readonly string[];
}

/**
 * Ingest's young generation capped at 4 MB a semi-space (V8's default is 16): streaming a
 * 1M-ad NDJSON import then peaks at 275 MB resident instead of 321, for about 5 % more CPU per
 * ad (bench:ingest, measured side by side). Its garbage is short-lived request data, which a
 * smaller young generation collects sooner instead of letting the heap grow.
 */
const INGEST_NODE_OPTIONS = ['--max-semi-space-size=4'] as const;

export const SERVICES: readonly ServiceProcessSpec[] = [
  { name: 'ingest', port: 3001, portVariable: 'INGEST_PORT', main: 'apps/ingest/src/main.ts', nodeOptions: INGEST_NODE_OPTIONS },
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
 * TypeScript. The service's own node options come after the preload and before the entry
 * point, as the image's entry point (`node -r preload`) and the service's command give them.
 */
export function serviceNodeArgs(main: string): string[] {
  const nodeOptions = SERVICES.find((spec) => spec.main === main)?.nodeOptions ?? [];
  return ['-r', './tools/runtime/register-dist-aliases.js', ...nodeOptions, join('dist', main.replace(/\.ts$/, '.js'))];
}
