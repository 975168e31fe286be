import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';

export type ApiKeySource = () => Promise<string>;

const CACHE_SECONDS = 300;

/** The Telnyx API key from Secrets Manager, cached so warm invocations do not fetch it again. */
export function secretApiKey(
  secretId: string,
  provider: SecretsProvider = new SecretsProvider(),
): ApiKeySource {
  const empty = () =>
    new Error(
      `the Telnyx API key secret ${secretId} is empty: set it with aws secretsmanager ` +
        `put-secret-value --secret-id ${secretId} --secret-string <your Telnyx API key>`,
    );
  return async () => {
    let value: unknown;
    try {
      value = await provider.get(secretId, { maxAge: CACHE_SECONDS });
    } catch (error) {
      // A secret created without a value has no AWSCURRENT version to read.
      if (hasNoValue(error)) throw empty();
      throw error;
    }
    if (typeof value !== 'string' || value.trim() === '') throw empty();
    return value.trim();
  };
}

/** The key itself, for the local mode. */
export function staticApiKey(key: string): ApiKeySource {
  return () => Promise.resolve(key);
}

function hasNoValue(error: unknown): boolean {
  type AwsError = { name?: string; message?: string; cause?: AwsError } | undefined;
  const found = [error as AwsError, (error as AwsError)?.cause];
  // Secrets Manager: "can't find the specified secret value for staging label: AWSCURRENT".
  return found.some(
    (e) => e?.name === 'ResourceNotFoundException' && /secret value/i.test(e.message ?? ''),
  );
}
