// The one shared bundle (dist/index.js). Every entry point — the CLI and each action's main/post — is an export
// here; the files under dist/ that runners and bin/ execute are tiny stubs that call one of them.
export { main as runCliMain } from './cli/main.ts';
