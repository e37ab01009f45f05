import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../src/core/logger.ts';
import { enforcePolicy } from '../../src/extensions/compose-ssh/policy.ts';
import { tempDir } from '../helpers/env.ts';

const tmp = tempDir('sbx-policy-');
afterAll(() => tmp.cleanup());
const repo = join(tmp.dir, 'repo');
mkdirSync(join(repo, 'sub/data'), { recursive: true });
symlinkSync('/etc', join(repo, 'etc-link'));
symlinkSync('data', join(repo, 'sub/inner-link'));

const compose = (svc: Record<string, unknown>, top: Record<string, unknown> = {}) =>
  JSON.stringify({ services: { app: { image: 'busybox', ...svc } }, ...top });
const check = (text: string, config: Record<string, unknown> = {}, log: Logger = silentLogger) =>
  enforcePolicy(text, 'sub/docker-compose.yml', { config, log, repo });

describe('compose policy', () => {
  it('refuses each breach, naming the service and the field (validation, exit 2)', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ volumes: ['../..:/base'] }, /service app: volumes '\.\.\/\.\.' leaves the workspace/],
      [{ volumes: ['/:/host'] }, /service app: volumes '\/' is an absolute host path/],
      [{ volumes: ['~/.ssh:/k'] }, /volumes '~\/.ssh' is in a home directory/],
      [{ volumes: ['${HOME}:/h'] }, /volumes .* uses a variable/],
      [{ volumes: [{ type: 'bind', source: '../../x', target: '/x' }] }, /volumes .* leaves the workspace/],
      [{ volumes: ['../etc-link/shadow:/s'] }, /symbolic link that leads outside/],
      [{ privileged: true }, /service app: privileged is set/],
      [{ network_mode: 'host' }, /service app: network_mode is 'host'/],
      [{ network_mode: 'container:sbx-other_web_1' }, /network_mode is 'container:/],
      [{ pid: 'host' }, /service app: pid/],
      [{ ipc: 'host' }, /service app: ipc/],
      [{ uts: 'host' }, /service app: uts is host/],
      [{ cgroup: 'host' }, /service app: cgroup is host/],
      [{ userns_mode: 'host' }, /service app: userns_mode is host/],
      [{ volumes_from: ['container:sbx-other'] }, /service app: volumes_from/],
      [{ cap_add: ['SYS_ADMIN'] }, /service app: cap_add/],
      [{ devices: ['/dev/sda:/dev/sda'] }, /service app: devices/],
      [{ security_opt: ['seccomp=unconfined'] }, /service app: security_opt disables confinement/],
      [{ security_opt: ['label:disable'] }, /security_opt/],
      [{ build: '../..' }, /build.context '\.\.\/\.\.' leaves/],
      [{ env_file: ['/etc/environment'] }, /env_file/],
    ];
    for (const [svc, message] of cases) {
      let err: unknown;
      try {
        check(compose(svc));
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(svc)).toMatchObject({ code: 'validation', exitCode: 2, message });
    }
    expect(() =>
      check(compose({}, { volumes: { v: { driver_opts: { type: 'none', o: 'bind', device: '/' } } } })),
    ).toThrow(/volume v: driver_opts.device/);
  });

  it('accepts binds inside the workspace, named volumes and harmless options', () => {
    check(
      compose({
        volumes: [
          './data:/d',
          'data:/named',
          '../README.md:/r:ro',
          'inner-link:/i',
          { type: 'volume', source: 'x' },
        ],
        security_opt: ['no-new-privileges:true'],
        network_mode: 'service:db',
      }),
    );
  });

  it('an allowance named in config.allow lets that breach through, loudly; an unknown one is refused', () => {
    const warned: string[] = [];
    const log = { ...silentLogger, warn: (m: string) => warned.push(m) };
    check(
      compose({ privileged: true, volumes: ['/:/host'] }),
      { allow: ['privileged', 'bind_mounts_outside'] },
      log,
    );
    expect(warned).toEqual([
      expect.stringMatching(/config.allow privileged: service app privileged/),
      expect.stringMatching(/config.allow bind_mounts_outside: service app volumes '\/'/),
    ]);
    expect(() => check(compose({ privileged: true }), { allow: ['host_network'] })).toThrow(/privileged/);
    expect(() => check(compose({}), { allow: ['everything'] })).toThrow(/unknown allowance 'everything'/);
  });
});
