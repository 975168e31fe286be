import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeployConfigError, readDeploySettings } from './config';
import { FaxBridgeStack } from './fax-bridge-stack';

const app = new App();
try {
  const settings = readDeploySettings((key) => app.node.tryGetContext(key));
  new FaxBridgeStack(app, String(app.node.tryGetContext('stackName') ?? 'FaxBridge'), {
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
