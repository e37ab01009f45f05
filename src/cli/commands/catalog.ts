import { profileCandidates } from '../../catalog/schema.ts';
import type { Command } from '../command.ts';
import { table } from '../output.ts';

export const profilesList: Command = {
  name: 'profiles list',
  summary: 'List the profiles in the catalog',
  usage: 'sandboxer profiles list [--json]',
  async run(ctx) {
    const { catalog } = ctx.manager();
    const profiles = [...catalog.profiles.values()].map((e) => ({ ...e.value, file: e.file }));
    if (ctx.json) return ctx.out(JSON.stringify(profiles, null, 2));
    ctx.out(
      table(
        profiles.map((p) => ({
          id: p.id + (p.id === catalog.defaultProfileId ? ' (default)' : ''),
          version: p.version,
          backends: profileCandidates(p).join(' → '),
          strategy: p.route?.strategy ?? 'explicit',
          ttl: p.ttl.default,
          description: p.description,
        })),
        ['id', 'version', 'backends', 'strategy', 'ttl', 'description'],
      ),
    );
  },
};

export const extensionsList: Command = {
  name: 'extensions list',
  summary: 'List the extensions (backends) in the catalog and whether each is implemented',
  usage: 'sandboxer extensions list [--json]',
  async run(ctx) {
    const m = ctx.manager();
    const exts = [...m.catalog.extensions.values()].map((e) => ({
      ...e.value,
      file: e.file,
      implemented: m.registry.has(e.value.id),
    }));
    if (ctx.json) return ctx.out(JSON.stringify(exts, null, 2));
    ctx.out(
      table(
        exts.map((e) => ({
          id: e.id,
          version: e.version,
          kind: e.kind,
          pricing: e.pricing.model,
          capabilities:
            Object.entries(e.capabilities)
              .filter(([, v]) => v)
              .map(([k]) => k)
              .join(',') || '-',
          implemented: e.implemented ? 'yes' : 'no',
        })),
        ['id', 'version', 'kind', 'pricing', 'capabilities', 'implemented'],
      ),
    );
  },
};

export const catalogCommands = [profilesList, extensionsList];
