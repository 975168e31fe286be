import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bridge, startBridge } from '../../../local/bridge';
import { ANY_FREE_PORTS as FREE_PORTS } from '../../../local/settings';

let bridge: Bridge | undefined;
let dataDir: string | undefined;
let blocker: Server | undefined;

afterEach(async () => {
  await bridge?.stop();
  blocker?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  bridge = undefined;
  blocker = undefined;
  dataDir = undefined;
});

async function env(extra: Record<string, string> = {}) {
  dataDir = await mkdtemp(path.join(tmpdir(), 'bridge-'));
  return { ...FREE_PORTS, LOCAL_DATA_DIR: dataDir, ...extra };
}

describe('the local bridge', () => {
  it('says it is ready with the address to send to, and leaves the process environment alone', async () => {
    const lines: string[] = [];
    const before = { ...process.env };
    bridge = await startBridge({ env: await env(), log: (line) => lines.push(line) });
    const ready = lines.filter((line) => line.startsWith('fax-bridge local: ready'));
    expect(ready).toHaveLength(1);
    expect(ready[0]).toContain(`+13125551234@fax.localhost at smtp://127.0.0.1:${bridge.smtpPort}`);
    expect(ready[0]).toContain(bridge.urls.webhook);
    expect(lines.join('\n')).toContain('REQUIRE_SENDER_AUTH=false');
    expect(process.env).toEqual(before);

    // The webhook handler is wired in: an unsigned request is its to refuse, not the stand-in's.
    const response = await fetch(bridge.urls.webhook, { method: 'POST', body: '{}' });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);

    await bridge.stop();
    bridge = undefined;
    expect(process.env).toEqual(before);
  });

  it('reports a busy port by the setting that chose it, and leaves nothing running', async () => {
    const server = createServer();
    blocker = server;
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
    );
    await expect(
      startBridge({ env: await env({ LOCAL_SMTP_PORT: String(port) }), log: () => {} }),
    ).rejects.toThrow(`LOCAL_SMTP_PORT ${port} is already in use`);
  });
});
