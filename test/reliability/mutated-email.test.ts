// Real emails (shared/fixtures) and the project's own, damaged the way mail gets damaged: the
// inbound path never throws, and every run ends in a fax request, a refusal notice or a logged drop.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isAligned } from '../../functions/core/inbound/mail/alignment';
import { parseEmail } from '../../functions/core/inbound/mail/parse-email';
import { faxAddress, runInbound, SENDER } from '../support/inbound-harness';
import { applyMutation, mutationArb } from '../support/mime-mutations';
import { ownEmailsDir, realEmailsDir, sharedName } from '../support/paths';

const realDir = realEmailsDir;
const ownDir = ownEmailsDir;
// Above this the run is slow and adds little that the smaller messages do not already exercise.
const MAX_FIXTURE_BYTES = 400 * 1024;

interface Fixture {
  name: string;
  raw: Buffer;
  /** The From address of the undamaged message, allowed to send and passing SPF. */
  sender: string;
}

async function loadFixtures(dir: string): Promise<Fixture[]> {
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir).filter((name) => name.endsWith('.eml'));
  const fixtures: Fixture[] = [];
  for (const name of names.sort()) {
    const file = readFileSync(path.join(dir, name));
    if (file.length > MAX_FIXTURE_BYTES) continue;
    const from = (await parseEmail(file)).from[0]?.address?.toLowerCase();
    // Test messages often have no From; one is added so that the damage reaches the documents.
    const raw = from ? file : Buffer.concat([Buffer.from(`From: Alice <${SENDER}>\r\n`), file]);
    fixtures.push({ name, raw, sender: from ?? SENDER });
  }
  return fixtures;
}

const tally = { inputs: 0, faxed: 0, refused: 0, dropped: 0, duplicates: 0, lost: 0 };
const NUMBERS = ['+13125551234', '+13125551299'];

afterAll(() => {
  console.info(
    `mutated emails: ${tally.inputs} inputs, ${tally.faxed} faxed, ${tally.refused} refused, ` +
      `${tally.dropped} dropped, ${tally.duplicates} duplicates, ${tally.lost} outcomes lost`,
  );
});

async function checkRun(fixture: Fixture, raw: Buffer) {
  tally.inputs += 1;
  const { outcome, deps } = await runInbound(raw, {
    recipients: [...NUMBERS.map(faxAddress), faxAddress('911')],
    source: fixture.sender,
    commonHeaders: { from: [fixture.sender], subject: 'damaged' },
    settings: { allowedSenders: [fixture.sender] },
  });
  const notices = deps.mailer.sent;
  const faxes = deps.fax.requests;
  const perNumber = NUMBERS.map((n) => faxes.filter((f) => f.to === n).length);
  tally.duplicates += perNumber.reduce((sum, count) => sum + Math.max(0, count - 1), 0);
  const ended =
    (outcome.kind === 'faxed' && (faxes.length > 0 || outcome.noticeSent)) ||
    (outcome.kind === 'refused' && outcome.noticeSent && notices.length === 1) ||
    (outcome.kind === 'dropped' && outcome.reason.length > 0 && notices.length === 0);
  if (!ended) tally.lost += 1;
  tally[outcome.kind] += 1;
  expect(ended, JSON.stringify(outcome)).toBe(true);
  expect(notices.length).toBeLessThanOrEqual(1);
  for (const notice of notices) {
    // Damage may change the From address, but a reply only goes where SPF vouched for the domain.
    expect(isAligned(notice.to.split('@')[1] ?? '', fixture.sender.split('@')[1] ?? '')).toBe(true);
    expect(notice.to).toMatch(/^[\x21-\x7e]+$/);
    expect(notice.subject).not.toMatch(/[\r\n]/);
  }
  expect(perNumber.every((count) => count <= 1)).toBe(true);
}

describe.each([
  ['real emails', realDir],
  ["the project's fixtures", ownDir],
])('%s, damaged', (_label, dir) => {
  it.runIf(existsSync(dir))(
    sharedName('never throws; each run ends in a fax request, a refusal notice or a logged drop'),
    async () => {
      const fixtures = await loadFixtures(dir);
      expect(fixtures.length).toBeGreaterThan(5);
      // Each undamaged message first, then damaged ones.
      for (const fixture of fixtures) await checkRun(fixture, fixture.raw);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...fixtures),
          fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
          async (fixture, mutations) => {
            const raw = mutations.reduce(applyMutation, fixture.raw);
            await checkRun(fixture, raw);
          },
        ),
        { numRuns: 150 },
      );
    },
    120_000,
  );
});
