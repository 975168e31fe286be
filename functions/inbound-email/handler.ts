import { loadInboundSettings } from '../config/inbound-settings';
import { processEnv } from '../config/process-env';
import { wireInbound } from './wiring';

export const handler = wireInbound(loadInboundSettings(processEnv())).handle;
