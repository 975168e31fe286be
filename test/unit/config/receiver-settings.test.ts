import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/config/config-error';
import { loadReceiverSettings } from '../../../functions/config/receiver-settings';

const ENV = {
  FAX_BUCKET: 'bucket',
  LEDGER_TABLE: 'ledger',
  TELNYX_API_KEY_SECRET: 'telnyx-key',
  CLIENT_STATE_SECRET_ID: 'client-state',
  FAX_DOMAINS: 'fax.example.com, fax2.example.com',
  NOTICE_FROM: 'fax@fax.example.com',
  PUBLIC_URL: 'https://abc.lambda-url.us-east-1.on.aws/',
  INBOUND_ROUTES: '{"*": {"to": ["Admin@clinic.example"], "delivery": "link"}}',
};

const problems = (env: Record<string, string>) => {
  try {
    loadReceiverSettings({ ...ENV, ...env });
  } catch (error) {
    return (error as ConfigError).problems;
  }
  return [];
};

describe('receiver settings', () => {
  it('reads the routes, the fax domain, and a link as long as the retention by default', () => {
    const s = loadReceiverSettings({ ...ENV, RETENTION_DAYS: '14' });
    expect(s.flow.routes).toEqual({ '*': { to: ['admin@clinic.example'], delivery: 'link' } });
    expect(s.flow.faxDomain).toBe('fax.example.com');
    expect(s.flow.linkDays).toBe(14);
    expect(s.flow.blockedNumbers).toEqual([]);
    expect(s.publicUrl).toBe('https://abc.lambda-url.us-east-1.on.aws');
  });

  it('takes INBOUND_LINK_DAYS and a list of blocked callers', () => {
    const s = loadReceiverSettings({
      ...ENV,
      INBOUND_LINK_DAYS: '3',
      INBOUND_BLOCKED_NUMBERS: '+13125559999, +1 (312) 555-0000',
    });
    expect(s.flow.linkDays).toBe(3);
    expect(s.flow.blockedNumbers).toEqual(['+13125559999', '+13125550000']);
  });

  it('has no routes without INBOUND_ROUTES: every fax is stored and reported unrouted', () => {
    const { INBOUND_ROUTES: _, ...env } = ENV;
    expect(loadReceiverSettings(env).flow.routes).toEqual({});
  });

  it.each([
    [
      { INBOUND_ROUTES: '{"555": {"to": ["a@x.example"], "delivery": "link"}}' },
      'INBOUND_ROUTES has the key "555"',
    ],
    [
      { INBOUND_ROUTES: '{"*": {"to": ["a@x.example"], "delivery": "email"}}' },
      'INBOUND_ROUTES "*" must have "delivery"',
    ],
    [{ INBOUND_LINK_DAYS: '0' }, 'INBOUND_LINK_DAYS must be at least 1'],
    [{ INBOUND_LINK_DAYS: '3651' }, 'INBOUND_LINK_DAYS must be at most 3650'],
    [
      { INBOUND_BLOCKED_NUMBERS: '+13125559999,spam' },
      'INBOUND_BLOCKED_NUMBERS must list E.164 numbers',
    ],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL must be a URL'],
  ])('refuses %o', (env, problem) => {
    expect(problems(env).join('\n')).toContain(problem);
  });

  it('needs the client_state key, which signs the links', () => {
    const { CLIENT_STATE_SECRET_ID: _, ...env } = ENV;
    expect(() => loadReceiverSettings(env)).toThrow(ConfigError);
  });
});
