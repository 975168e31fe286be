import { processEnv } from '../config/process-env';
import { loadReceiverSettings } from '../config/receiver-settings';
import { wireReceiver } from './wiring';

export const handler = wireReceiver(loadReceiverSettings(processEnv())).handle;
