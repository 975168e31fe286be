import { describe, expect, it } from 'vitest';
import { sourceFiles, violations } from '../support/import-graph';
import { repoRoot } from '../support/paths';

describe('the import graph', () => {
  it('keeps every flow to itself and shared/, core free of AWS SDKs, process.env in config/', () => {
    expect(violations(sourceFiles(repoRoot, 'functions'))).toEqual([]);
  });

  it('is checked: a flow importing another, shared/ importing a flow, core using the SDK fail', () => {
    const found = violations([
      {
        path: 'functions/core/webhook/result-email.ts',
        text: "import { refusal } from '../inbound/refusals';\nimport { a } from './fax-events';",
      },
      { path: 'functions/core/shared/ports.ts', text: "import type { X } from '../webhook/x';" },
      {
        path: 'functions/core/inbound/mail/parse-email.ts',
        text: "import { S3Client } from '@aws-sdk/client-s3';\nimport { p } from '../../shared/ports';",
      },
      { path: 'functions/core/inbound/plan.ts', text: "import { s } from '../../config/fields';" },
      { path: 'functions/adapters/s3-store.ts', text: 'const b = process.env.FAX_BUCKET;' },
      { path: 'functions/config/process-env.ts', text: 'export const e = () => process.env;' },
    ]);
    expect(found).toEqual([
      'functions/core/webhook/result-email.ts → ../inbound/refusals: a flow imports only its own folder and shared/, not inbound/',
      'functions/core/shared/ports.ts → ../webhook/x: shared/ imports no flow',
      'functions/core/inbound/mail/parse-email.ts → @aws-sdk/client-s3: core never imports an AWS SDK client',
      'functions/core/inbound/plan.ts → ../../config/fields: core imports only core',
      'functions/adapters/s3-store.ts: reads process.env',
    ]);
  });
});
