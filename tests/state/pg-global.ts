import type { TestProject } from 'vitest/node';
import { pgBinDir, startPgServer } from './pg-server.ts';

/**
 * The integration project's global setup: one PostgreSQL server for the whole run, provided to its files as
 * `pg` (tests/state/pg-server.ts startPg()). Without PostgreSQL there is nothing to provide and the files that
 * need it skip.
 */
export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (!pgBinDir()) return undefined;
  const pg = await startPgServer();
  project.provide('pg', pg.address);
  return () => pg.stop();
}
