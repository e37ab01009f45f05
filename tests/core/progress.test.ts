import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { byteProgress, megabytes } from '../../src/core/progress.ts';
import type { ContainerInfo } from '../../src/extensions/compose-ssh/container-info.ts';
import { waitProjectReady } from '../../src/extensions/compose-ssh/ready.ts';
import type { UpStatus } from '../../src/extensions/compose-ssh/remote.ts';

const sink = (got: Buffer[]) =>
  new Writable({
    write(chunk: Buffer, _e, cb) {
      got.push(chunk);
      cb();
    },
  });

describe('progress lines', () => {
  it('byteProgress passes the bytes through, reports while they flow and the total at the end', async () => {
    const chunks = [Buffer.alloc(600_000, 1), Buffer.alloc(700_000, 2), Buffer.alloc(100, 3)];
    const reports: [number, boolean][] = [];
    const got: Buffer[] = [];
    await pipeline(
      Readable.from(chunks),
      byteProgress((n, done) => reports.push([n, done]), 0),
      sink(got),
    );
    expect(Buffer.concat(got).equals(Buffer.concat(chunks))).toBe(true);
    expect(reports).toEqual([
      [600_000, false],
      [1_300_000, false],
      [1_300_100, false],
      [1_300_100, true],
    ]);
    expect(megabytes(1_300_100)).toBe('1.3 MB');

    // Within one interval only the total is reported.
    const once: [number, boolean][] = [];
    await pipeline(
      Readable.from(chunks),
      byteProgress((n, done) => once.push([n, done]), 3_600_000),
      sink([]),
    );
    expect(once).toEqual([[1_300_100, true]]);
  });

  it('waiting for a compose project says what it waits for, each time that changes', async () => {
    const c = (service: string, Status: string, health?: string): ContainerInfo => ({
      Id: `${service}-id`,
      State: { Status, ...(health ? { Health: { Status: health } } : {}) },
      Config: { Labels: { 'com.docker.compose.service': service } },
    });
    const polls: UpStatus[] = [
      { up: 'running', containers: [], log: '' },
      { up: 'running', containers: [c('db', 'created')], log: '' },
      { up: 0, containers: [c('db', 'running', 'starting'), c('web', 'running')], log: '' },
      { up: 0, containers: [c('db', 'running', 'starting'), c('web', 'running')], log: '' },
      { up: 0, containers: [c('db', 'running', 'healthy'), c('web', 'running')], log: '' },
    ];
    const heard: string[] = [];
    const signal = new AbortController().signal;
    await waitProjectReady({
      extId: 'ext.compose-ssh',
      services: ['db', 'web'],
      signal,
      userSignal: signal,
      timeout_s: 60,
      status: async () => polls.shift()!,
      runHealthcheck: async () => undefined,
      progress: (why) => heard.push(why),
    });
    expect(heard).toEqual([
      'no containers yet',
      'service db is created',
      'the healthcheck of db is starting',
    ]);
  });
});
