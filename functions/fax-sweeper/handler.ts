import { processEnv } from '../config/process-env';
import { loadSweeperSettings } from '../config/sweeper-settings';
import { wireSweeper } from './wiring';

export const handler = wireSweeper(loadSweeperSettings(processEnv())).handle;
