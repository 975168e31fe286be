// npm run bench: speed, memory, cold start and cost per fax of the bridge's two Lambda handlers,
// run as the stack bundles them against the local stand-ins. Prints the tables and writes
// bench/results.json. See bench/README.md for what each figure means and how it is measured.
//   BENCH_CASES=pdf-1p,pdf-40mb  only these emails (results.json is then left alone)
//   BENCH_CPU_PROF=<dir>         handler processes write V8 CPU profiles there
//                                (read them with: tsx bench/profile-summary.ts <dir>/*.cpuprofile)
import '../local/quiet-sdk';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import {
  type Bundle,
  bundleForLambda,
  bundleTool,
  infraDrift,
  REPO_ROOT,
  RUNTIME_SDK,
} from './bundles';
import { measureColdStart, writeLoader } from './cold-start';
import { faxCost, inboundMemoryAdvice, webhookMemoryAdvice } from './cost';
import { buildEmails } from './emails';
import { startEnvironment } from './environment';
import { type InboundCaseResult, RUNS, runInboundCase } from './inbound';
import { type BenchResults, printable, targets } from './report';
import { runWebhook } from './webhook';

const BUILD_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'fax-bridge-bench');
const RESULTS = path.join(REPO_ROOT, 'bench', 'results.json');
/** The email the cost of "one 3-page fax" is worked out from. */
const COST_CASE = 'pdf-3p';

const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg();
  const only = process.env.BENCH_CASES?.split(',').filter(Boolean);
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
  const [inbound, webhook, inboundSdkOut, webhookSdkOut, floor, worker, loader] = await Promise.all(
    [
      build('inbound', 'inbound-email'),
      build('webhook', 'fax-webhook'),
      // What-if: the runtime's own AWS SDK (bundleAwsSDK: false) rather than one in the bundle.
      build('inbound-runtime-sdk', 'inbound-email', RUNTIME_SDK),
      build('webhook-runtime-sdk', 'fax-webhook', RUNTIME_SDK),
      bundleForLambda('floor', 'bench/floor-handler.ts', BUILD_DIR),
      bundleTool('bench/worker.ts', path.join(BUILD_DIR, 'worker.mjs')),
      writeLoader(BUILD_DIR),
    ],
  );
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
    log('cold start: fresh node processes loading each bundle…');
    const coldStart = [];
    for (const bundle of [inbound, webhook, inboundSdkOut, webhookSdkOut] as Bundle[]) {
      coldStart.push(await measureColdStart(bundle, loader, environment.env));
    }

    const costCase = cases.find((c) => c.id === COST_CASE) ?? (cases[0] as InboundCaseResult);
    const webhookLoad = coldStart.find((s) => s.name === 'webhook');
    const webhookMemory = webhookMemoryAdvice(hooks, {
      wallMs: webhookLoad?.loadMs.median ?? 0,
      cpuMs: webhookLoad?.loadCpuMs.median ?? 0,
    });
    const retentionDays = Number(environment.env.RETENTION_DAYS ?? 7);
    const costAt = (inboundMemoryMb: number) =>
      faxCost({
        email: costCase,
        pages: 3,
        webhook: hooks,
        inboundMemoryMb,
        webhookMemoryMb: webhookMemory.recommendedMb,
        retentionDays,
      });
    const inboundMemory = inboundMemoryAdvice(cases, costAt);
    const results: BenchResults = {
      inbound: cases,
      webhook: hooks,
      coldStart,
      cost: costAt(inboundMemory.recommendedMb),
      memory: { inbound: inboundMemory, webhook: webhookMemory },
    };
    const list = targets(results);
    log('');
    for (const line of printable(results, list)) log(line);
    const machine = {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      loadAverage: { atStart: loadAtStart.map((l) => Math.round(l * 100) / 100), atEnd: loadavg() },
    };
    log('');
    log(
      `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load average ` +
        `${machine.loadAverage.atStart[0]} at the start and ${machine.loadAverage.atEnd[0]?.toFixed(2)} at the end ` +
        `(above ${machine.cores} the machine was shared and wall times are inflated; CPU times less so); ` +
        `${Math.round((Date.now() - started) / 1000)} s in all`,
    );
    if (only) {
      log('BENCH_CASES is set: bench/results.json was left as it was');
      return;
    }
    await writeFile(
      RESULTS,
      `${JSON.stringify({ generatedAt: new Date().toISOString(), machine, infraDrift: drift, targets: list, ...results }, null, 2)}\n`,
    );
    log(`wrote ${path.relative(process.cwd(), RESULTS)}`);
  } finally {
    await environment.stop();
  }
}

await main();
