/**
 * setup-sandbox's post step as its own entry module (action.yml `runs.post`): @github/local-action runs
 * `--post src/action/setup-post.ts` by calling this `run()`; importing the module runs nothing.
 */
export { setupPost as run } from './setup.ts';
