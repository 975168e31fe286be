import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';

/** A secret's value, read when needed. */
export type SecretSource = () => Promise<string>;
export type ApiKeySource = SecretSource;

/** What a secret holds, in the words of the message that says how to fill it. */
export interface SecretKind {
  /** e.g. `the Telnyx API key`. */
  name: string;
  /** What to pass as `--secret-string`. */
  value: string;
}

export const TELNYX_API_KEY: SecretKind = {
  name: 'the Telnyx API key',
  value: '<your Telnyx API key>',
};

/** The stack generates it; emptied by hand, any long random text will do. */
export const CLIENT_STATE_KEY: SecretKind = {
  name: 'the client_state key',
  value: '"$(openssl rand -hex 32)"',
};

const CACHE_SECONDS = 300;

/** A secret from Secrets Manager, cached so warm invocations do not fetch it again. */
export function secretValue(
  secretId: string,
  kind: SecretKind,
  provider: SecretsProvider = new SecretsProvider(),
): SecretSource {
  const empty = () =>
    new Error(
      `${kind.name} secret ${secretId} is empty: set it with aws secretsmanager ` +
        `put-secret-value --secret-id ${secretId} --secret-string ${kind.value}`,
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

/** The Telnyx API key from Secrets Manager. */
export const secretApiKey = (secretId: string, provider?: SecretsProvider): ApiKeySource =>
  secretValue(secretId, TELNYX_API_KEY, provider);

/** The value itself, for the local mode. */
export function staticSecret(value: string): SecretSource {
  return () => Promise.resolve(value);
}

export const staticApiKey = staticSecret;

/** A secret given by its Secrets Manager id (AWS) or as the value itself (the local mode). */
export function secretFromSetting(
  setting: { secretId: string } | { value: string },
  kind: SecretKind,
  provider: SecretsProvider,
): SecretSource {
  return 'value' in setting
    ? staticSecret(setting.value)
    : secretValue(setting.secretId, kind, provider);
}

function hasNoValue(error: unknown): boolean {
  type AwsError = { name?: string; message?: string; cause?: AwsError } | undefined;
  const found = [error as AwsError, (error as AwsError)?.cause];
  // Secrets Manager: "can't find the specified secret value for staging label: AWSCURRENT".
  return found.some(
    (e) => e?.name === 'ResourceNotFoundException' && /secret value/i.test(e.message ?? ''),
  );
}
