import { describe, expect, it } from 'vitest';
import { actorTypeFromEnv, ownerFromEnv, ownershipLabels } from '../../src/core/labels.ts';

describe('actor types (adm, agt, atm)', () => {
  it('is atm under GitHub Actions or CI, adm at a terminal, and SANDBOXER_ACTOR_TYPE wins', () => {
    expect(actorTypeFromEnv({ GITHUB_ACTIONS: 'true' })).toBe('atm');
    expect(actorTypeFromEnv({ CI: 'true' })).toBe('atm');
    expect(actorTypeFromEnv({})).toBe('adm');
    expect(actorTypeFromEnv({ GITHUB_ACTIONS: 'true', SANDBOXER_ACTOR_TYPE: 'agt' })).toBe('agt');
  });

  it('refuses an unknown actor type with the variable named, without echoing a long value', () => {
    expect(() => actorTypeFromEnv({ SANDBOXER_ACTOR_TYPE: 'robot' + 'x'.repeat(500) })).toThrow(
      /SANDBOXER_ACTOR_TYPE must be adm, agt or atm/,
    );
    try {
      actorTypeFromEnv({ SANDBOXER_ACTOR_TYPE: 'robot' + 'x'.repeat(500) });
    } catch (err) {
      expect((err as Error).message.length).toBeLessThan(120);
      expect((err as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('travels from the environment into the owner and the ownership labels', () => {
    const owner = ownerFromEnv({ GITHUB_REPOSITORY: 'acme/app', GITHUB_ACTIONS: 'true' });
    expect(owner).toMatchObject({ scope: 'github:acme/app', actor_type: 'atm' });
    const labels = ownershipLabels({ sandboxId: 'sbx-000000000000', profileId: 'profile.saas-stub', owner });
    expect(labels['io.sandboxer.actor-type']).toBe('atm');
  });
});
