import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';

// Placeholder until the webhook path lands.
export const handler = async (
  _event: LambdaFunctionURLEvent,
): Promise<LambdaFunctionURLResult> => ({
  statusCode: 501,
});
