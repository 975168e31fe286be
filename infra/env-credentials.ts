// Bundled in place of @aws-sdk/credential-provider-node (bridge-function.ts, BUNDLE_ALIASES):
// in Lambda the role's credentials are in the environment, so the SDK's default chain is cut
// down to its first link. Outside the bundles (tests, the local mode) the SDK's own chain runs.
import { fromEnv } from '@aws-sdk/credential-provider-env';

type Init = Parameters<typeof fromEnv>[0];

/** The one export the SDK clients import from the package it replaces. */
export const defaultProvider = (init: Init = {}) => fromEnv(init);
