import type { CredentialSpec, ExtensionManifest, Profile } from '../catalog/schema.ts';
import { actionsMasker } from './mask.ts';
import { CredentialResolver, envScheme, fileScheme } from './resolver.ts';
import { vaultScheme } from './vault.ts';

/**
 * The production resolver: env:, file: and vault: refs; values masked in the Actions log as they resolve.
 * `maskSink` defaults to stdout (where core.setSecret writes); the CLI passes a stderr writer so `--json` stdout
 * stays pure JSON — the runner processes workflow commands from both streams.
 */
export function createCredentialResolver(
  env: NodeJS.ProcessEnv = process.env,
  maskSink?: (line: string) => void,
): CredentialResolver {
  const resolver = new CredentialResolver([envScheme, fileScheme, vaultScheme()]);
  resolver.onResolved = actionsMasker(env, maskSink);
  return resolver;
}

/** Every credential a candidate needs for a profile: the extension's own plus the profile's SSH key. */
export function credentialSpecsFor(
  manifest: ExtensionManifest,
  profile: Profile | undefined,
): CredentialSpec[] {
  const specs = [...manifest.credentials];
  if (profile?.placement.key_ref)
    specs.push({ name: 'ssh_key', secret_ref: profile.placement.key_ref, required: true });
  return specs;
}
