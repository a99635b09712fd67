import { join } from 'node:path';

/**
 * The four Vigie services and the console as `npm start` runs them: one process each. The one
 * list of them: the benchmarks, docker-compose (checked by tools/scripts/docker-compose.spec.ts)
 * and the integration specs' stack (@vigie/testing) run the services with these entry points,
 * port variables and node options too.
 */
export interface ServiceProcessSpec {
  name: string;
  port: number;
  portVariable: string;
  main: string;
  /** Node/V8 options the service runs with, before its entry point. */
  nodeOptions?: readonly string[];
}

/**
 * V8's heap kept small where resident memory came near its target (< 300 MB each in
 * bench:pipeline): ingest, scoring and audit. Their live heaps are small (40–80 MB after 63k ads
 * through the pipeline); what the resident set adds is slack. The young generation is capped
 * at 4 MB a semi-space (V8's default is 16): their garbage is short-lived request and batch
 * data, collected sooner instead of letting the heap grow. Notice-and-takedown (about 260 MB
 * with V8's defaults) keeps them: its notice intake is latency-bound (bench:notices).
 */
const SERVICE_NODE_OPTIONS = ['--max-semi-space-size=4'] as const;

/**
 * Scoring's and audit's old generations, which V8 lets grow to several times the live heap
 * between full collections, are held to twice the live heap. Their peak RSS in bench:pipeline
 * fell from 340–370 MB (scoring) and 315–330 MB (audit) to about 230–275 MB, for 10–20 % more
 * CPU in each (measured side by side); ingest, under 300 MB without it, goes without.
 */
const HELD_HEAP_NODE_OPTIONS = [...SERVICE_NODE_OPTIONS, '--heap-growing-percent=100'] as const;

export const SERVICES: readonly ServiceProcessSpec[] = [
  { name: 'ingest', port: 3001, portVariable: 'INGEST_PORT', main: 'apps/ingest/src/main.ts', nodeOptions: SERVICE_NODE_OPTIONS },
  { name: 'scoring', port: 3002, portVariable: 'SCORING_PORT', main: 'apps/scoring/src/main.ts', nodeOptions: HELD_HEAP_NODE_OPTIONS },
  {
    name: 'notice-and-takedown',
    port: 3003,
    portVariable: 'NOTICE_AND_TAKEDOWN_PORT',
    main: 'apps/notice-and-takedown/src/main.ts',
  },
  { name: 'audit', port: 3004, portVariable: 'AUDIT_PORT', main: 'apps/audit/src/main.ts', nodeOptions: HELD_HEAP_NODE_OPTIONS },
  // Last: it only proxies the browser's calls to the services above.
  { name: 'console', port: 3000, portVariable: 'CONSOLE_PORT', main: 'apps/console/src/main.ts' },
];

/** The process specification of a service (or the console) by its name in `SERVICES`. */
export function serviceProcessSpec(name: string): ServiceProcessSpec {
  const spec = SERVICES.find((candidate) => candidate.name === name);
  if (!spec) throw new Error(`no service named "${name}" (known: ${SERVICES.map((known) => known.name).join(', ')})`);
  return spec;
}

/**
 * The node arguments that run a service's compiled entry point (`npm run build` writes
 * dist/): compiled code starts faster and uses about half the memory of on-the-fly
 * TypeScript. The service's own node options come after the preload and before the entry
 * point, as the image's entry point (`node -r preload`) and the service's command give them.
 * A benchmark comparing node options passes its own in their place.
 */
export function serviceNodeArgs(main: string, nodeOptionsInstead?: readonly string[]): string[] {
  const nodeOptions = nodeOptionsInstead ?? SERVICES.find((spec) => spec.main === main)?.nodeOptions ?? [];
  return ['-r', './tools/runtime/register-dist-aliases.js', ...nodeOptions, join('dist', main.replace(/\.ts$/, '.js'))];
}
