// The local bridge with LOCAL_DNS_ZONE_FILE, over SMTP: the front door computes SES's verdicts
// from the zone, the inbound function verifies DKIM against the same zone, and REQUIRE_SENDER_AUTH
// is on without being asked for. A signed email from an allowed domain is faxed; a forged one is
// neither faxed nor answered.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from '../../fixtures/documents';
import { type Bridge, startBridge } from '../../local/bridge';
import { ANY_FREE_PORTS } from '../../local/settings';
import type { SesStoredEmail } from '../../local/stand-ins';
import { signingKey, zoneOf } from '../support/dkim-mail';

const clinic = signingKey('clinic.example');
const hospital = signingKey('hospital.example');
/** Not hospital.example's key: what a forger signs with. */
const forger = signingKey('hospital.example');

const ZONE = zoneOf(clinic.zone, hospital.zone, {
  'clinic.example': { TXT: ['v=spf1 ip4:127.0.0.1 -all'] },
  '_dmarc.clinic.example': { TXT: ['v=DMARC1; p=reject'] },
  // The forger's mail comes from 127.0.0.1 too, which hospital.example's SPF does not allow.
  'hospital.example': { TXT: ['v=spf1 -all'] },
  // A mail service that sends for hospital.example under its own envelope domain.
  'relay.example': { TXT: ['v=spf1 ip4:127.0.0.1 -all'] },
});

async function send(
  bridge: Bridge,
  from: string,
  key: typeof clinic,
  subject: string,
  envelopeFrom = from,
) {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: bridge.smtpPort,
    dkim: { domainName: key.domain, keySelector: key.selector, privateKey: key.privateKey },
  });
  try {
    return await transport.sendMail({
      envelope: { from: envelopeFrom, to: '+13125551234@fax.localhost' },
      from,
      to: '+13125551234@fax.localhost',
      subject,
      text: '',
      attachments: [{ filename: 'referral.pdf', content: await makePdf(1) }],
    });
  } finally {
    transport.close();
  }
}

async function sentTo(bridge: Bridge, address: string): Promise<SesStoredEmail[]> {
  const response = await fetch(`${bridge.urls.ses}/store`);
  const { emails } = (await response.json()) as { emails: SesStoredEmail[] };
  return emails.filter((email) => email.destination.to.includes(address));
}

describe('the local bridge with a DNS zone file', () => {
  let dataDir: string;
  let bridge: Bridge;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fax-bridge-e2e-auth-'));
    const zoneFile = path.join(dataDir, 'zone.json');
    await writeFile(zoneFile, JSON.stringify(ZONE));
    const { REQUIRE_SENDER_AUTH: _, ...env } = process.env;
    bridge = await startBridge({
      env: {
        ...env,
        ...ANY_FREE_PORTS,
        POWERTOOLS_LOG_LEVEL: 'CRITICAL',
        LOCAL_DATA_DIR: path.join(dataDir, 'data'),
        LOCAL_TELNYX_STEP_MS: '20',
        LOCAL_DNS_ZONE_FILE: zoneFile,
        ALLOWED_SENDERS: '@clinic.example,@hospital.example',
      },
      log: () => {},
    });
  });

  afterAll(async () => {
    await bridge?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('asks for authentication without being told to', () => {
    expect(bridge.settings.requireSenderAuth).toBe(true);
  });

  it('faxes a signed email from an allowed domain whose SPF allows the sending address', async () => {
    const sent = await send(bridge, 'doctor@clinic.example', clinic, 'Signed referral');
    expect(sent.response).toMatch(/^250/);
    // The front door answers 250 once the handler is done: the fax is queued by then.
    await bridge.dispatch.idle();
    expect(bridge.emulator?.faxes().map((fax) => fax.to)).toEqual(['+13125551234']);
  });

  it('faxes an email a relay sent, on the signature of the From domain (verified in the function)', async () => {
    const before = bridge.emulator?.faxes().length ?? 0;
    const sent = await send(
      bridge,
      'nurse@hospital.example',
      hospital,
      'Relayed',
      'bounce@relay.example',
    );
    expect(sent.response).toMatch(/^250/);
    await bridge.dispatch.idle();
    expect(bridge.emulator?.faxes().length).toBe(before + 1);
  });

  it('neither faxes nor answers a forged one (bad signature, SPF -all)', async () => {
    const before = bridge.emulator?.faxes().length;
    const sent = await send(bridge, 'doctor@hospital.example', forger, 'Forged referral');
    expect(sent.response).toMatch(/^250/);
    await bridge.dispatch.idle();
    expect(bridge.emulator?.faxes().length).toBe(before);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await sentTo(bridge, 'doctor@hospital.example')).toEqual([]);
  });
});
