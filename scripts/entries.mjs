// The tiny per-entry stubs scripts/build.mjs writes next to the shared bundle: stub path (relative to dist/) →
// exported function of src/bundle.ts it calls. action.yml files point at these.
export const ENTRIES = {
  'setup/main.js': 'setupMain',
  'setup/post.js': 'setupPost',
  'teardown/main.js': 'teardownMain',
  'reap-stale/main.js': 'reapMain',
};
