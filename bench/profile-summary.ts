// Reads V8 CPU profiles of the handler processes (BENCH_CPU_PROF=<dir> npm run bench) and prints
// where the time went: self time by source location, mapped back through the bundles' source
// maps, and total time by package. Usage: tsx bench/profile-summary.ts <file.cpuprofile>… [top]
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const maps = new Map<string, { map: SourceMap; dir: string } | undefined>();

function sourceMapOf(url: string) {
  if (!maps.has(url)) {
    const file = url.startsWith('file:') ? fileURLToPath(url) : url;
    const map = `${file}.map`;
    maps.set(
      url,
      existsSync(map)
        ? { map: new SourceMap(JSON.parse(readFileSync(map, 'utf8'))), dir: path.dirname(file) }
        : undefined,
    );
  }
  return maps.get(url);
}

/**
 * `file:line` of a frame, through the bundle's source map when there is one, and the package it
 * belongs to (`fax-bridge` for our own code; none for Node's internals and V8's pseudo-frames).
 */
function place(frame: ProfileNode['callFrame']): { where: string; pkg?: string } {
  const bundle = sourceMapOf(frame.url);
  const entry = bundle?.map.findEntry(frame.lineNumber, frame.columnNumber) as
    | { originalSource?: string; originalLine?: number }
    | undefined;
  const mapped = bundle && entry?.originalSource;
  const source = mapped ? path.resolve(bundle.dir, mapped) : frame.url;
  const line = (mapped ? entry.originalLine : frame.lineNumber) ?? 0;
  const pkg =
    /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1] ??
    (/\/(functions|bench)\//.test(source) ? 'fax-bridge' : undefined);
  const short = source.replace(/^.*node_modules\//, '').replace(/^.*\/(functions|bench)\//, '$1/');
  return {
    where: `${frame.functionName || '(anonymous)'}  ${short || '(native)'}:${line + 1}`,
    pkg,
  };
}

export function summarizeProfile(profile: Profile, top = 25): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const bySelf = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of selfTime) {
    const node = byId.get(id);
    if (!node) continue;
    total += micros;
    const { where } = place(node.callFrame);
    bySelf.set(where, (bySelf.get(where) ?? 0) + micros);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame) break;
      const { pkg } = place(frame);
      if (pkg && !seen.has(pkg)) byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
      if (pkg) seen.add(pkg);
    }
  }
  const ms = (micros: number) => `${(micros / 1000).toFixed(0).padStart(7)} ms`;
  const ranked = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, micros]) => `${ms(micros)}  ${key}`);
  return [
    `${ms(total)}  sampled in all`,
    'self time by place:',
    ...ranked(bySelf),
    'total time by package (a package calling another counts both):',
    ...ranked(byPackage),
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const top = /^\d+$/.test(args.at(-1) ?? '') ? Number(args.pop()) : 25;
  for (const file of args) {
    console.log(`== ${file}`);
    for (const line of summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), top))
      console.log(line);
  }
}
