// npm run bench: speed, memory, cold start and cost per fax of the bridge's Lambda handlers, run
// as the stack bundles them against the local stand-ins, and a burst of 1,000 emails through the
// whole local bridge. Prints the tables and writes bench/results.json. See bench/README.md for
// what each figure means and how it is measured.
//   npm run bench -- handlers        sections 1-7 only (results.json keeps its burst)
//   npm run bench -- burst           section 8 only (results.json keeps the rest)
//   BENCH_CASES=pdf-1p,pdf-40mb      only these emails (results.json is then left alone)
//   BENCH_CPU_PROF=<dir>             handler processes write V8 CPU profiles there
//                                    (read them with: tsx bench/profile-summary.ts <dir>/*.cpuprofile)
//   BENCH_BURST_EMAILS, BENCH_BURST_STEP_MS   the burst with other figures (results.json left alone)
import '../local/quiet-sdk';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { loadSweeperSettings } from '../functions/config/sweeper-settings';
import {
  type Bundle,
  bundleForLambda,
  bundleTool,
  infraDrift,
  REPO_ROOT,
  RUNTIME_SDK,
} from './bundles';
import { type BurstResult, runBurst } from './burst';
import { measureColdStart, writeLoader } from './cold-start';
import {
  type BurstCost,
  burstFaxCost,
  type FaxCost,
  faxCost,
  inboundMemoryAdvice,
  webhookMemoryAdvice,
} from './cost';
import type { DispatchResult } from './dispatch';
import { runDispatch } from './dispatch';
import { buildEmails } from './emails';
import { startEnvironment } from './environment';
import { type InboundCaseResult, RUNS, runInboundCase } from './inbound';
import { type BenchResults, printable, printableBurst, type Target, targets } from './report';
import { runWebhook } from './webhook';

const BUILD_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'fax-bridge-bench');
const RESULTS = path.join(REPO_ROOT, 'bench', 'results.json');
/** The email the cost of "one 3-page fax" is worked out from. */
const COST_CASE = 'pdf-3p';
const SECTIONS = ['handlers', 'burst'] as const;
type Section = (typeof SECTIONS)[number];

const log = (line: string) => console.log(line);

interface HandlerRun {
  results: BenchResults;
  targets: Target[];
  infraDrift: string[];
}

/** What results.json holds; each part is kept from the last run that measured it. */
type ResultsFile = Partial<BenchResults> & {
  generatedAt?: string;
  machine?: Machine;
  infraDrift?: string[];
  targets?: Target[];
  burst?: BurstResult & { cost: BurstCost; machine: Machine };
};

interface Machine {
  cpu: string;
  cores: number;
  node: string;
  loadAverage: { atStart: number[]; atEnd: number[] };
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg();
  const sections = chosenSections(process.argv.slice(2));
  const only = process.env.BENCH_CASES?.split(',').filter(Boolean);
  const burstOptions = {
    emails: numberSetting('BENCH_BURST_EMAILS'),
    stepMs: numberSetting('BENCH_BURST_STEP_MS'),
  };
  const previous = await readResults();
  const handlers = sections.has('handlers') ? await runHandlers(only) : undefined;
  let burst: ResultsFile['burst'];
  if (sections.has('burst')) {
    log('burst: starting the local bridge…');
    const measured = await runBurst(log, burstOptions);
    const alone = handlers?.results ?? previous;
    const cost = burstFaxCost(
      measured,
      alone?.cost && { cost: alone.cost, dispatch: alone.dispatch },
    );
    log('');
    for (const line of printableBurst(measured, cost)) log(line);
    burst = { ...measured, cost, machine: machineOf(loadAtStart) };
  }
  const machine = machineOf(loadAtStart);
  log('');
  log(
    `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load average ` +
      `${machine.loadAverage.atStart[0]} at the start and ${machine.loadAverage.atEnd[0]?.toFixed(2)} at the end ` +
      `(above ${machine.cores} the machine was shared and wall times are inflated; CPU times less so); ` +
      `${Math.round((Date.now() - started) / 1000)} s in all`,
  );
  const missed = burst?.checks.filter((check) => !check.met) ?? [];
  if (missed.length > 0) {
    throw new Error(
      `the burst missed: ${missed.map((c) => `${c.what} (${c.measured})`).join('; ')}`,
    );
  }
  if (only || burstOptions.emails !== undefined || burstOptions.stepMs !== undefined) {
    log('BENCH_CASES or BENCH_BURST_* is set: bench/results.json was left as it was');
    return;
  }
  const file: ResultsFile = {
    ...previous,
    ...(handlers && {
      generatedAt: new Date().toISOString(),
      machine,
      infraDrift: handlers.infraDrift,
      targets: handlers.targets,
      ...handlers.results,
    }),
    ...(burst && { burst }),
  };
  await writeFile(RESULTS, `${JSON.stringify(file, null, 2)}\n`);
  log(`wrote ${path.relative(process.cwd(), RESULTS)}`);
}

function chosenSections(args: string[]): Set<Section> {
  const unknown = args.filter((arg) => !(SECTIONS as readonly string[]).includes(arg));
  if (unknown.length > 0) {
    throw new Error(`unknown section ${unknown.join(', ')}: choose from ${SECTIONS.join(', ')}`);
  }
  return new Set(args.length > 0 ? (args as Section[]) : SECTIONS);
}

function numberSetting(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new Error(`${name} must be a whole number above 0`);
  return Number(value);
}

async function readResults(): Promise<ResultsFile | undefined> {
  try {
    return JSON.parse(await readFile(RESULTS, 'utf8')) as ResultsFile;
  } catch {
    return undefined;
  }
}

function machineOf(loadAtStart: number[]): Machine {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    loadAverage: { atStart: loadAtStart.map((l) => Math.round(l * 100) / 100), atEnd: loadavg() },
  };
}

/** Sections 1-7: each handler bundled as deployed, in its own process, against the stand-ins. */
async function runHandlers(only: string[] | undefined): Promise<HandlerRun> {
  const profileDir = process.env.BENCH_CPU_PROF && path.resolve(process.env.BENCH_CPU_PROF);
  const drift = infraDrift();
  if (drift.length > 0) {
    log(
      `warning: infra/constructs/bridge-function.ts or cdk.json no longer shows: ${drift.join('; ')}`,
    );
    log('         bench/bundles.ts mirrors its esbuild options; bring them back in line');
  }

  log('building the Lambda bundles and the test emails…');
  await mkdir(BUILD_DIR, { recursive: true });
  const build = (name: string, handler: string, external?: string[]) =>
    bundleForLambda(name, `functions/${handler}/handler.ts`, BUILD_DIR, external);
  const [inbound, webhook, dispatch, inboundSdkOut, webhookSdkOut, floor, worker, loader] =
    await Promise.all([
      build('inbound', 'inbound-email'),
      build('webhook', 'fax-webhook'),
      build('dispatch', 'fax-dispatch'),
      // What-if: the runtime's own AWS SDK (bundleAwsSDK: false) rather than one in the bundle.
      build('inbound-runtime-sdk', 'inbound-email', RUNTIME_SDK),
      build('webhook-runtime-sdk', 'fax-webhook', RUNTIME_SDK),
      bundleForLambda('floor', 'bench/floor-handler.ts', BUILD_DIR),
      bundleTool('bench/worker.ts', path.join(BUILD_DIR, 'worker.mjs')),
      writeLoader(BUILD_DIR),
    ]);
  const emails = (await buildEmails()).filter((e) => !only || only.includes(e.id));
  const warmUp = emails.find((e) => e.id === 'pdf-1p') ?? emails[0];
  if (!warmUp) throw new Error(`no email matches BENCH_CASES=${only?.join(',')}`);

  const environment = await startEnvironment();
  try {
    const cases: InboundCaseResult[] = [];
    for (const email of emails) {
      log(`inbound: ${email.label} (${RUNS[email.id]} runs and as many floor runs)…`);
      cases.push(
        await runInboundCase(
          environment,
          { worker, inbound: inbound.file, floor: floor.file, profileDir },
          email,
          warmUp,
        ),
      );
    }
    log('webhook: signed events…');
    const hooks = await runWebhook(environment, { worker, webhook: webhook.file, profileDir });
    log('dispatch: one SQS record at a time…');
    const dispatched = await runDispatch(environment, {
      worker,
      dispatch: dispatch.file,
      profileDir,
    });
    log('cold start: fresh node processes loading each bundle…');
    const coldStart = [];
    for (const bundle of [inbound, webhook, dispatch, inboundSdkOut, webhookSdkOut] as Bundle[]) {
      coldStart.push(await measureColdStart(bundle, loader, environment.env));
    }
    const results = handlerResults(cases, hooks, dispatched, coldStart, environment.env);
    const list = targets(results);
    log('');
    for (const line of printable(results, list)) log(line);
    return { results, targets: list, infraDrift: drift };
  } finally {
    await environment.stop();
  }
}

function handlerResults(
  cases: InboundCaseResult[],
  hooks: BenchResults['webhook'],
  dispatched: DispatchResult,
  coldStart: BenchResults['coldStart'],
  env: Record<string, string>,
): BenchResults {
  const costCase = cases.find((c) => c.id === COST_CASE) ?? (cases[0] as InboundCaseResult);
  const webhookLoad = coldStart.find((s) => s.name === 'webhook');
  const webhookMemory = webhookMemoryAdvice(hooks, {
    wallMs: webhookLoad?.loadMs.median ?? 0,
    cpuMs: webhookLoad?.loadCpuMs.median ?? 0,
  });
  const sweeper = loadSweeperSettings(env);
  const costAt = (inboundMemoryMb: number): FaxCost =>
    faxCost({
      email: costCase,
      pages: 3,
      webhook: hooks,
      dispatch: dispatched,
      inboundMemoryMb,
      webhookMemoryMb: webhookMemory.recommendedMb,
      retentionDays: sweeper.flow.retentionDays,
      // The deployed schedule, not the local mode's 10 s.
      sweepIntervalSeconds: DEPLOYED_SWEEP_INTERVAL_SECONDS,
      channels: sweeper.flow.channels,
    });
  const inboundMemory = inboundMemoryAdvice(cases, costAt);
  return {
    inbound: cases,
    webhook: hooks,
    dispatch: dispatched,
    coldStart,
    cost: costAt(inboundMemory.recommendedMb),
    memory: { inbound: inboundMemory, webhook: webhookMemory },
  };
}

/** SWEEP_INTERVAL_SECONDS's default (functions/config/runtime-variables.ts). */
const DEPLOYED_SWEEP_INTERVAL_SECONDS = 600;

await main();
