import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type * as z from 'zod';
import { parseDurationSeconds } from '../core/duration.ts';
import { SandboxerError, shown, usageError } from '../core/errors.ts';
import { didYouMean, suggest } from '../core/suggest.ts';
import {
  compiledCatalog,
  readCompiledCatalog,
  type CompiledCatalog,
  type CompiledLookup,
} from './compiled.ts';
import { ExtensionManifest, Profile, profileCandidates } from './schema.ts';
import {
  CatalogError,
  locate,
  parseYamlFile,
  zodIssues,
  type CatalogIssue,
  type ParsedYaml,
} from './yaml-errors.ts';

export interface CatalogEntry<T> {
  value: T;
  file: string;
}

export interface Catalog {
  profiles: Map<string, CatalogEntry<Profile>>;
  extensions: Map<string, CatalogEntry<ExtensionManifest>>;
  /** The profile used when none is named. */
  defaultProfileId: string;
  /** A lenient load's problems (files skipped, checks failed); a strict load throws them instead. */
  warnings?: CatalogIssue[];
}

/** The directory holding the packaged profiles/ and extensions/ (works from src/ and from the dist/ bundle). */
export function packagedCatalogRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'profiles')) && existsSync(join(dir, 'extensions'))) return dir;
    dir = dirname(dir);
  }
  throw new SandboxerError('internal', 'cannot find the packaged profiles/ and extensions/ directories');
}

/** Catalog roots: the packaged one, then each entry of SANDBOXER_CATALOG_PATH (later roots override by id). */
export function catalogRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env.SANDBOXER_CATALOG_PATH ?? '').split(':').filter(Boolean);
  for (const p of extra) {
    if (!existsSync(p) || !statSync(p).isDirectory()) {
      throw usageError(
        `SANDBOXER_CATALOG_PATH: ${shown(p)} is not a directory`,
        'list existing catalog directories (holding extensions/ and profiles/), separated by ":"',
      );
    }
  }
  return [packagedCatalogRoot(), ...extra.map((p) => resolve(p))];
}

const PREFIX = { extensions: 'ext.', profiles: 'profile.' } as const;

/** The catalog files of one kind under a root: [absolute path, path relative to the root]. */
function catalogFiles(root: string, kind: keyof typeof PREFIX): [string, string][] {
  const dir = join(root, kind);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(PREFIX[kind]) && (f.endsWith('.yaml') || f.endsWith('.yml')))
    .sort()
    .map((f) => [join(dir, f), `${kind}/${f}`]);
}

function display(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

interface ParsedEntry<T> {
  value: T;
  /** The YAML document, for locating an issue; parsed on demand when the value came from the compiled catalog. */
  parsed: () => ParsedYaml;
}

function parseEntry<S extends z.ZodTypeAny>(
  file: string,
  schema: S,
  idPrefix: string,
  issues: CatalogIssue[],
  compiled?: { lookup: CompiledLookup; relPath: string },
): ParsedEntry<z.infer<S>> | undefined {
  const shown = display(file);
  let parsed: ParsedYaml;
  try {
    const text = readFileSync(file, 'utf8');
    const value = compiled?.lookup.get(compiled.relPath, text);
    if (value !== undefined) {
      let doc: ParsedYaml | undefined;
      return { value: value as z.infer<S>, parsed: () => (doc ??= parseYamlFile(shown, text)) };
    }
    parsed = parseYamlFile(shown, text);
  } catch (err) {
    if (err instanceof CatalogError) issues.push(...err.issues);
    else issues.push({ file: shown, field: '', message: `cannot read: ${(err as Error).message}` });
    return undefined;
  }
  if (parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    issues.push({ file: shown, field: '', message: 'expected a mapping at the top level' });
    return undefined;
  }
  const result = schema.safeParse(parsed.value);
  if (!result.success) {
    issues.push(...zodIssues(shown, parsed, result.error));
    return undefined;
  }
  const expectedId = basename(file).replace(/\.ya?ml$/, '');
  const id = (result.data as { id: string }).id;
  if (id !== expectedId) {
    issues.push({
      file: shown,
      field: 'id',
      ...locate(parsed, ['id']),
      message: `id '${id}' does not match the file name (expected '${expectedId}'; files are named ${idPrefix}<name>.yaml)`,
    });
    return undefined;
  }
  return { value: result.data, parsed: () => parsed };
}

/**
 * Load and cross-check every catalog root. `SANDBOXER_DEFAULT_PROFILE` (in `env`) overrides which profile
 * `create` uses when none is named, e.g. the stub on a machine without an SSH host.
 *
 * Strict (the default, for create and validate) throws every issue at once. `lenient` is for verbs that only
 * read or tear down what exists (list, destroy, reaping): a broken file is skipped and reported in `warnings`,
 * so one malformed YAML cannot block tearing down sandboxes whose records hold their own config.
 */
export function loadCatalog(
  roots?: string[],
  env: NodeJS.ProcessEnv = process.env,
  opts: { lenient?: boolean } = {},
): Catalog {
  roots ??= catalogRoots(env);
  const issues: CatalogIssue[] = [];
  const extensions = new Map<string, CatalogEntry<ExtensionManifest>>();
  const profiles = new Map<string, CatalogEntry<Profile>>();
  const parsedProfiles = new Map<string, () => ParsedYaml>();
  // Only the bundle ships a compiled catalog, and it covers the packaged root only.
  const compiled = readCompiledCatalog();
  const packaged = compiled && packagedCatalogRoot();

  for (const root of roots) {
    const lookup = root === packaged ? compiled : undefined;
    for (const [file, relPath] of catalogFiles(root, 'extensions')) {
      const e = parseEntry(file, ExtensionManifest, 'ext.', issues, lookup && { lookup, relPath });
      if (e) extensions.set(e.value.id, { value: e.value, file: display(file) });
    }
    for (const [file, relPath] of catalogFiles(root, 'profiles')) {
      const e = parseEntry(file, Profile, 'profile.', issues, lookup && { lookup, relPath });
      if (e) {
        profiles.set(e.value.id, { value: e.value, file: display(file) });
        parsedProfiles.set(e.value.id, e.parsed);
      }
    }
  }

  // Cross-file checks: every referenced extension exists, durations parse, inputs and route are coherent.
  for (const [id, { value: p, file }] of profiles) {
    const at = (path: PropertyKey[]) => ({
      file,
      field: path.map(String).join('.'),
      ...locate(parsedProfiles.get(id)!(), path),
    });
    const seen = new Set<string>();
    profileCandidates(p).forEach((ext, i) => {
      const path = p.route ? ['route', 'candidates', i] : ['extension'];
      if (!extensions.has(ext)) {
        issues.push({
          ...at(path),
          field: p.route ? `route.candidates[${i}]` : 'extension',
          message: `unknown extension '${ext}' (known: ${[...extensions.keys()].sort().join(', ') || 'none'})`,
        });
      }
      if (seen.has(ext))
        issues.push({ ...at(path), field: `route.candidates[${i}]`, message: `'${ext}' is listed twice` });
      seen.add(ext);
    });
    for (const key of ['default', 'max'] as const) {
      const v = p.ttl[key];
      if (v === undefined) continue;
      try {
        parseDurationSeconds(v, `ttl.${key}`);
      } catch {
        issues.push({ ...at(['ttl', key]), message: `invalid duration '${v}' (use e.g. 30m, 2h, 1d)` });
      }
    }
    if (p.ttl.default && p.ttl.max) {
      try {
        if (parseDurationSeconds(p.ttl.default) > parseDurationSeconds(p.ttl.max)) {
          issues.push({
            ...at(['ttl', 'default']),
            message: `default ${p.ttl.default} exceeds max ${p.ttl.max}`,
          });
        }
      } catch {
        /* reported above */
      }
    }
    issues.push(...lifetimeCaps(p, extensions, at));
    for (const [name, spec] of Object.entries(p.inputs)) {
      if (spec.required && spec.default !== undefined) {
        issues.push({
          ...at(['inputs', name, 'default']),
          message: 'a required input cannot have a default',
        });
      }
    }
  }

  const defaults = [...profiles.values()].filter((e) => e.value.default);
  if (issues.length === 0 && profiles.size > 0 && defaults.length !== 1) {
    issues.push({
      file: defaults[1]?.file ?? 'profiles/',
      field: 'default',
      message:
        defaults.length === 0
          ? 'no profile is marked default: true'
          : `more than one profile is marked default: true (${defaults.map((d) => d.value.id).join(', ')})`,
    });
  }
  const override = env.SANDBOXER_DEFAULT_PROFILE;
  if (issues.length === 0 && override && !profiles.has(override)) {
    issues.push({
      file: 'SANDBOXER_DEFAULT_PROFILE',
      field: '',
      message: `names unknown profile '${override}' (known: ${[...profiles.keys()].sort().join(', ')})`,
    });
  }
  if (issues.length > 0 && !opts.lenient) throw new CatalogError(issues);
  const defaultProfileId = override || (defaults[0]?.value.id ?? '');
  return { profiles, extensions, defaultProfileId, ...(issues.length ? { warnings: issues } : {}) };
}

/**
 * A profile may not promise a lifetime its backend cannot give: ttl.max (and ttl.default) within every
 * candidate's `config.max_timeout_s` (the provider's session cap, e.g. E2B's), with the profile's config applied.
 */
function lifetimeCaps(
  p: Profile,
  extensions: Map<string, CatalogEntry<ExtensionManifest>>,
  at: (path: PropertyKey[]) => Omit<CatalogIssue, 'message'>,
): CatalogIssue[] {
  const out: CatalogIssue[] = [];
  for (const extId of profileCandidates(p)) {
    const ext = extensions.get(extId);
    const cap = Number({ ...ext?.value.config, ...p.config }.max_timeout_s);
    if (!ext || !Number.isFinite(cap)) continue;
    for (const key of ['max', 'default'] as const) {
      const v = p.ttl[key];
      let s: number;
      try {
        s = v === undefined ? 0 : parseDurationSeconds(v);
      } catch {
        continue; // reported as an invalid duration
      }
      if (s <= cap) continue;
      out.push({
        ...at(['ttl', key]),
        message: `${v} (${s}s) exceeds the maximum lifetime of ${extId}, config.max_timeout_s ${cap}s in ${ext.file}: lower ttl.${key} or raise max_timeout_s`,
      });
      break;
    }
  }
  return out;
}

/**
 * The packaged root's files with their validated values, for the bundle's catalog.json (scripts/build.mjs).
 * Only a valid catalog compiles, and only values that survive JSON unchanged (what the bundle reads back).
 */
export function compileCatalog(root: string): CompiledCatalog {
  const catalog = loadCatalog([root], {});
  const files: { relPath: string; text: string; value: unknown }[] = [];
  for (const kind of ['extensions', 'profiles'] as const) {
    for (const [file, relPath] of catalogFiles(root, kind)) {
      // loadCatalog checked that each file's id is its name.
      const value = catalog[kind].get(basename(file).replace(/\.ya?ml$/, ''))!.value;
      if (!isDeepStrictEqual(JSON.parse(JSON.stringify(value)), value))
        throw new SandboxerError('internal', `${relPath}: the validated value does not survive JSON`);
      files.push({ relPath, text: readFileSync(file, 'utf8'), value });
    }
  }
  return compiledCatalog(files);
}

export function getProfile(catalog: Catalog, id: string | undefined): Profile {
  const pid = id ?? catalog.defaultProfileId;
  const entry = catalog.profiles.get(pid);
  if (!entry) {
    throw new SandboxerError('not_found', `profile ${shown(pid)} not found`, {
      exitCode: 2,
      hint: knownHint(
        pid,
        catalog.profiles.keys(),
        'profile.',
        "known profiles: %s (see 'sandboxer profiles list')",
      ),
    });
  }
  return entry.value;
}

export function getExtensionManifest(catalog: Catalog, id: string): ExtensionManifest {
  const entry = catalog.extensions.get(id);
  if (!entry) {
    throw new SandboxerError('not_found', `extension ${shown(id)} not found`, {
      exitCode: 2,
      hint: knownHint(
        id,
        catalog.extensions.keys(),
        'ext.',
        "known extensions: %s (see 'sandboxer extensions list')",
      ),
    });
  }
  return entry.value;
}

/** "did you mean …? known …: a, b, c" for an id that is not in the catalog. */
function knownHint(id: string, known: Iterable<string>, prefix: string, list: string): string {
  const names = [...known].sort();
  const guess = didYouMean(suggest(id, names, { prefix }));
  return `${guess ? `${guess} ` : ''}${list.replace('%s', names.join(', '))}`;
}
