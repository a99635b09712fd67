import { cpus, loadavg, release, totalmem } from 'node:os';

const twoDigits = (value: number) => Math.round(value * 100) / 100;

/** What a results file records about the machine: cores, memory, Node, OS, and its load around the run. */
export function machineInfo(loadAverageAtStart: number[]) {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    totalMemMb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    os: `${process.platform} ${release()}`,
    loadAverageAtStart: loadAverageAtStart.map(twoDigits),
    loadAverageAtEnd: loadavg().map(twoDigits),
  };
}
