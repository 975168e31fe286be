import { describe, expect, it } from 'vitest';
import {
  signDownloadToken,
  verifyDownloadToken,
} from '../../../../functions/core/shared/download-link';

const SECRET = 'a-link-key-of-thirty-two-characters!';
const NOW = new Date('2026-03-05T15:00:00Z');
const LATER = new Date('2026-03-12T15:00:00Z');
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';

describe('download links', () => {
  it('names the fax and its expiry, and verifies with the key it was signed with', () => {
    const token = signDownloadToken('fax-123', LATER, SECRET);
    expect(verifyDownloadToken(token, NOW, SECRET)).toEqual({
      valid: true,
      faxId: 'fax-123',
      expiresAt: LATER,
    });
    expect(verifyDownloadToken(token, NOW, `${SECRET}x`)).toMatchObject({ valid: false });
  });

  it('refuses every token with any one character changed, padding bits included', () => {
    const token = signDownloadToken('fax-123', LATER, SECRET);
    const accepted: string[] = [];
    for (let i = 0; i < token.length; i++) {
      for (const c of ALPHABET) {
        if (c === token[i]) continue;
        const changed = `${token.slice(0, i)}${c}${token.slice(i + 1)}`;
        if (verifyDownloadToken(changed, NOW, SECRET).valid) accepted.push(changed);
      }
    }
    expect(accepted).toEqual([]);
  });

  it('refuses an expired link, and what is not a token at all', () => {
    const token = signDownloadToken('fax-123', NOW, SECRET);
    expect(verifyDownloadToken(token, NOW, SECRET)).toEqual({ valid: false, reason: 'expired' });
    expect(verifyDownloadToken('x'.repeat(300), NOW, SECRET)).toMatchObject({
      reason: 'malformed',
    });
    expect(verifyDownloadToken('a.b.c', NOW, SECRET)).toMatchObject({ reason: 'malformed' });
  });
});
