import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CLIENT_STATE_KEY,
  secretApiKey,
  secretFromSetting,
  staticApiKey,
} from '../../../functions/adapters/api-key';

// A stand-in for Secrets Manager's GetSecretValue (AWS JSON 1.1 protocol).
describe('secretApiKey', () => {
  let server: Server;
  let answer: { status: number; body: unknown };
  let requests: number;

  beforeEach(async () => {
    requests = 0;
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests++;
        res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const provider = () =>
    new SecretsProvider({
      clientConfig: {
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      },
    });

  it('reads the key once and reuses it', async () => {
    answer = { status: 200, body: { Name: 'fax/telnyx', SecretString: ' KEY123 \n' } };
    const apiKey = secretApiKey('fax/telnyx', provider());
    expect(await apiKey()).toBe('KEY123');
    expect(await apiKey()).toBe('KEY123');
    expect(requests).toBe(1);
  });

  it('says how to set an empty secret', async () => {
    answer = { status: 200, body: { Name: 'fax/telnyx', SecretString: '' } };
    await expect(secretApiKey('fax/telnyx', provider())()).rejects.toThrow(
      'the Telnyx API key secret fax/telnyx is empty: set it with aws secretsmanager put-secret-value',
    );
  });

  it('says how to set a secret that never had a value', async () => {
    answer = {
      status: 400,
      body: {
        __type: 'ResourceNotFoundException',
        message:
          "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
      },
    };
    await expect(secretApiKey('fax/telnyx', provider())()).rejects.toThrow(
      'the Telnyx API key secret fax/telnyx is empty',
    );
  });

  it('reads the client_state key the same way, from the secret its setting names', async () => {
    answer = { status: 200, body: { Name: 'fax/client-state', SecretString: 'k'.repeat(64) } };
    const key = secretFromSetting({ secretId: 'fax/client-state' }, CLIENT_STATE_KEY, provider());
    expect(await key()).toBe('k'.repeat(64));
    expect(await key()).toBe('k'.repeat(64));
    expect(requests).toBe(1);
    answer = { status: 200, body: { Name: 'fax/client-state', SecretString: ' ' } };
    const emptied = secretFromSetting({ secretId: 'fax/emptied' }, CLIENT_STATE_KEY, provider());
    await expect(emptied()).rejects.toThrow(
      'the client_state key secret fax/emptied is empty: set it with aws secretsmanager put-secret-value',
    );
  });

  it('lets other failures through', async () => {
    answer = { status: 400, body: { __type: 'AccessDeniedException', message: 'not allowed' } };
    await expect(secretApiKey('fax/telnyx', provider())()).rejects.toThrow('not allowed');
  });
});

describe('staticApiKey', () => {
  it('gives the key it was made with', async () => {
    expect(await staticApiKey('KEY456')()).toBe('KEY456');
    const local = secretFromSetting(
      { value: 'v'.repeat(40) },
      CLIENT_STATE_KEY,
      new SecretsProvider(),
    );
    expect(await local()).toBe('v'.repeat(40));
  });
});
