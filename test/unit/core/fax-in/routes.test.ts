import { describe, expect, it } from 'vitest';
import { readRoutes, routeFor } from '../../../../functions/core/fax-in/routes';

const ISSUE_EXAMPLE = JSON.stringify({
  '+13125550100': {
    to: ['frontdesk@clinic.example', 'dr.ortiz@clinic.example'],
    delivery: 'attach',
  },
  '*': { to: ['admin@clinic.example'], delivery: 'link' },
});

describe('INBOUND_ROUTES', () => {
  it('reads the example of the issue', () => {
    const read = readRoutes(ISSUE_EXAMPLE);
    expect(read).toEqual({
      ok: true,
      routes: {
        '+13125550100': {
          to: ['frontdesk@clinic.example', 'dr.ortiz@clinic.example'],
          delivery: 'attach',
        },
        '*': { to: ['admin@clinic.example'], delivery: 'link' },
      },
    });
  });

  it('emails an address listed twice (in any case) once', () => {
    const read = readRoutes('{"*": {"to": ["A@x.example", "a@x.example "], "delivery": "notify"}}');
    expect(read.ok && read.routes['*']?.to).toEqual(['a@x.example']);
  });

  it.each([
    ['not json', 'is not JSON'],
    ['[]', 'must be a JSON object'],
    ['{"3125550100": {"to": ["a@x.example"], "delivery": "link"}}', 'has the key "3125550100"'],
    ['{"+13125550100": "a@x.example"}', '"+13125550100" must be an object'],
    ['{"*": {"to": [], "delivery": "link"}}', '"*" must list 1 to 10 addresses'],
    [
      JSON.stringify({
        '*': { to: Array.from({ length: 11 }, (_, i) => `p${i}@x.example`), delivery: 'link' },
      }),
      'must list 1 to 10 addresses',
    ],
    ['{"*": {"to": ["frontdesk"], "delivery": "link"}}', 'has "frontdesk" in "to"'],
    ['{"*": {"to": ["a@x.example"], "delivery": "fax"}}', '"delivery" attach, link or notify'],
    ['{"*": {"to": ["a@x.example"]}}', '"delivery" attach, link or notify'],
  ])('refuses %s, naming what is wrong', (json, problem) => {
    const read = readRoutes(json);
    expect(read.ok).toBe(false);
    expect(!read.ok && read.problem).toContain(problem);
  });
});

describe('the route of a receiving number', () => {
  const read = readRoutes(ISSUE_EXAMPLE);
  const routes = read.ok ? read.routes : {};

  it("is the number's own route", () => {
    expect(routeFor(routes, '+13125550100')?.delivery).toBe('attach');
  });

  it('is the * route for any other number', () => {
    expect(routeFor(routes, '+13125550199')?.to).toEqual(['admin@clinic.example']);
  });

  it('is none without a route of its own or a *', () => {
    const { '*': _, ...numbered } = routes;
    expect(routeFor(numbered, '+13125550199')).toBeUndefined();
    expect(routeFor({}, '*')).toBeUndefined();
  });
});
