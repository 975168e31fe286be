// What the stack's receipt rule set activation does on each CloudFormation request. SES runs one
// receipt rule set per account and region: activating ours would switch off every rule of any
// other, so it refuses, and deleting the stack switches receiving off only while ours is active.

/** The account's receipt rule sets, as far as activation is concerned. */
export interface ReceiptRuleSets {
  /** The name of the active rule set, or undefined when none is. */
  active(): Promise<string | undefined>;
  /** Activates `name`; undefined deactivates whichever set is active. */
  setActive(name: string | undefined): Promise<void>;
}

export type ActivationRequest = 'Create' | 'Update' | 'Delete';

export type ActivationOutcome =
  | { kind: 'activated' }
  | { kind: 'already_active' }
  | { kind: 'deactivated' }
  /** Another set is active (or none): deleting ours must not touch it. */
  | { kind: 'left_alone'; active?: string }
  /** Another set is active: activating ours would switch it off. */
  | { kind: 'refused'; active: string };

export async function applyActivation(
  request: ActivationRequest,
  ruleSetName: string,
  sets: ReceiptRuleSets,
): Promise<ActivationOutcome> {
  const active = await sets.active();
  if (request === 'Delete') {
    if (active !== ruleSetName) return { kind: 'left_alone', active };
    await sets.setActive(undefined);
    return { kind: 'deactivated' };
  }
  if (active === ruleSetName) return { kind: 'already_active' };
  if (active !== undefined) return { kind: 'refused', active };
  await sets.setActive(ruleSetName);
  return { kind: 'activated' };
}

/** What CloudFormation shows for the outcome. */
export function describeOutcome(outcome: ActivationOutcome, ruleSetName: string): string {
  switch (outcome.kind) {
    case 'activated':
      return `activated the receipt rule set ${ruleSetName}`;
    case 'already_active':
      return `the receipt rule set ${ruleSetName} was already active`;
    case 'deactivated':
      return `deactivated the receipt rule set ${ruleSetName}`;
    case 'left_alone':
      return outcome.active
        ? `left the active receipt rule set ${outcome.active} as it is`
        : 'no receipt rule set was active';
    case 'refused':
      return (
        `The SES receipt rule set ${outcome.active} is active in this region; activating ` +
        `${ruleSetName} would switch off every rule in it. Deploy with ` +
        `-c receiptRuleSet=use-active:${outcome.active} to add the fax rule to it instead.`
      );
  }
}
