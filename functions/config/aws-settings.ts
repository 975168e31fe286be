import type { Env } from './config-error';

export type AwsService = 's3' | 'dynamodb' | 'ses' | 'sqs' | 'secretsmanager';

/**
 * The standard AWS SDK variables, read here so that the adapters are given them: on Lambda only the
 * region and the role's credentials are set; the local mode points the same code at its stand-ins.
 */
export interface AwsSettings {
  region?: string;
  endpoints: Partial<Record<AwsService, string>>;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** The stand-ins check no checksums; `WHEN_REQUIRED` keeps the SDK from sending them. */
  checksums?: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';
}

const SERVICES: Record<AwsService, string> = {
  s3: 'AWS_ENDPOINT_URL_S3',
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  ses: 'AWS_ENDPOINT_URL_SES',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  secretsmanager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
};

export function awsSettings(env: Env): AwsSettings {
  const endpoints: AwsSettings['endpoints'] = {};
  for (const [service, name] of Object.entries(SERVICES) as [AwsService, string][]) {
    const endpoint = env[name] || env.AWS_ENDPOINT_URL;
    if (endpoint) endpoints[service] = endpoint;
  }
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  const checksums = env.AWS_REQUEST_CHECKSUM_CALCULATION?.toUpperCase();
  return {
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    endpoints,
    credentials:
      accessKeyId && secretAccessKey
        ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined }
        : undefined,
    checksums:
      checksums === 'WHEN_REQUIRED' || checksums === 'WHEN_SUPPORTED' ? checksums : undefined,
  };
}
