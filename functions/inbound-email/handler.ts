import type { SESEvent } from 'aws-lambda';

// Placeholder until the inbound path lands.
export const handler = async (_event: SESEvent): Promise<void> => {};
