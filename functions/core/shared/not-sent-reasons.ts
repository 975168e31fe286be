// Why a fax never reached Telnyx's fax line, in the sender's words. The dispatch records the
// reason in the job's note as `<code>: <detail>` (Telnyx's answer), and the result email reads it.

export interface NotSentExplanation {
  code: string;
  summary: string;
  sentence: string;
  nextStep: string;
}

const FOR_THE_ADMINISTRATOR =
  'This is for your fax administrator to fix: please forward this email to them. Then send the document again in a new email to this number alone.';
const SEND_AGAIN =
  'Send the document again in a new email to this number alone when you are ready.';

type Words = Omit<NotSentExplanation, 'code'>;

const REASONS: Readonly<Record<string, (detail: string) => Words>> = {
  invalid_request: (detail) => ({
    summary: 'the fax service refused the number',
    sentence: `The fax service refused to send it, saying "${detail.trim().replace(/[.\s]+$/, '')}".`,
    nextStep: 'Check the number, then send the document in a new email to the right number.',
  }),
  api_key_refused: () => ({
    summary: "the fax service refused this bridge's API key",
    sentence: "The fax service refused this bridge's API key.",
    nextStep: FOR_THE_ADMINISTRATOR,
  }),
  api_key_unreadable: () => ({
    summary: 'this bridge could not read its API key',
    sentence: 'This bridge could not read its API key for the fax service.',
    nextStep: FOR_THE_ADMINISTRATOR,
  }),
  unreachable: () => ({
    summary: 'the fax service could not be reached',
    sentence: 'The fax service could not be reached.',
    nextStep: SEND_AGAIN,
  }),
  busy: () => ({
    summary: 'the fax service was too busy to take it',
    sentence: 'The fax service was too busy to take it.',
    nextStep: SEND_AGAIN,
  }),
  never_confirmed: () => ({
    summary: 'the fax service never took it',
    sentence:
      'The request to the fax service went unanswered, and the fax service has no record of the fax since.',
    nextStep: SEND_AGAIN,
  }),
};

const UNRECORDED: Words = {
  summary: 'the fax service did not take it',
  sentence: 'The fax service did not take it.',
  nextStep: SEND_AGAIN,
};

/** The note's code and detail, as `noteOf` wrote them. */
export function readNote(note = ''): { code?: string; detail: string } {
  const match = /^([a-z_]+): ([\s\S]*)$/.exec(note);
  return match ? { code: match[1], detail: match[2] ?? '' } : { detail: note };
}

export const noteOf = (code: string, detail: string): string => `${code}: ${detail}`;

export function explainNotSent(note: string | undefined): NotSentExplanation {
  const { code, detail } = readNote(note);
  const words = code !== undefined && Object.hasOwn(REASONS, code) ? REASONS[code] : undefined;
  return { code: words ? (code as string) : 'unrecorded', ...(words?.(detail) ?? UNRECORDED) };
}
