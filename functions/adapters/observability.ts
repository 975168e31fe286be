import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

// One logger and one metrics instance for every handler, as Powertools recommends.
export const logger = new Logger({ serviceName: 'fax-bridge' });
export const metrics = new Metrics({ namespace: 'FaxBridge', serviceName: 'fax-bridge' });
