import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/extensions/contract.ts';
import { Job } from '../actions/runner.ts';
import { tempDir } from '../helpers/env.ts';
import { projectObjects, skipReason, testHost, writeComposeRepo } from './host.ts';

/**
 * The bundled setup action on the loopback host as a workflow uses it: main creates a compose stack and puts
 * `sandboxer` on PATH with SANDBOX_ID / SANDBOX_URL; a later `run:` step execs in it and curls its URL; the post
 * shows each service's logs, then tears the stack down.
 */
const reason = skipReason();
const suite = reason ? describe.skip : describe;

suite(
  `setup-sandbox on compose-ssh: a later step uses the sandbox${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    const tmp = tempDir('sbx-action-use-');
    afterAll(() => tmp.cleanup());

    it('main → run: sandboxer exec + curl "$SANDBOX_URL" → post with the service logs', async () => {
      const h = testHost();
      const repo = join(tmp.dir, 'repo');
      writeComposeRepo(repo, h.image);
      const job = new Job(join(tmp.dir, 'job'), {
        ...(h.env as Record<string, string>),
        SANDBOXER_BASE_DIR: join(tmp.dir, 'host'),
      });
      const main = await job.run('setup/main.js', {
        inputs: {
          profile: 'profile.compose-e2e',
          inputs: `repo=${repo}`,
          'state-store': 'none',
          teardown: 'post',
        },
      });
      expect(main.code, main.stdout + main.stderr).toBe(0);
      const id = main.outputs['sandbox-id']!;
      const endpoints = JSON.parse(main.outputs.endpoints!) as Endpoint[];
      expect(endpoints.find((e) => e.service === 'web' && e.port === 8080)).toBeDefined();
      expect(main.env.SANDBOX_ID).toBe(id);
      expect(main.env.SANDBOX_URL).toBe(main.outputs.url);
      expect(main.env.SANDBOX_URL_WEB_8080).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(main.outputs['ssh-command']).toMatch(/^ssh -p \d+ \S+@127\.0\.0\.1$/);
      expect(main.path.length).toBe(1);

      // A later `run:` step: the runner gives it GITHUB_ENV's variables and GITHUB_PATH's directories.
      const step = spawnSync(
        'sh',
        [
          '-c',
          'sandboxer exec "$SANDBOX_ID" --service web -- cat /tmp/index.html && curl -fsS "$SANDBOX_URL"',
        ],
        {
          env: {
            ...process.env,
            ...(h.env as Record<string, string>),
            ...main.env,
            PATH: `${main.path.join(':')}:${process.env.PATH}`,
          },
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
      expect(step.status, step.stderr).toBe(0);
      expect(step.stdout).toBe('hello-from-web\nhello-from-web\n');

      const post = await job.run('setup/post.js', { state: main.state, inputs: { 'job-status': 'success' } });
      expect(post.code, post.stdout + post.stderr).toBe(0);
      expect(post.stdout).toMatch(/::group::logs: web/);
      expect(post.stdout).toMatch(/web-started/);
      expect(projectObjects(h, id)).toEqual([]);
    });
  },
);
