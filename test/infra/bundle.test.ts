import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeploySettings } from '../../infra/config';
import { FONT_FILES } from '../../infra/constructs/bridge-function';
import { FaxBridgeStack } from '../../infra/fax-bridge-stack';
import { exampleContext, logicalIdOf } from './stack-fixture';

/** Budgets that catch a dependency pulled in by accident (bench/ measures against the cold-start targets). */
// fontkit, which draws the cover page in Unicode, is 985 KB of the inbound bundle; pdf-lib, which
// draws the transmission report, about 400 KB of the webhook's.
// The dispatch and sweeper functions send the webhook's result emails, report and all, and call
// Telnyx through undici (540 KB). The receiver (1.92 MB when measured) holds pdf-lib too, which
// turns a TIFF fax into a PDF, and undici, which refreshes a fax's media link.
const BUDGET_BYTES = {
  inbound: 4_600_000,
  dispatch: 1_800_000,
  webhook: 1_200_000,
  sweeper: 1_800_000,
  receiver: 2_300_000,
};

const outdir = mkdtempSync(path.join(tmpdir(), 'fax-bridge-synth-'));
let stack: FaxBridgeStack;
let bundles: Record<
  'inbound' | 'dispatch' | 'webhook' | 'sweeper' | 'receiver' | 'activation',
  { dir: string; env: Record<string, string> }
>;

/** The function's environment with CloudFormation references replaced by plausible values. */
function deployedEnvironment(variables: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => [
      key,
      typeof value === 'string'
        ? value
        : key === 'WEBHOOK_URL' || key === 'PUBLIC_URL'
          ? 'https://abc123.lambda-url.us-east-1.on.aws/'
          : key.endsWith('_QUEUE_URL')
            ? `https://sqs.us-east-1.amazonaws.com/123456789012/${key.toLowerCase()}`
            : `deployed-${key.toLowerCase()}`,
    ]),
  );
}

beforeAll(() => {
  // The same app `npm run synth` builds: cdk.json's context, real bundling, AwsSolutions enforced.
  const app = new App({
    outdir,
    context: { ...exampleContext, 'aws:cdk:enable-asset-metadata': true },
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
      env: deployedEnvironment(resource.Properties.Environment?.Variables ?? {}),
    };
  };
  const activation = stack.intake.activation;
  if (!activation) throw new Error('the example settings create and activate a rule set');
  bundles = {
    inbound: bundleOf(stack.intake.fn.fn),
    dispatch: bundleOf(stack.dispatch.fn.fn),
    webhook: bundleOf(stack.webhook.fn.fn),
    sweeper: bundleOf(stack.sweeper.fn.fn),
    receiver: bundleOf(stack.receiver.fn.fn),
    activation: bundleOf(activation.fn),
  };
}, 240_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The npm packages (and folders of this project) a bundle was built from, by its source map. */
const sourcesOf = (name: keyof typeof bundles): string[] =>
  (
    JSON.parse(readFileSync(path.join(bundles[name].dir, 'index.mjs.map'), 'utf8')) as {
      sources: string[];
    }
  ).sources;

describe.each(['inbound', 'dispatch', 'webhook', 'sweeper', 'receiver'] as const)(
  'the %s bundle',
  (name) => {
    it('takes only the environment credential provider of the AWS SDK (Lambda puts its role there)', () => {
      const providers = [
        ...new Set(
          sourcesOf(name)
            .map(
              (s) =>
                /node_modules\/(@aws-sdk\/credential-provider-[a-z-]+|@aws-sdk\/nested-clients|@aws-sdk\/token-providers|@smithy\/credential-provider-imds)\//.exec(
                  s,
                )?.[1],
            )
            .filter(Boolean),
        ),
      ];
      expect(providers).toEqual(['@aws-sdk/credential-provider-env']);
    });

    it('holds one copy of libmime, whichever package imports it', () => {
      const copies = new Set(
        sourcesOf(name)
          .map((s) => /node_modules\/(.*libmime\/(?:dist\/\w+|lib))\//.exec(s)?.[1])
          .filter(Boolean),
      );
      expect([...copies]).toEqual(name === 'inbound' ? ['libmime/dist/cjs'] : []);
    });

    it('is one minified ESM file with its source map, within its size budget', () => {
      const { dir } = bundles[name];
      const size = statSync(path.join(dir, 'index.mjs')).size;
      console.info(`${name} bundle: index.mjs ${(size / 1e6).toFixed(2)} MB`);
      expect(existsSync(path.join(dir, 'index.mjs.map'))).toBe(true);
      expect(size).toBeLessThan(BUDGET_BYTES[name]);
    });

    it('loads in Node and exports the handler, with the environment Lambda will give it', () => {
      expect(loads(name)).toBe('function');
    });
  },
);

describe('the inbound bundle', () => {
  it('carries the cover page fonts where the bundled code looks for them, and they are whole', async () => {
    const fontkit = (await import('@pdf-lib/fontkit')).default;
    for (const name of FONT_FILES) {
      const file = path.join(bundles.inbound.dir, 'fonts', name);
      const font = fontkit.create(readFileSync(file)) as {
        hasGlyphForCodePoint(c: number): boolean;
      };
      expect([...'≥Иλ€Ł'].every((c) => font.hasGlyphForCodePoint(c.codePointAt(0) ?? 0))).toBe(
        true,
      );
    }
    // The bundled fonts.ts resolves ./fonts/ against import.meta.url, i.e. beside index.mjs.
    expect(readFileSync(path.join(bundles.inbound.dir, 'index.mjs'), 'utf8')).toContain('./fonts/');
    for (const other of ['dispatch', 'webhook', 'sweeper', 'receiver'] as const) {
      expect(existsSync(path.join(bundles[other].dir, 'fonts'))).toBe(false);
    }
  });
});

describe('the activation bundle', () => {
  it('loads in Node and exports the handler', () => {
    expect(loads('activation')).toBe('function');
  });
});

/** What `typeof handler` is once a fresh Node imports the bundle, with its deployed environment. */
function loads(name: keyof typeof bundles): string {
  const { dir, env } = bundles[name];
  const url = pathToFileURL(path.join(dir, 'index.mjs')).href;
  const script = `const m = await import(${JSON.stringify(url)}); console.log(typeof m.handler);`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', AWS_REGION: 'us-east-1', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return output.trim().split('\n').at(-1) ?? '';
}
