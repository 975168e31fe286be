// The Lambda bundles, built by esbuild with the options infra/constructs/bridge-function.ts gives
// NodejsFunction. NodejsFunction's own option names differ from esbuild's, so they are mirrored
// here (the banner and the aliases are imported), and `infraDrift` says which of them its source no longer shows.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { BUNDLE_ALIASES, ESM_REQUIRE_SHIM } from '../infra/constructs/bridge-function';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const INFRA_SOURCE = path.join(REPO_ROOT, 'infra', 'constructs', 'bridge-function.ts');

// What NodejsFunction turns `bundling` into (aws-lambda-nodejs/lib/bundling.js): with
// bundleAwsSDK true the AWS SDK goes into the bundle; the output file is index.mjs for ESM.
// RUNTIME_SDK is what would stay out for the runtime's own copy (bundleAwsSDK false).
const LAMBDA_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  banner: { js: ESM_REQUIRE_SHIM },
  alias: BUNDLE_ALIASES,
  logLevel: 'warning',
};
export const RUNTIME_SDK = ['@aws-sdk/*', '@smithy/*'];

/** The `bundling` settings of bridge-function.ts this file mirrors, as they appear in its source. */
const MIRRORED_SOURCE = [
  'format: OutputFormat.ESM',
  "target: 'node24'",
  "mainFields: ['module', 'main']",
  'minify: true',
  'sourceMap: true',
  'sourcesContent: false',
  'bundleAwsSDK: true',
  'banner: ESM_REQUIRE_SHIM',
  "'--alias': Object.entries(BUNDLE_ALIASES)",
  'Architecture.ARM_64',
  'NODEJS_24_X',
];

/** Settings mirrored here that infra's source no longer shows (empty when they agree). */
export function infraDrift(): string[] {
  const source = readFileSync(INFRA_SOURCE, 'utf8');
  return MIRRORED_SOURCE.filter((text) => !source.includes(text));
}

export interface Bundle {
  name: string;
  file: string;
  bytes: number;
  mapBytes: number;
  /** Output bytes by npm package (or `functions/` for our own code), largest first. */
  packages: { name: string; bytes: number }[];
}

/**
 * Bundles `entry` as the stack deploys it, into `<outdir>/<name>/index.mjs`; `external` changes
 * what stays out (RUNTIME_SDK: the runtime's AWS SDK), to see what another choice would give.
 */
export async function bundleForLambda(
  name: string,
  entry: string,
  outdir: string,
  external: string[] = [],
): Promise<Bundle> {
  const file = path.join(outdir, name, 'index.mjs');
  const result = await build({
    ...LAMBDA_OPTIONS,
    external,
    entryPoints: [entry],
    outfile: file,
    absWorkingDir: REPO_ROOT,
    metafile: true,
  });
  return {
    name,
    file,
    bytes: statSync(file).size,
    mapBytes: statSync(`${file}.map`).size,
    packages: packageSizes(
      result.metafile ?? { inputs: {}, outputs: {} },
      path.relative(REPO_ROOT, file),
    ),
  };
}

/** A plain ESM bundle for the benchmark's own child processes (no minifying, no banner needs). */
export async function bundleTool(entry: string, file: string): Promise<string> {
  await build({
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    entryPoints: [entry],
    outfile: file,
    absWorkingDir: REPO_ROOT,
    banner: LAMBDA_OPTIONS.banner,
    logLevel: 'warning',
  });
  return file;
}

function packageSizes(metafile: Metafile, output: string): Bundle['packages'] {
  const inputs = metafile.outputs[output]?.inputs ?? {};
  const sizes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const name = match?.[1] ?? input.split('/')[0] ?? input;
    sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
  }
  return [...sizes].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}
