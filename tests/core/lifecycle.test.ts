import { describe, expect, it } from 'vitest';
import { SandboxerError } from '../../src/core/errors.ts';
import { assertTransition, canTransition, isTerminal } from '../../src/core/lifecycle.ts';
import { SandboxState } from '../../src/core/record.ts';

const ALL = SandboxState.options;

// The intended machine, written out independently of the implementation's table.
const LEGAL = new Set([
  'requested>provisioning',
  'requested>failed',
  'provisioning>ready',
  'provisioning>failed',
  'provisioning>destroying',
  'ready>destroying',
  'destroying>destroyed',
  'destroying>expired',
  'destroying>failed',
  'failed>destroying',
]);

describe('lifecycle state machine', () => {
  for (const from of ALL) {
    for (const to of ALL) {
      const legal = LEGAL.has(`${from}>${to}`);
      it(`${from} → ${to} is ${legal ? 'allowed' : 'rejected'}`, () => {
        expect(canTransition(from, to)).toBe(legal);
        if (legal) expect(() => assertTransition('sbx-x', from, to)).not.toThrow();
        else expect(() => assertTransition('sbx-x', from, to)).toThrow(SandboxerError);
      });
    }
  }

  it('an illegal transition error says where the state can go', () => {
    try {
      assertTransition('sbx-abc', 'ready', 'provisioning');
      expect.unreachable();
    } catch (err) {
      const e = err as SandboxerError;
      expect(e.code).toBe('illegal_transition');
      expect(e.message).toContain('sbx-abc');
      expect(e.hint).toContain('destroying');
    }
  });

  it('destroyed and expired are final; failed is terminal but can still be cleaned up', () => {
    expect(ALL.filter(isTerminal).sort()).toEqual(['destroyed', 'expired', 'failed']);
    expect(ALL.filter((s) => ALL.every((t) => !canTransition(s, t))).sort()).toEqual([
      'destroyed',
      'expired',
    ]);
    expect(canTransition('failed', 'destroying')).toBe(true);
  });
});
