import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsService, AwsSettings } from '../config/aws-settings';

/** What every client takes from the settings: region, endpoint and credentials, when given. */
function base(aws: AwsSettings, service: AwsService) {
  return {
    ...(aws.region && { region: aws.region }),
    ...(aws.endpoints[service] && { endpoint: aws.endpoints[service] }),
    ...(aws.credentials && { credentials: aws.credentials }),
    ...(aws.checksums && {
      requestChecksumCalculation: aws.checksums,
      responseChecksumValidation: aws.checksums,
    }),
  };
}

// An S3 endpoint of our own (the local stand-in) serves buckets by path, not by host name.
export const s3Client = (aws: AwsSettings) =>
  new S3Client({ ...base(aws, 's3'), forcePathStyle: Boolean(aws.endpoints.s3) });

export const dynamoDbClient = (aws: AwsSettings) => new DynamoDBClient(base(aws, 'dynamodb'));

export const sqsClient = (aws: AwsSettings) => new SQSClient(base(aws, 'sqs'));

// Bounded well under the notice claim's lease, so a hung send cannot outlive its claim.
export const sesClient = (aws: AwsSettings) =>
  new SESClient({
    ...base(aws, 'ses'),
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 15_000 },
  });

export const secretsProvider = (aws: AwsSettings) =>
  new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(base(aws, 'secretsmanager')) });
