import { processEnv } from '../config/process-env';
import { loadWebhookSettings } from '../config/webhook-settings';
import { wireWebhook } from './wiring';

export const handler = wireWebhook(loadWebhookSettings(processEnv())).handle;
