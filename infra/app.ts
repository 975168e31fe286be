import { readFileSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeployConfigError, readDeploySettings } from './config';
import { FaxBridgeStack } from './fax-bridge-stack';

const app = new App();
// `npm run synth` passes -c examples=true to build the template offline from the example
// settings; a deploy never falls back on them, so a missing setting stops it by name.
const examples: Record<string, unknown> =
  String(app.node.tryGetContext('examples')) === 'true'
    ? JSON.parse(readFileSync(new URL('./example-settings.json', import.meta.url), 'utf8'))
    : {};
try {
  const settings = readDeploySettings((key) => app.node.tryGetContext(key) ?? examples[key], {
    // The CLI tells the app the region it deploys to, when it knows it before the deploy.
    region: process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION,
  });
  new FaxBridgeStack(app, settings.stackName, {
    description: 'fax-bridge: email to fax through Amazon SES, AWS Lambda and Telnyx',
    settings,
  });
} catch (error) {
  if (!(error instanceof DeployConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
