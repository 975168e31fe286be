import { describe, expect, it } from 'vitest';
import {
  encodeClientState,
  verifyClientState,
} from '../../../../functions/core/shared/client-state';
import type { JobKey } from '../../../../functions/core/shared/ports';

const SECRET = 'k'.repeat(64);
const KEY: JobKey = {
  messageId: 'mid-0123456789abcdef0123456789abcdef',
  recipient: '+13125551234',
};
const state = encodeClientState(KEY, 1, SECRET);

/** The JSON inside a client_state, changed and encoded again with its MAC untouched. */
function tampered(change: (fields: Record<string, unknown>) => void): string {
  const fields = JSON.parse(Buffer.from(state, 'base64').toString('utf8'));
  change(fields);
  return Buffer.from(JSON.stringify(fields)).toString('base64');
}

describe('client_state', () => {
  it('names the job and the attempt it was made for', () => {
    expect(verifyClientState(state, SECRET)).toEqual({ valid: true, key: KEY, attempt: 1 });
    expect(verifyClientState(encodeClientState(KEY, 3, SECRET), SECRET)).toEqual({
      valid: true,
      key: KEY,
      attempt: 3,
    });
  });

  it('is strict base64, as Telnyx requires, and short', () => {
    expect(state).toMatch(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
    expect(state.length).toBeLessThan(300);
  });

  it.each([
    ['another job', (f: Record<string, unknown>) => Object.assign(f, { m: 'mid-someone-else' })],
    ['another number', (f: Record<string, unknown>) => Object.assign(f, { r: '+13125559999' })],
    ['another attempt', (f: Record<string, unknown>) => Object.assign(f, { a: 2 })],
    ['a MAC changed', (f: Record<string, unknown>) => Object.assign(f, { mac: 'A'.repeat(22) })],
    ['a MAC cut short', (f: Record<string, unknown>) => Object.assign(f, { mac: 'AAAA' })],
  ])('does not verify with %s', (_name, change) => {
    expect(verifyClientState(tampered(change), SECRET)).toEqual({
      valid: false,
      reason: 'bad_mac',
    });
  });

  it('does not verify with another key', () => {
    expect(verifyClientState(state, 'x'.repeat(64))).toEqual({ valid: false, reason: 'bad_mac' });
  });

  it.each([
    ['missing', undefined],
    ['not text', 42],
    ['empty', ''],
    ['truncated', state.slice(0, -8)],
    ['cut to a whole base64 group', state.slice(0, 40)],
    ['not base64', '!!not base64!!'],
    ['base64 of text', Buffer.from('have a nice day').toString('base64')],
    ['the old unsigned form', Buffer.from(JSON.stringify({ m: 'x', r: '+1' })).toString('base64')],
    ['base64 of JSON null', Buffer.from('null').toString('base64')],
    ['another version', tampered((f) => Object.assign(f, { v: 2 }))],
    ['attempt 0', tampered((f) => Object.assign(f, { a: 0 }))],
    ['a fractional attempt', tampered((f) => Object.assign(f, { a: 1.5 }))],
    ['no MAC', tampered((f) => Object.assign(f, { mac: undefined }))],
    ['far too long', Buffer.from('x'.repeat(2000)).toString('base64')],
  ])('is malformed when %s', (_name, value) => {
    expect(verifyClientState(value, SECRET)).toEqual({ valid: false, reason: 'malformed' });
  });

  it('refuses to sign or check with an empty key, which anyone could use', () => {
    expect(() => encodeClientState(KEY, 1, '')).toThrow('empty');
    expect(() => verifyClientState(state, '')).toThrow('empty');
  });
});
