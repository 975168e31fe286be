// The dispatch function, wired from settings as its handler wires it, behind the local SQS event
// source on the suite's stand-ins: what the inbound function queues reaches Telnyx as on AWS.
import { afterAll } from 'vitest';
import { sqsClient } from '../../functions/adapters/aws-clients';
import { localObservability } from '../../functions/adapters/observability';
import { loadDispatchSettings } from '../../functions/config/dispatch-settings';
import { wireDispatch } from '../../functions/fax-dispatch/wiring';
import { type SqsPoller, startSqsPoller } from '../../local/sqs-poller';

export interface DispatchFunction {
  /** Resolves once every queued fax was dispatched. */
  idle(): Promise<void>;
  /**
   * Gives back every call channel and number, as the final webhooks would: a Telnyx stand-in
   * that sends none would otherwise keep a number busy for the next test.
   */
  freeLines(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDispatchFunction(
  env: Record<string, string>,
): Promise<DispatchFunction> {
  const settings = loadDispatchSettings(env);
  const dispatch = wireDispatch(settings, localObservability('ERROR'));
  const poller: SqsPoller = await startSqsPoller({
    client: sqsClient(settings.aws),
    queueUrl: settings.dispatchQueueUrl,
    handler: (event) => dispatch.handle(event),
  });
  return {
    idle: () => poller.idle({ timeoutMs: 20_000 }),
    async freeLines() {
      const { channels } = settings.flow;
      for (const lease of await dispatch.deps.leases.held(channels)) {
        await dispatch.deps.leases.release(lease, channels);
      }
    },
    stop: async () => {
      await poller.stop();
      await dispatch.deps.fax.close();
    },
  };
}

/** One for the enclosing suite, stopped after it. */
export function dispatchFor(): { start(env: Record<string, string>): Promise<DispatchFunction> } {
  let running: DispatchFunction | undefined;
  afterAll(async () => {
    await running?.stop();
  });
  return {
    async start(env) {
      running = await startDispatchFunction(env);
      return running;
    },
  };
}
