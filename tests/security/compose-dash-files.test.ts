import { describe, expect, it } from 'vitest';
import { layout, teardownScript, upAndWait } from '../../src/extensions/compose-ssh/remote.ts';
import { composeFileArgs, runtimeFrom } from '../../src/extensions/compose-ssh/project.ts';

/**
 * Compose file names starting with `-` (#19): podman-compose parses `-f -x.yml` as a missing value plus an
 * option. Every compose command of the adapter passes them as `./-x.yml`; the live case is in
 * tests/ssh/compose-dash.test.ts.
 */
describe('compose files whose name starts with -', () => {
  const rt = runtimeFrom({ compose_cmd: 'podman-compose', engine_cmd: 'podman' }, {});
  const l = layout('/srv/sbx', 'sbx-abcdefabcdef', 'sbx-abcdefabcdef');
  const files = ['-weird.yml', '-d/.sandboxer.compose.json', 'ok.yml'];

  it('are passed as ./-name, never as something that looks like an option', () => {
    expect(composeFileArgs(files)).toEqual([
      '-f',
      './-weird.yml',
      '-f',
      './-d/.sandboxer.compose.json',
      '-f',
      'ok.yml',
    ]);
    // (upAndWait nests its compose command in `sh -c '…'`, so quoting differs: look at the names themselves)
    for (const script of [teardownScript(l, rt, files, 5), upAndWait(l, rt, files, 2, 10)]) {
      expect(script).toContain('podman-compose');
      expect(script).toContain('./-weird.yml');
      expect(script).toContain('./-d/.sandboxer.compose.json');
      expect(script).not.toMatch(/(?<!\.\/)-weird\.yml/);
      expect(script).not.toMatch(/(?<!\.\/)-d\/\.sandboxer/);
    }
  });
});
