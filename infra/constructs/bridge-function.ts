import path from 'node:path';
import { type Duration, Token } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DeployConfigError } from '../config';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Lets CommonJS dependencies (mailparser's iconv-lite, nodemailer…) keep using require in ESM. */
export const ESM_REQUIRE_SHIM = [
  "import { createRequire as __fbCreateRequire } from 'node:module';",
  "import { fileURLToPath as __fbFileURLToPath } from 'node:url';",
  "import { dirname as __fbDirname } from 'node:path';",
  'const require = __fbCreateRequire(import.meta.url);',
  'const __filename = __fbFileURLToPath(import.meta.url);',
  'const __dirname = __fbDirname(__filename);',
].join(' ');

/**
 * Packages the bundles take from elsewhere, relative to the project root. libmime would be
 * bundled twice, its ESM build for mailparser and its CommonJS one for mailauth (88 KB): both
 * get the CommonJS one, whose module.exports is what the ESM default export is. And Lambda hands
 * a function its role's credentials in the environment, so of the SDK's credential chain only
 * the environment's provider is kept (the rest, profiles, SSO and metadata, is 105 KB).
 */
export const BUNDLE_ALIASES = {
  libmime: './node_modules/libmime/dist/cjs/libmime.js',
  '@aws-sdk/credential-provider-node': './infra/env-credentials.ts',
};

/** How every function of the stack is bundled: one minified ESM file and its source map. */
export const LAMBDA_BUNDLING: BundlingOptions = {
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  // Shipped beside the bundle to decode a stack offline (README, "Logs"); not loaded at run time,
  // where --enable-source-maps cost the first error stack 109 ms and 89 MB (bench/).
  sourceMap: true,
  sourcesContent: false,
  // One minified file loads faster than the runtime's own SDK spread over node_modules
  // (bench/: 244 ms against 591 ms for the webhook), and pins the SDK version we test.
  bundleAwsSDK: true,
  banner: ESM_REQUIRE_SHIM,
  esbuildArgs: {
    '--alias': Object.entries(BUNDLE_ALIASES).map(([name, target]) => `${name}=${target}`),
  },
};

/**
 * The cover page's fonts (functions/core/inbound/document/fonts.ts) go beside index.mjs as files:
 * inlined, their 1.4 MB would be parsed at every cold start, even by faxes without a cover.
 */
export const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

const withFonts = (bundling: BundlingOptions): BundlingOptions => ({
  ...bundling,
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) => [
      `mkdir -p "${outputDir}/fonts"`,
      ...FONT_FILES.map(
        (f) => `cp "${inputDir}/node_modules/dejavu-fonts-ttf/ttf/${f}" "${outputDir}/fonts/${f}"`,
      ),
    ],
  },
});

/** Lambda refuses a function whose environment variables take more than 4 KB together. */
const LAMBDA_ENVIRONMENT_BYTES = 4096;
/** Room kept for each value CloudFormation fills in (a bucket or table name, an ARN, a URL). */
const DEPLOY_TIME_VALUE_BYTES = 128;
/** What to shorten when a variable is what fills the environment. */
const SHORTEN: Record<string, string> = {
  ALLOWED_SENDERS: 'allowedSenders: list whole domains as @example.org instead of each address',
  FAX_DOMAINS: 'faxDomains',
  INBOUND_ROUTES: 'inboundRoutes: route fewer numbers one by one and let "*" take the rest',
};

export interface BridgeFunctionProps {
  /** Folder under functions/ whose handler.ts exports `handler`. */
  handler: 'inbound-email' | 'fax-webhook' | 'fax-dispatch' | 'fax-sweeper' | 'fax-receiver';
  description: string;
  memorySize: number;
  timeout: Duration;
  environment: Record<string, string>;
  logRetentionDays: number;
  deadLetterQueue?: IQueue;
  reservedConcurrentExecutions?: number;
}

/**
 * One of the bridge's Lambda functions: Node 24 on arm64, bundled by the local esbuild into one
 * minified ESM file with source maps, a log group with a retention, and a role that may only
 * write to that log group until the caller grants more.
 */
export class BridgeFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: BridgeFunctionProps) {
    super(scope, id);
    const environment = { ...props.environment, POWERTOOLS_SERVICE_NAME: 'fax-bridge' };
    checkEnvironmentSize(props.handler, environment);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetentionDays });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the fax-bridge ${props.handler} function`,
    });
    this.logGroup.grantWrite(this.role);
    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, 'functions', props.handler, 'handler.ts'),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment,
      deadLetterQueue: props.deadLetterQueue,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      bundling: props.handler === 'inbound-email' ? withFonts(LAMBDA_BUNDLING) : LAMBDA_BUNDLING,
    });
  }
}

/** Fails the synth, naming the setting to shorten, rather than the deploy halfway. */
function checkEnvironmentSize(handler: string, variables: Record<string, string>): void {
  const sizes = Object.entries(variables).map(([name, value]) => ({
    name,
    // Each entry as JSON: the quoted name and value, a colon and a comma.
    bytes:
      Buffer.byteLength(name) +
      (Token.isUnresolved(value) ? DEPLOY_TIME_VALUE_BYTES : Buffer.byteLength(value)) +
      6,
  }));
  const total = sizes.reduce((sum, s) => sum + s.bytes, 2);
  if (total <= LAMBDA_ENVIRONMENT_BYTES) return;
  const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const shorten = SHORTEN[largest.name] ?? 'the longest settings';
  throw new DeployConfigError([
    `the ${handler} function's settings take about ${total} bytes, more than the 4 KB Lambda ` +
      `allows for a function's environment (${largest.name} alone takes ${largest.bytes}): shorten ${shorten}`,
  ]);
}
