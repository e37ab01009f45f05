import type { Pool, PoolClient } from 'pg';
import { cannotConnect } from './url.ts';

/** Run `fn` with a client of the pool, released after (a refused connection names the database). */
export async function withClient<T>(
  pool: Pool,
  location: string,
  fn: (c: PoolClient) => Promise<T>,
): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw cannotConnect(location, err);
  }
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

/** Run `fn` between BEGIN and COMMIT on `c`; ROLLBACK when it throws. */
export async function inTransaction<T>(c: PoolClient, fn: () => Promise<T>): Promise<T> {
  await c.query('BEGIN');
  try {
    const out = await fn();
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
