// npm start: runs the local bridge until Ctrl-C.
import './quiet-sdk';
import { startBridge } from './bridge';
import { telnyxActivityLine } from './telnyx-activity-line';
import { timelineLine } from './timeline';

try {
  const bridge = await startBridge({
    onTelnyxActivity: (activity) => console.log(telnyxActivityLine(activity)),
    onLogEntry: (entry) => {
      const shown = timelineLine(entry);
      if (shown) console.log(shown);
    },
  });
  const from = bridge.settings.allowedSenders[0]?.startsWith('@')
    ? `you${bridge.settings.allowedSenders[0]}`
    : bridge.settings.allowedSenders[0];
  console.log(
    `Send a fax from another terminal: npm run send -- --to +13125551234 --from ${from} document.pdf`,
  );
  if (bridge.emulator) {
    console.log('Receive a fax: npm run receive -- local/samples/referral.pdf --from +13125551234');
  }
  console.log(`Result emails: ${bridge.urls.ses} (and ${bridge.outboxDir}). Ctrl-C stops.`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`fax-bridge local: ${signal}, stopping`);
    bridge.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('fax-bridge local: stopped with an error:', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  console.error(
    `fax-bridge local: could not start. ${error instanceof Error ? error.message : error}`,
  );
  process.exit(1);
}
