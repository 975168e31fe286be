// Published list prices for us-east-1, as last read from the vendors' pricing pages (2025),
// without free tiers. They are LIST PRICES TO CHECK before quoting a figure: open each source.

export interface Price {
  usd: number;
  per: string;
  source: string;
  /** When the figure was read, and how sure it is. */
  asOf: string;
}

const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const S3 = 'https://aws.amazon.com/s3/pricing/';
const DYNAMODB = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const SES = 'https://aws.amazon.com/ses/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const SECRETS = 'https://aws.amazon.com/secrets-manager/pricing/';
const SQS = 'https://aws.amazon.com/sqs/pricing/';

export const PRICES = {
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: 'GB-second, arm64 (first 7.5 billion GB-s a month)',
    source: LAMBDA,
    asOf: '2025 list price, to check',
  },
  lambdaRequest: {
    usd: 0.2 / 1e6,
    per: 'request',
    source: LAMBDA,
    asOf: '2025 list price, to check',
  },
  s3Put: {
    usd: 0.005 / 1000,
    per: 'PUT, COPY, POST or LIST request (S3 Standard)',
    source: S3,
    asOf: '2025 list price, to check',
  },
  s3Get: {
    usd: 0.0004 / 1000,
    per: 'GET, HEAD or other request (S3 Standard)',
    source: S3,
    asOf: '2025 list price, to check',
  },
  s3StorageGbMonth: {
    usd: 0.023,
    per: 'GB-month stored (S3 Standard, first 50 TB)',
    source: S3,
    asOf: '2025 list price, to check',
  },
  dataTransferOutGb: {
    usd: 0.09,
    per: 'GB out to the internet (Telnyx fetching the document; first 10 TB a month)',
    source: S3,
    asOf: '2025 list price, to check',
  },
  dynamoWriteUnit: {
    usd: 0.625 / 1e6,
    per: 'write request unit, on-demand (up to 1 KB)',
    source: DYNAMODB,
    asOf: 'price since the November 2024 on-demand reduction, to check',
  },
  dynamoReadUnit: {
    usd: 0.125 / 1e6,
    per: 'read request unit, on-demand (one strongly consistent read up to 4 KB)',
    source: DYNAMODB,
    asOf: 'price since the November 2024 on-demand reduction, to check',
  },
  sqsRequest: {
    usd: 0.4 / 1e6,
    per: 'SQS standard queue request (each 64 KB chunk of a payload; a batch of up to 10 is one)',
    source: SQS,
    asOf: '2025 list price, to check',
  },
  sesInboundEmail: {
    usd: 0.1 / 1000,
    per: 'email received',
    source: SES,
    asOf: '2025 list price, to check',
  },
  sesInboundChunk: {
    usd: 0.09 / 1000,
    per: 'incoming mail chunk of 256 KB',
    source: SES,
    asOf: '2025 list price, to check',
  },
  sesOutboundEmail: {
    usd: 0.1 / 1000,
    per: 'email sent (notices and result emails)',
    source: SES,
    asOf: '2025 list price, to check',
  },
  logsIngestedGb: {
    usd: 0.5,
    per: 'GB of CloudWatch Logs ingested (standard class)',
    source: CLOUDWATCH,
    asOf: '2025 list price, to check',
  },
  secretMonth: {
    usd: 0.4,
    per: 'secret a month (the Telnyx API key)',
    source: SECRETS,
    asOf: '2025 list price, to check',
  },
  alarmMonth: {
    usd: 0.1,
    per: 'standard-resolution CloudWatch alarm metric a month (a metric math alarm: each metric)',
    source: CLOUDWATCH,
    asOf: '2025 list price, to check',
  },
  dashboardMonth: {
    usd: 3,
    per: 'CloudWatch dashboard a month (an account has three free)',
    source: CLOUDWATCH,
    asOf: '2025 list price, to check',
  },
  telnyxPage: {
    usd: 0.007,
    per: 'fax page sent (plus SIP minutes)',
    source: '../shared/telnyx/FAX_API.md §5.4 (a third-party page; no Telnyx source states it)',
    asOf: 'UNVERIFIED',
  },
} as const satisfies Record<string, Price>;

/** Memory that buys one full vCPU; below it a function gets that fraction of one. */
export const LAMBDA_FULL_VCPU_MB = 1769;
/** Lambda bills duration in 1 ms steps. */
export const LAMBDA_BILLING_STEP_MS = 1;
