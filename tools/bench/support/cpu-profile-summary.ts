// Reads the V8 CPU profiles that `node --cpu-prof` writes and says where the time went: self
// time per package or workspace file, and the hottest functions.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Wall-clock windows (epoch ms) to keep, e.g. the load phases; the profile's end is placed at `endedAtMs`. */
export interface ProfileWindows {
  endedAtMs: number;
  windows: { fromMs: number; toMs: number }[];
}

export interface CpuProfileSummary {
  file: string;
  /** CPU time sampled (in the windows when given), idle excluded. */
  busyMs: number;
  idleMs: number;
  /** Self time by where the code lives: a package, a workspace file, node internals, GC, idle. */
  areas: { area: string; percent: number }[];
  functions: { fn: string; percent: number }[];
}

function areaOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : `native ${functionName}`;
  if (url.startsWith('node:')) return 'node internals';
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1] as string;
  const workspace = /(?:dist\/)?((?:apps|libs|tools)\/.*)$/.exec(url);
  return workspace ? (workspace[1] as string).replace(/\.js$/, '') : url;
}

/** Summarises the newest `.cpuprofile` in a folder, within the given windows when there are some. */
export function summariseLatestProfile(folder: string, within?: ProfileWindows, top = 15): CpuProfileSummary | null {
  const files = readdirSync(folder).filter((name) => name.endsWith('.cpuprofile')).sort();
  const file = files.at(-1);
  if (!file) return null;
  const profile = JSON.parse(readFileSync(join(folder, file), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  let at = profile.startTime;
  const kept = (sampledAt: number) => {
    if (!within) return true;
    const wall = within.endedAtMs - (profile.endTime - sampledAt) / 1000;
    return within.windows.some((window) => wall >= window.fromMs && wall <= window.toMs);
  };
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (!node || !kept(at)) return;
    if (node.callFrame.functionName === '(idle)') {
      idleUs += delta;
      return;
    }
    totalUs += delta;
    const area = areaOf(node.callFrame);
    areas.set(area, (areas.get(area) ?? 0) + delta);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${area}:${node.callFrame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + delta);
  });
  const ranked = (counts: Map<string, number>) =>
    [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => [name, Math.round((us / totalUs) * 1000) / 10] as const);
  return {
    file: join(folder, file),
    busyMs: Math.round(totalUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    areas: ranked(areas).map(([area, percent]) => ({ area, percent })),
    functions: ranked(functions).map(([fn, percent]) => ({ fn, percent })),
  };
}
