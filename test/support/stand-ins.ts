import { afterAll, beforeAll } from 'vitest';
import { LOCAL_CREDENTIALS, type StandIns, startStandIns } from '../../local/stand-ins';

export const TEST_BUCKET = 'fax-bridge-test';
export const TEST_TABLE = 'fax-bridge-ledger';
/** The dispatch queue every suite's stand-ins hold. */
export const TEST_QUEUE = 'fax-bridge-dispatch';
/** The fax-in queue: the webhook puts received faxes on it for the receiver. */
export const TEST_FAX_IN_QUEUE = 'fax-bridge-fax-in';

/** Starts the stand-ins on free ports for the enclosing suite; call the result inside tests. */
export function useStandIns(): () => StandIns {
  let standIns: StandIns | undefined;
  beforeAll(async () => {
    standIns = await startStandIns({
      bucket: TEST_BUCKET,
      table: TEST_TABLE,
      queues: [
        { name: TEST_QUEUE, visibilityTimeoutSeconds: 5 },
        { name: TEST_FAX_IN_QUEUE, visibilityTimeoutSeconds: 5 },
      ],
    });
  });
  afterAll(async () => {
    await standIns?.stop();
  });
  return () => {
    if (!standIns)
      throw new Error('the stand-ins run only inside the suite that called useStandIns');
    return standIns;
  };
}

/** AWS SDK client settings pointing at one stand-in. */
export const localClientConfig = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: LOCAL_CREDENTIALS,
});
