import { describe, expect, it } from 'vitest';
import {
  domainOf,
  isAligned,
  organisationalDomain,
} from '../../../../../functions/core/inbound/mail/alignment';

describe('isAligned (relaxed: one registrable domain under the Public Suffix List)', () => {
  it.each([
    ['example.com', 'example.com', true],
    ['EXAMPLE.com', 'example.COM.', true],
    ['mail.example.com', 'example.com', true],
    ['a.example.com', 'b.example.com', true],
    ['example.com', 'example.net', false],
    ['example.com', 'notexample.com', false],
    ['example.com', 'example.com.evil.net', false],
    ['mail.partner.co.uk', 'partner.co.uk', true],
    ['partner.co.uk', 'other.co.uk', false],
    ['shop.com.au', 'bounce.shop.com.au', true],
    ['shop.com.au', 'evil.com.au', false],
    // The pairs a "last two labels, three under co.uk-style names" guess took for one organisation.
    ['smith.me.uk', 'evil.me.uk', false],
    ['a.id.au', 'b.id.au', false],
    ['x.uk.com', 'y.uk.com', false],
    ['x.eu.org', 'y.eu.org', false],
    ['gp-a.nhs.uk', 'gp-b.nhs.uk', false],
    ['alice.github.io', 'mallory.github.io', false],
    ['mail.smith.me.uk', 'smith.me.uk', true],
    ['', '', false],
  ])('%j ~ %j: %s', (a, b, expected) => {
    expect(isAligned(a, b)).toBe(expected);
  });
});

describe('organisationalDomain', () => {
  it.each([
    ['mail.clinic.co.uk', 'clinic.co.uk'],
    ['clinic.example', 'clinic.example'],
    ['deep.mail.clinic.example.', 'clinic.example'],
    ['localhost', 'localhost'],
  ])('%s → %s', (domain, organisation) => {
    expect(organisationalDomain(domain)).toBe(organisation);
  });
});

describe('domainOf', () => {
  it.each([
    ['alice@Example.COM.', 'example.com'],
    ['"a@b"@clinic.example', 'clinic.example'],
  ])('%s → %s', (address, domain) => {
    expect(domainOf(address)).toBe(domain);
  });
});
