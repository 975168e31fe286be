import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { ApiKeySetting } from '../config/fax-settings';
import { secretApiKey, staticApiKey } from './api-key';
import { TelnyxClient } from './telnyx-client';

/** The Telnyx client the dispatch and the sweeper call, its key from the secret or the setting. */
export const telnyxClient = (
  api: { url: string; apiKey: ApiKeySetting },
  secrets: SecretsProvider,
): TelnyxClient =>
  new TelnyxClient({
    apiUrl: api.url,
    apiKey:
      'key' in api.apiKey
        ? staticApiKey(api.apiKey.key)
        : secretApiKey(api.apiKey.secretId, secrets),
  });
