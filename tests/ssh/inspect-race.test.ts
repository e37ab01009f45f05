import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectManaged, inspectProject } from '../../src/extensions/compose-ssh/remote.ts';
import { tempDir } from '../helpers/env.ts';

/**
 * Listing containers races with other sandboxes' teardowns: a container that `ps` listed can be gone before
 * `inspect` reads it ("no such object", exit 125 on podman). Found by running the suite's host tests side by
 * side (#18): the reaper's list failed. The listing lists again instead; a lasting failure keeps its message.
 * The remote command runs here under `sh` with an engine stand-in that scripts what ps and inspect answer.
 */
const tmp = tempDir('sbx-inspect-race-');
afterAll(() => tmp.cleanup());

/** An engine whose first `failures` inspects fail as a vanished container does; every call is logged. */
function engine(failures: number, ids = 'c1\nc2'): { engine: string[]; calls: () => string[] } {
  const log = join(tmp.dir, `calls-${failures}-${ids.length}`);
  const script = join(tmp.dir, `engine-${failures}-${ids.length}.sh`);
  writeFileSync(
    script,
    [
      `echo "$*" >> '${log}'`,
      'case "$1" in',
      `  ps) printf '%s\\n' ${JSON.stringify(ids)} | sed '/^$/d' ;;`,
      `  inspect) n=$(grep -c '^inspect' '${log}'); if [ "$n" -le ${failures} ]; then echo 'Error: inspecting object: no such object: "c2"' >&2; exit 125; fi; echo '[{"Id":"c1"}]' ;;`,
      'esac',
    ].join('\n'),
  );
  return {
    engine: ['sh', script],
    calls: () => spawnSync('cat', [log], { encoding: 'utf8' }).stdout.trim().split('\n'),
  };
}

const run = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });

describe('listing containers while others are torn down', () => {
  it('lists again when a listed container vanished before inspect, and prints only the JSON', () => {
    const e = engine(2);
    const r = run(inspectManaged({ compose: ['podman-compose'], engine: e.engine }));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ Id: 'c1' }]);
    expect(r.stderr).toBe('');
    expect(e.calls().filter((c) => c.startsWith('ps')).length).toBe(3);
  });

  it('fails with the engine’s own words when inspect keeps failing', () => {
    const e = engine(10);
    const r = run(inspectProject({ compose: ['podman-compose'], engine: e.engine }, 'sbx-aaaaaaaaaaaa'));
    expect(r.status).toBe(125);
    expect(r.stderr).toContain('no such object');
    expect(e.calls().filter((c) => c.startsWith('inspect')).length).toBe(4);
  });

  it('prints an empty array when nothing is listed', () => {
    const e = engine(0, '');
    const r = run(inspectProject({ compose: ['podman-compose'], engine: e.engine }, "it's"));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
    expect(e.calls()).toEqual(["ps -aq --filter label=com.docker.compose.project=it's"]);
  });
});
