import { describe, expect, it } from 'vitest';
import { didYouMean, levenshtein, suggest } from '../../src/core/suggest.ts';

describe('suggest', () => {
  it('measures edits', () => {
    expect(levenshtein('create', 'create')).toBe(0);
    expect(levenshtein('craete', 'create')).toBe(2);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
  });

  it('offers the closest names, ignoring the id prefix, and nothing for a wild guess', () => {
    const verbs = ['create', 'get', 'list', 'destroy', 'recreate', 'serve'];
    expect(suggest('craete', verbs)[0]).toBe('create');
    expect(suggest('lst', verbs)).toContain('list');
    expect(suggest('zzzzzzzz', verbs)).toEqual([]);
    const ids = ['profile.saas-stub', 'profile.compose-e2e', 'profile.e2b-burst'];
    expect(suggest('profile.saas-stb', ids, { prefix: 'profile.' })).toEqual(['profile.saas-stub']);
    expect(suggest('saas-stub', ids, { prefix: 'profile.' })).toEqual(['profile.saas-stub']);
    expect(suggest('stub', ids, { prefix: 'profile.' })).toEqual(['profile.saas-stub']);
  });

  it('phrases the question', () => {
    expect(didYouMean([])).toBeUndefined();
    expect(didYouMean(['a'])).toBe("did you mean 'a'?");
    expect(didYouMean(['a', 'b', 'c'])).toBe("did you mean 'a', 'b' or 'c'?");
  });
});
