// Section 5: each function's bundle, and how long a fresh Node process takes to load it (the
// module's top level: settings, clients, key) as the stack deploys it (no source maps loaded),
// in wall and in CPU time, and what --enable-source-maps would add.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Bundle } from './bundles';
import { MB, round, type Summary, summarize } from './stats';

const run = promisify(execFile);
const LOADS = 11;

// A process that loads one bundle and says how long the import took and what it cost.
const LOADER = `
const cpu = process.cpuUsage();
const started = performance.now();
const module = await import(process.argv[2]);
const ms = performance.now() - started;
const used = process.cpuUsage(cpu);
if (typeof module.handler !== 'function') throw new Error('no handler export');
console.log(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, rss: process.memoryUsage().rss }));
`;

export interface ColdStart {
  name: string;
  bytes: number;
  mapBytes: number;
  /** Import time as deployed: no NODE_OPTIONS, so no source maps are loaded. */
  loadMs: Summary;
  /** CPU time of the import: steadier than wall time on a shared machine. */
  loadCpuMs: Summary;
  /** The same with --enable-source-maps, which the stack no longer sets. */
  withSourceMaps: { loadMs: Summary; loadCpuMs: Summary };
  /** RSS of the process once the bundle is loaded (as deployed). */
  rssMb: number;
  largestPackages: { name: string; kb: number }[];
}

export async function writeLoader(dir: string): Promise<string> {
  const file = path.join(dir, 'load-bundle.mjs');
  await writeFile(file, LOADER);
  return file;
}

export async function measureColdStart(
  bundle: Bundle,
  loader: string,
  env: Record<string, string>,
): Promise<ColdStart> {
  const load = async (sourceMaps: boolean) => {
    const { stdout } = await run(
      process.execPath,
      [...(sourceMaps ? ['--enable-source-maps'] : []), loader, bundle.file],
      { env: { PATH: process.env.PATH ?? '', ...env } },
    );
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      ms: number;
      cpuMs: number;
      rss: number;
    };
  };
  const deployed: Awaited<ReturnType<typeof load>>[] = [];
  const withMaps: Awaited<ReturnType<typeof load>>[] = [];
  // Alternated, so that a busy moment on the machine falls on both alike.
  for (let i = 0; i < LOADS; i++) {
    deployed.push(await load(false));
    withMaps.push(await load(true));
  }
  return {
    name: bundle.name,
    bytes: bundle.bytes,
    mapBytes: bundle.mapBytes,
    loadMs: summarize(deployed.map((l) => l.ms)),
    loadCpuMs: summarize(deployed.map((l) => l.cpuMs)),
    withSourceMaps: {
      loadMs: summarize(withMaps.map((l) => l.ms)),
      loadCpuMs: summarize(withMaps.map((l) => l.cpuMs)),
    },
    rssMb: round(summarize(deployed.map((l) => l.rss)).median / MB, 0),
    largestPackages: bundle.packages
      .slice(0, 8)
      .map((p) => ({ name: p.name, kb: round(p.bytes / 1024, 0) })),
  };
}
