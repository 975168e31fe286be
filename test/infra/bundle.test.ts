import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeploySettings } from '../../infra/config';
import { FaxBridgeStack } from '../../infra/fax-bridge-stack';
import { cdkJsonContext, logicalIdOf } from './stack-fixture';

/** Budgets that catch a dependency pulled in by accident (bench/ measures against the cold-start targets). */
const BUDGET_BYTES = { inbound: 3_500_000, webhook: 1_000_000 };

const outdir = mkdtempSync(path.join(tmpdir(), 'fax-bridge-synth-'));
let stack: FaxBridgeStack;
let bundles: Record<'inbound' | 'webhook', { dir: string; env: Record<string, string> }>;

/** The function's environment with CloudFormation references replaced by plausible values. */
function deployedEnvironment(variables: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => [
      key,
      typeof value === 'string'
        ? value
        : key === 'WEBHOOK_URL'
          ? 'https://abc123.lambda-url.us-east-1.on.aws/'
          : `deployed-${key.toLowerCase()}`,
    ]),
  );
}

beforeAll(() => {
  // The same app `npm run synth` builds: cdk.json's context, real bundling, AwsSolutions enforced.
  const app = new App({
    outdir,
    context: { ...cdkJsonContext, 'aws:cdk:enable-asset-metadata': true },
  });
  stack = new FaxBridgeStack(app, 'FaxBridge', {
    settings: readDeploySettings((key) => app.node.tryGetContext(key)),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  const template = assembly.getStackByName('FaxBridge').template;
  const bundleOf = (fn: IConstruct) => {
    const resource = template.Resources[logicalIdOf(fn)];
    return {
      dir: path.join(outdir, resource.Metadata['aws:asset:path']),
      env: deployedEnvironment(resource.Properties.Environment.Variables),
    };
  };
  bundles = { inbound: bundleOf(stack.intake.fn.fn), webhook: bundleOf(stack.webhook.fn.fn) };
}, 240_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe.each(['inbound', 'webhook'] as const)('the %s bundle', (name) => {
  it('is one minified ESM file with its source map, within its size budget', () => {
    const { dir } = bundles[name];
    const size = statSync(path.join(dir, 'index.mjs')).size;
    console.info(`${name} bundle: index.mjs ${(size / 1e6).toFixed(2)} MB`);
    expect(existsSync(path.join(dir, 'index.mjs.map'))).toBe(true);
    expect(size).toBeLessThan(BUDGET_BYTES[name]);
  });

  it('loads in Node and exports the handler, with the environment Lambda will give it', () => {
    const { dir, env } = bundles[name];
    const url = pathToFileURL(path.join(dir, 'index.mjs')).href;
    const script = `const m = await import(${JSON.stringify(url)}); console.log(typeof m.handler);`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', AWS_REGION: 'us-east-1', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(output.trim().split('\n').at(-1)).toBe('function');
  });
});
