import {
  ModalClient,
  type ContainerProcess,
  type Sandbox,
  type SandboxCreateParams,
  type SandboxExecParams,
  type SandboxLogsManager,
} from 'modal';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  realModalApi,
  type ModalApi,
  type ModalExecParams,
  type ModalProcessRef,
  type ModalSandboxCreateParams,
  type ModalSandboxLogs,
  type ModalTunnelRef,
} from '../../src/extensions/modal/api.ts';

/**
 * The adapter is tested against an in-memory ModalApi; this proves the official client is a ModalApi. The
 * assignments below are checked by `tsc` (tests are part of the typecheck), the rest at run time. No call reaches
 * Modal: the client connects lazily and is closed unused.
 */
describe('the real modal client satisfies ModalApi', () => {
  it('at type level', () => {
    expectTypeOf<ModalClient>().toExtend<ModalApi>();
    const check = (c: ModalClient): ModalApi => c;
    expect(typeof check).toBe('function');
  });

  it('by construction: realModalApi builds a ModalClient with every method the adapter calls', async () => {
    const api = await realModalApi({ tokenId: 'ak-contract-test', tokenSecret: 'as-contract-test' });
    try {
      expect(api).toBeInstanceOf(ModalClient);
      for (const fn of [
        api.apps.fromName,
        api.images.fromRegistry,
        api.images.fromId,
        api.images.delete,
        api.sandboxes.create,
        api.sandboxes.fromId,
        api.sandboxes.list,
      ]) {
        expect(typeof fn).toBe('function');
      }
      // fromRegistry is lazy in the SDK (no network): it yields an Image whose id is set once built.
      const image = api.images.fromRegistry('python:3.12-slim');
      expect(image).toHaveProperty('imageId');
    } finally {
      api.close();
    }
  });

  it('the SDK Sandbox class has the methods ModalSandboxRef names', async () => {
    const { Sandbox } = await import('modal');
    for (const m of [
      'getTags',
      'setTags',
      'terminate',
      'poll',
      'snapshotFilesystem',
      'exec',
      'tunnels',
    ] as const) {
      expect(typeof Sandbox.prototype[m]).toBe('function');
    }
    // `logs` is a getter returning a SandboxLogsManager (persisted entrypoint stdout/stderr).
    expect(typeof Object.getOwnPropertyDescriptor(Sandbox.prototype, 'logs')?.get).toBe('function');
  });

  it('the SDK classes behind exec, logs and tunnels have the shapes the adapter uses', async () => {
    const { ContainerProcess, SandboxLogsManager } = await import('modal');
    expect(typeof ContainerProcess.prototype.wait).toBe('function');
    expect(typeof SandboxLogsManager.prototype.tail).toBe('function');
    expect(typeof SandboxLogsManager.prototype.fetch).toBe('function');
    // Binary-mode processes stream Uint8Array through web streams; tunnels are keyed by container port.
    expectTypeOf<ContainerProcess<Uint8Array>>().toExtend<ModalProcessRef>();
    expectTypeOf<Awaited<ReturnType<Sandbox['tunnels']>>>().toExtend<Record<number, ModalTunnelRef>>();
    expectTypeOf<SandboxLogsManager>().toExtend<ModalSandboxLogs>();
    // Options the adapter passes are the SDK's own names.
    expectTypeOf<ModalExecParams>().toExtend<SandboxExecParams>();
    expectTypeOf<ModalSandboxCreateParams>().toExtend<SandboxCreateParams>();
  });
});
