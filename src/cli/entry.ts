import { startCli } from './start.ts';

void startCli();
