import { loadDispatchSettings } from '../config/dispatch-settings';
import { processEnv } from '../config/process-env';
import { wireDispatch } from './wiring';

export const handler = wireDispatch(loadDispatchSettings(processEnv())).handle;
