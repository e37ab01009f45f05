export const id = 453;
export const ids = [453];
export const modules = {

/***/ 35766:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  X3: () => (/* binding */ catalogRoots),
  Vq: () => (/* binding */ getExtensionManifest),
  E$: () => (/* binding */ getProfile),
  ak: () => (/* binding */ loadCatalog)
});

// UNUSED EXPORTS: packagedCatalogRoot

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(73136);
// EXTERNAL MODULE: ./src/core/duration.ts
var duration = __webpack_require__(98571);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(74296);
// EXTERNAL MODULE: ./src/catalog/schema.ts
var schema = __webpack_require__(53596);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(38815);
;// CONCATENATED MODULE: ./src/catalog/yaml-errors.ts


const formatIssue = (i) => `${i.file}${i.line ? `:${i.line}${i.column ? `:${i.column}` : ''}` : ''}: ${i.field ? `${i.field}: ` : ''}${i.message}`;
class CatalogError extends errors/* SandboxerError */.j8 {
    issues;
    constructor(issues) {
        super('validation', issues.map(formatIssue).join('\n'), {
            hint: 'fix the catalog file(s) named above; schemas/*.schema.json describe every field',
        });
        this.name = 'CatalogError';
        this.issues = issues;
    }
}
function formatPath(path) {
    let out = '';
    for (const seg of path) {
        if (typeof seg === 'number')
            out += `[${seg}]`;
        else
            out += out ? `.${String(seg)}` : String(seg);
    }
    return out;
}
function parseYamlFile(file, text) {
    const lines = new dist/* LineCounter */.HN();
    const doc = (0,dist/* parseDocument */.Tp)(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
        throw new CatalogError(
        // The first parse error is the real one; the rest are usually its echoes.
        doc.errors.slice(0, 1).map((e) => {
            const pos = e.linePos?.[0] ?? (e.pos ? lines.linePos(e.pos[0]) : undefined);
            return {
                file,
                field: '',
                ...(pos ? { line: pos.line, column: pos.col } : {}),
                message: `invalid YAML: ${e.message.split('\n')[0]}`,
            };
        }));
    }
    return { doc, lines, value: doc.toJS() };
}
/** Locate the YAML node for a path, falling back to the nearest existing parent (a missing field's parent). */
function locate(parsed, path) {
    for (let n = path.length; n >= 0; n--) {
        const node = parsed.doc.getIn(path.slice(0, n), true);
        if (node && typeof node === 'object' && node.range) {
            const pos = parsed.lines.linePos(node.range[0]);
            return { line: pos.line, column: pos.col };
        }
    }
    return {};
}
function zodIssues(file, parsed, error) {
    return error.issues.map((issue) => {
        const path = issue.path;
        let message = issue.message;
        if (issue.code === 'unrecognized_keys') {
            message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
            const loc = locate(parsed, [...path, issue.keys[0]]);
            return { file, field: formatPath(path), ...loc, message };
        }
        if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
            message = `required field is missing (expected ${issue.expected})`;
        }
        else if (issue.code === 'invalid_type' &&
            issue.expected === 'string' &&
            /received number/.test(message)) {
            message = `expected a string, got a number: quote it in YAML (e.g. '0.000014')`;
        }
        else if (issue.code === 'invalid_key') {
            message = `invalid key: ${issue.issues.map((i) => i.message).join('; ')}`;
        }
        return { file, field: formatPath(path), ...locate(parsed, path), message };
    });
}

;// CONCATENATED MODULE: ./src/catalog/loader.ts







/** The directory holding the packaged profiles/ and extensions/ (works from src/ and from the dist/ bundle). */
function packagedCatalogRoot() {
    let dir = (0,external_node_path_.dirname)((0,external_node_url_.fileURLToPath)(import.meta.url));
    for (let i = 0; i < 6; i++) {
        if ((0,external_node_fs_.existsSync)((0,external_node_path_.join)(dir, 'profiles')) && (0,external_node_fs_.existsSync)((0,external_node_path_.join)(dir, 'extensions')))
            return dir;
        dir = (0,external_node_path_.dirname)(dir);
    }
    throw new errors/* SandboxerError */.j8('internal', 'cannot find the packaged profiles/ and extensions/ directories');
}
/** Catalog roots: the packaged one, then each entry of SANDBOXER_CATALOG_PATH (later roots override by id). */
function catalogRoots(env = process.env) {
    const extra = (env.SANDBOXER_CATALOG_PATH ?? '').split(':').filter(Boolean);
    return [packagedCatalogRoot(), ...extra.map((p) => (0,external_node_path_.resolve)(p))];
}
function yamlFiles(dir, prefix) {
    if (!(0,external_node_fs_.existsSync)(dir) || !(0,external_node_fs_.statSync)(dir).isDirectory())
        return [];
    return (0,external_node_fs_.readdirSync)(dir)
        .filter((f) => f.startsWith(prefix) && (f.endsWith('.yaml') || f.endsWith('.yml')))
        .sort()
        .map((f) => (0,external_node_path_.join)(dir, f));
}
function display(file) {
    const rel = (0,external_node_path_.relative)(process.cwd(), file);
    return rel.startsWith('..') ? file : rel;
}
function parseEntry(file, schema, idPrefix, issues) {
    const shown = display(file);
    let parsed;
    try {
        parsed = parseYamlFile(shown, (0,external_node_fs_.readFileSync)(file, 'utf8'));
    }
    catch (err) {
        if (err instanceof CatalogError)
            issues.push(...err.issues);
        else
            issues.push({ file: shown, field: '', message: `cannot read: ${err.message}` });
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
    const expectedId = (0,external_node_path_.basename)(file).replace(/\.ya?ml$/, '');
    const id = result.data.id;
    if (id !== expectedId) {
        issues.push({
            file: shown,
            field: 'id',
            ...locate(parsed, ['id']),
            message: `id '${id}' does not match the file name (expected '${expectedId}'; files are named ${idPrefix}<name>.yaml)`,
        });
        return undefined;
    }
    return { value: result.data, parsed };
}
/**
 * Load and cross-check every catalog root. `SANDBOXER_DEFAULT_PROFILE` (in `env`) overrides which profile
 * `create` uses when none is named, e.g. the stub on a machine without an SSH host.
 */
function loadCatalog(roots, env = process.env) {
    roots ??= catalogRoots(env);
    const issues = [];
    const extensions = new Map();
    const profiles = new Map();
    const parsedProfiles = new Map();
    for (const root of roots) {
        for (const file of yamlFiles((0,external_node_path_.join)(root, 'extensions'), 'ext.')) {
            const e = parseEntry(file, schema/* ExtensionManifest */.P0, 'ext.', issues);
            if (e)
                extensions.set(e.value.id, { value: e.value, file: display(file) });
        }
        for (const file of yamlFiles((0,external_node_path_.join)(root, 'profiles'), 'profile.')) {
            const e = parseEntry(file, schema/* Profile */.WV, 'profile.', issues);
            if (e) {
                profiles.set(e.value.id, { value: e.value, file: display(file) });
                parsedProfiles.set(e.value.id, e.parsed);
            }
        }
    }
    // Cross-file checks: every referenced extension exists, durations parse, inputs and route are coherent.
    for (const [id, { value: p, file }] of profiles) {
        const parsed = parsedProfiles.get(id);
        const at = (path) => ({
            file,
            field: path.map(String).join('.'),
            ...locate(parsed, path),
        });
        const seen = new Set();
        (0,schema/* profileCandidates */.qc)(p).forEach((ext, i) => {
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
        for (const key of ['default', 'max']) {
            const v = p.ttl[key];
            if (v === undefined)
                continue;
            try {
                (0,duration/* parseDurationSeconds */.l)(v, `ttl.${key}`);
            }
            catch {
                issues.push({ ...at(['ttl', key]), message: `invalid duration '${v}' (use e.g. 30m, 2h, 1d)` });
            }
        }
        if (p.ttl.default && p.ttl.max) {
            try {
                if ((0,duration/* parseDurationSeconds */.l)(p.ttl.default) > (0,duration/* parseDurationSeconds */.l)(p.ttl.max)) {
                    issues.push({
                        ...at(['ttl', 'default']),
                        message: `default ${p.ttl.default} exceeds max ${p.ttl.max}`,
                    });
                }
            }
            catch {
                /* reported above */
            }
        }
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
            message: defaults.length === 0
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
    if (issues.length > 0)
        throw new CatalogError(issues);
    return { profiles, extensions, defaultProfileId: override || (defaults[0]?.value.id ?? '') };
}
function getProfile(catalog, id) {
    const pid = id ?? catalog.defaultProfileId;
    const entry = catalog.profiles.get(pid);
    if (!entry) {
        throw new errors/* SandboxerError */.j8('not_found', `profile '${pid}' not found`, {
            exitCode: 2,
            hint: `known profiles: ${[...catalog.profiles.keys()].sort().join(', ')} (see 'sandboxer profiles list')`,
        });
    }
    return entry.value;
}
function getExtensionManifest(catalog, id) {
    const entry = catalog.extensions.get(id);
    if (!entry) {
        throw new errors/* SandboxerError */.j8('not_found', `extension '${id}' not found`, {
            exitCode: 2,
            hint: `known extensions: ${[...catalog.extensions.keys()].sort().join(', ')}`,
        });
    }
    return entry.value;
}


/***/ }),

/***/ 53596:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $g: () => (/* binding */ ProfileId),
/* harmony export */   EC: () => (/* binding */ Resources),
/* harmony export */   P0: () => (/* binding */ ExtensionManifest),
/* harmony export */   WV: () => (/* binding */ Profile),
/* harmony export */   dl: () => (/* binding */ RouteStrategy),
/* harmony export */   iF: () => (/* binding */ SecretRef),
/* harmony export */   qc: () => (/* binding */ profileCandidates)
/* harmony export */ });
/* unused harmony exports EXTENSION_ID_RE, PROFILE_ID_RE, ExtensionId, CredentialSpec, Pricing, Capabilities, RouteSpec, InputSpec, Placement */
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(12311);
/* harmony import */ var _core_money_ts__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(34247);


/**
 * The catalog's zod schemas are the single source of the Profile / ExtensionManifest types and of the JSON
 * Schemas in schemas/ (npm run schema) that editors use to complete the YAML.
 */
const SEMVER_RE = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const EXTENSION_ID_RE = /^ext\.[a-z0-9][a-z0-9-]*$/;
const PROFILE_ID_RE = /^profile\.[a-z0-9][a-z0-9-]*$/;
const ExtensionId = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
    .regex(EXTENSION_ID_RE, 'must look like ext.<name> (lowercase, digits, -)');
const ProfileId = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
    .regex(PROFILE_ID_RE, 'must look like profile.<name> (lowercase, digits, -)');
const Version = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().regex(SEMVER_RE, 'must be a semantic version such as 1.0.0');
const Usd = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().regex(_core_money_ts__WEBPACK_IMPORTED_MODULE_1__/* .DECIMAL_RE */ .sd, 'must be a decimal string such as "0.000014" (quote it in YAML)');
/** A reference to a secret, resolved at provision time into memory only. */
const SecretRef = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
    .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|vault:[^#\s]+#[^#\s]+)$/, 'must be env:NAME, file:PATH or vault:<mount>/<path>#<key>');
const CredentialSpec = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    name: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case'),
    secret_ref: SecretRef,
    required: zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY().default(true),
    description: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
})
    .strict();
const Pricing = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    model: zod__WEBPACK_IMPORTED_MODULE_0__/* ["enum"] */ .k5n(['free', 'metered']),
    currency: zod__WEBPACK_IMPORTED_MODULE_0__/* .literal */ .euz('USD').default('USD'),
    /** Flat rate per sandbox-second, independent of resources. */
    per_second_usd: Usd.optional(),
    per_vcpu_second_usd: Usd.optional(),
    per_gib_second_usd: Usd.optional(),
    per_gpu_second_usd: Usd.optional(),
    /** Minimum billed seconds per sandbox. */
    minimum_seconds: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().int().nonnegative().default(0),
})
    .strict()
    .refine((p) => p.model === 'free' ||
    p.per_second_usd !== undefined ||
    p.per_vcpu_second_usd !== undefined ||
    p.per_gib_second_usd !== undefined ||
    p.per_gpu_second_usd !== undefined, { message: 'a metered extension needs at least one per_*_usd rate' });
const Capabilities = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    snapshot: zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY().default(false),
    restore: zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY().default(false),
    extend_ttl: zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY().default(false),
    list: zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY().default(false),
    host_expiry: zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY().default(false),
})
    .strict();
const ExtensionManifest = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    id: ExtensionId,
    version: Version,
    name: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1),
    description: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().default(''),
    kind: zod__WEBPACK_IMPORTED_MODULE_0__/* ["enum"] */ .k5n(['self-hosted', 'saas']),
    capabilities: Capabilities.default({
        snapshot: false,
        restore: false,
        extend_ttl: false,
        list: false,
        host_expiry: false,
    }),
    pricing: Pricing.default({ model: 'free', currency: 'USD', minimum_seconds: 0 }),
    latency: zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ default_ready_s: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().positive() }).strict().default({ default_ready_s: 30 }),
    credentials: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(CredentialSpec).default([]),
    /** Adapter-specific defaults; profiles may override keys under their own `config`. */
    config: zod__WEBPACK_IMPORTED_MODULE_0__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_0__/* .unknown */ .L5J()).default({}),
})
    .strict();
const RouteStrategy = zod__WEBPACK_IMPORTED_MODULE_0__/* ["enum"] */ .k5n(['prefer-self-hosted', 'lowest-cost', 'lowest-latency', 'explicit']);
const RouteSpec = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    strategy: RouteStrategy.default('explicit'),
    candidates: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(ExtensionId).min(1, 'list at least one candidate extension'),
})
    .strict();
const Resources = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    cpu: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().positive().default(1),
    memory_mib: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().int().positive().default(512),
    gpu: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    gpu_count: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().int().nonnegative().default(0),
    disk_gib: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().positive().optional(),
})
    .strict();
const InputSpec = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    description: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().default(''),
    required: zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY().default(false),
    default: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    /** Inputs of kind `path` name a local directory (e.g. the repo to transfer). */
    kind: zod__WEBPACK_IMPORTED_MODULE_0__/* ["enum"] */ .k5n(['string', 'path']).default('string'),
})
    .strict();
const Placement = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    host: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1).optional(),
    user: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1).optional(),
    port: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().int().min(1).max(65535).optional(),
    /** secret_ref of the SSH private key (never the key itself). */
    key_ref: SecretRef.optional(),
    /** Pinned host key fingerprint, SHA256:<base64>. */
    host_key_sha256: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
        .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must be SHA256:<base64> as printed by ssh-keygen -lf')
        .optional(),
    known_hosts: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    preferred: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()).default([]),
})
    .strict();
const Profile = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    id: ProfileId,
    version: Version,
    description: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().default(''),
    /** Exactly one of `extension` (a single backend) or `route` (candidates + strategy). */
    extension: ExtensionId.optional(),
    route: RouteSpec.optional(),
    placement: Placement.default({ preferred: [] }),
    resources: Resources.default({ cpu: 1, memory_mib: 512, gpu_count: 0 }),
    ttl: zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
        default: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
        max: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    })
        .strict()
        .default({}),
    inputs: zod__WEBPACK_IMPORTED_MODULE_0__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().regex(/^[a-z][a-z0-9_]*$/, 'input names are snake_case'), InputSpec)
        .default({}),
    config: zod__WEBPACK_IMPORTED_MODULE_0__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_0__/* .unknown */ .L5J()).default({}),
    labels: zod__WEBPACK_IMPORTED_MODULE_0__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()).default({}),
    default: zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY().default(false),
})
    .strict()
    .superRefine((p, ctx) => {
    if (p.extension === undefined && p.route === undefined) {
        ctx.addIssue({ code: 'custom', path: ['extension'], message: 'set either extension or route' });
    }
    if (p.extension !== undefined && p.route !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['route'], message: 'set either extension or route, not both' });
    }
});
/** The candidate extensions of a profile, in declared order. */
const profileCandidates = (p) => p.route ? p.route.candidates : p.extension ? [p.extension] : [];


/***/ }),

/***/ 32257:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   m: () => (/* binding */ systemClock)
/* harmony export */ });
/* unused harmony export isoNow */
const systemClock = { now: () => new Date() };
const isoNow = (clock = systemClock) => clock.now().toISOString();


/***/ }),

/***/ 98571:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   a: () => (/* binding */ formatDuration),
/* harmony export */   l: () => (/* binding */ parseDurationSeconds)
/* harmony export */ });
/* harmony import */ var ms__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(70744);
/* harmony import */ var ms__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(ms__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_ts__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(74296);


/** Parse a human duration ("90s", "30m", "2h", "1d") into whole seconds. Invalid or non-positive → usage error. */
function parseDurationSeconds(input, what = 'duration') {
    const trimmed = input.trim();
    // ms() treats a bare number as milliseconds, which surprises people who write "--ttl 3600": reject it.
    if (/^\d+(\.\d+)?$/.test(trimmed)) {
        throw (0,_errors_ts__WEBPACK_IMPORTED_MODULE_1__/* .usageError */ .Wp)(`invalid ${what} '${input}': add a unit`, 'use a unit, e.g. 90s, 30m, 2h or 1d');
    }
    const value = ms__WEBPACK_IMPORTED_MODULE_0___default()(trimmed);
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        throw (0,_errors_ts__WEBPACK_IMPORTED_MODULE_1__/* .usageError */ .Wp)(`invalid ${what} '${input}'`, 'use a positive duration such as 90s, 30m, 2h or 1d');
    }
    const seconds = Math.round(value / 1000);
    if (seconds < 1)
        throw (0,_errors_ts__WEBPACK_IMPORTED_MODULE_1__/* .usageError */ .Wp)(`invalid ${what} '${input}': shorter than one second`);
    return seconds;
}
function formatDuration(seconds) {
    return ms__WEBPACK_IMPORTED_MODULE_0___default()(seconds * 1000, { long: false });
}


/***/ }),

/***/ 74296:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Jh: () => (/* binding */ BackendError),
/* harmony export */   Sb: () => (/* binding */ toSandboxerError),
/* harmony export */   Wp: () => (/* binding */ usageError),
/* harmony export */   cc: () => (/* binding */ CancelledError),
/* harmony export */   iB: () => (/* binding */ isCancellation),
/* harmony export */   j8: () => (/* binding */ SandboxerError),
/* harmony export */   mX: () => (/* binding */ notFound)
/* harmony export */ });
/* unused harmony export throwIfAborted */
class SandboxerError extends Error {
    code;
    exitCode;
    /** Whether trying again (or on another backend) may succeed. */
    retryable;
    hint;
    constructor(code, message, opts = {}) {
        super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
        this.name = 'SandboxerError';
        this.code = code;
        this.retryable = opts.retryable ?? false;
        this.exitCode = opts.exitCode ?? (code === 'usage' || code === 'validation' ? 2 : 1);
        if (opts.hint !== undefined)
            this.hint = opts.hint;
    }
    toJSON() {
        return {
            code: this.code,
            message: this.message,
            retryable: this.retryable,
            ...(this.hint ? { hint: this.hint } : {}),
        };
    }
}
const usageError = (message, hint) => new SandboxerError('usage', message, hint ? { hint } : {});
const notFound = (what, id, hint) => new SandboxerError('not_found', `${what} '${id}' not found`, hint ? { hint } : {});
/** A failure reported by a backend. `retryable` decides whether routing falls back and whether we retry. */
class BackendError extends SandboxerError {
    extensionId;
    status;
    constructor(extensionId, message, opts) {
        super('backend', `${extensionId}: ${message}`, opts);
        this.name = 'BackendError';
        this.extensionId = extensionId;
        if (opts.status !== undefined)
            this.status = opts.status;
    }
}
class CancelledError extends SandboxerError {
    constructor(message = 'operation cancelled') {
        super('cancelled', message, { retryable: false });
        this.name = 'CancelledError';
    }
}
function isCancellation(err, signal) {
    if (err instanceof CancelledError)
        return true;
    if (signal?.aborted)
        return true;
    return err instanceof Error && err.name === 'AbortError';
}
/** Normalise anything thrown into a SandboxerError without losing whether it was user-facing. */
function toSandboxerError(err) {
    if (err instanceof SandboxerError)
        return err;
    if (err instanceof Error && err.name === 'AbortError')
        return new CancelledError();
    const message = err instanceof Error ? err.message : String(err);
    return new SandboxerError('internal', message, { cause: err });
}
function throwIfAborted(signal) {
    if (signal?.aborted)
        throw new CancelledError();
}


/***/ }),

/***/ 89921:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Dp: () => (/* binding */ newSandboxId),
/* harmony export */   L7: () => (/* binding */ SNAPSHOT_ID_RE),
/* harmony export */   aY: () => (/* binding */ SANDBOX_ID_RE),
/* harmony export */   qc: () => (/* binding */ newSnapshotId)
/* harmony export */ });
/* unused harmony exports isSandboxId, isSnapshotId */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);

// Lowercase base32 without ambiguous letters: ids are used in compose project names, directory names, labels
// and artifact names, so they must be safe in all of them without quoting.
const ALPHABET = 'abcdefghjkmnpqrstvwxyz0123456789';
function randomToken(length) {
    const bytes = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(length);
    let out = '';
    for (const b of bytes)
        out += ALPHABET[b % ALPHABET.length];
    return out;
}
const SANDBOX_ID_RE = /^sbx-[a-z0-9]{12}$/;
const SNAPSHOT_ID_RE = /^snap-[a-z0-9]{12}$/;
const newSandboxId = () => `sbx-${randomToken(12)}`;
const newSnapshotId = () => `snap-${randomToken(12)}`;
const isSandboxId = (s) => SANDBOX_ID_RE.test(s);
const isSnapshotId = (s) => SNAPSHOT_ID_RE.test(s);


/***/ }),

/***/ 96236:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Hv: () => (/* binding */ ownershipLabels),
/* harmony export */   J1: () => (/* binding */ ownerFromEnv),
/* harmony export */   d_: () => (/* binding */ LABEL),
/* harmony export */   r1: () => (/* binding */ matchesLabels)
/* harmony export */ });
/** Ownership labels put on every backend object, so reaping can find ours (and only ours). */
const LABEL = {
    managed: 'io.sandboxer.managed',
    sandboxId: 'io.sandboxer.sandbox-id',
    profile: 'io.sandboxer.profile',
    scope: 'io.sandboxer.scope',
    repository: 'io.sandboxer.repository',
    runId: 'io.sandboxer.run-id',
    runAttempt: 'io.sandboxer.run-attempt',
    expiresAt: 'io.sandboxer.expires-at',
};
function ownershipLabels(input) {
    const { owner } = input;
    return {
        ...(input.extra ?? {}),
        [LABEL.managed]: 'true',
        [LABEL.sandboxId]: input.sandboxId,
        [LABEL.profile]: input.profileId,
        [LABEL.scope]: owner.scope,
        ...(owner.repository ? { [LABEL.repository]: owner.repository } : {}),
        ...(owner.run_id ? { [LABEL.runId]: owner.run_id } : {}),
        ...(owner.run_attempt ? { [LABEL.runAttempt]: owner.run_attempt } : {}),
        ...(input.expiresAt ? { [LABEL.expiresAt]: input.expiresAt } : {}),
    };
}
/** The owner of sandboxes created by this process: the GitHub run when in Actions, else this user@host. */
function ownerFromEnv(env = process.env, hostname = 'localhost') {
    const repository = env.GITHUB_REPOSITORY;
    return {
        scope: env.SANDBOXER_SCOPE ??
            (repository ? `github:${repository}` : `local:${env.USER ?? 'user'}@${hostname}`),
        ...(repository ? { repository } : {}),
        ...(env.GITHUB_RUN_ID ? { run_id: env.GITHUB_RUN_ID } : {}),
        ...(env.GITHUB_RUN_ATTEMPT ? { run_attempt: env.GITHUB_RUN_ATTEMPT } : {}),
        ...(env.GITHUB_ACTOR ? { actor: env.GITHUB_ACTOR } : {}),
    };
}
/** Whether an object's labels carry every key/value of `filter` (how `list` filters by ownership labels). */
const matchesLabels = (labels, filter) => Object.entries(filter).every(([k, v]) => labels[k] === v);


/***/ }),

/***/ 62043:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Hd: () => (/* binding */ isTerminal),
/* harmony export */   QJ: () => (/* binding */ assertTransition),
/* harmony export */   _d: () => (/* binding */ LIVE_STATES)
/* harmony export */ });
/* unused harmony exports TERMINAL_STATES, canTransition */
/* harmony import */ var _errors_ts__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(74296);

/**
 *   requested → provisioning → ready → destroying → destroyed
 *        └──────────┴→ failed ─→ destroying        └→ expired (teardown because the TTL lapsed)
 *                     provisioning → destroying (destroy/cancel while provisioning)
 *                     destroying → failed (teardown gave up; cleanup_pending, the reaper retries)
 */
const ALLOWED = {
    requested: ['provisioning', 'failed'],
    provisioning: ['ready', 'failed', 'destroying'],
    ready: ['destroying'],
    destroying: ['destroyed', 'expired', 'failed'],
    failed: ['destroying'],
    destroyed: [],
    expired: [],
};
const TERMINAL_STATES = ['destroyed', 'expired', 'failed'];
const LIVE_STATES = ['requested', 'provisioning', 'ready', 'destroying'];
const canTransition = (from, to) => ALLOWED[from].includes(to);
function assertTransition(id, from, to) {
    if (!canTransition(from, to)) {
        throw new _errors_ts__WEBPACK_IMPORTED_MODULE_0__/* .SandboxerError */ .j8('illegal_transition', `sandbox ${id}: cannot go from ${from} to ${to}`, {
            hint: ALLOWED[from].length
                ? `from ${from} it can go to: ${ALLOWED[from].join(', ')}`
                : `${from} is final; create a new sandbox`,
        });
    }
}
const isTerminal = (s) => TERMINAL_STATES.includes(s);


/***/ }),

/***/ 11227:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   D: () => (/* binding */ stderrLogger),
/* harmony export */   q: () => (/* binding */ silentLogger)
/* harmony export */ });
const silentLogger = {
    debug() { },
    info() { },
    warn() { },
    error() { },
    group: (_t, fn) => fn(),
};
function stderrLogger(opts = {}) {
    const write = (level, msg) => process.stderr.write(`${level}${msg}\n`);
    return {
        debug: (m) => opts.verbose && write('debug: ', m),
        info: (m) => !opts.quiet && write('', m),
        warn: (m) => write('warning: ', m),
        error: (m) => write('error: ', m),
        group: async (title, fn) => {
            if (!opts.quiet)
                write('', `▸ ${title}`);
            return fn();
        },
    };
}


/***/ }),

/***/ 34247:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   SQ: () => (/* binding */ fromMicros),
/* harmony export */   fy: () => (/* binding */ multiplyRate),
/* harmony export */   nt: () => (/* binding */ sumMicros),
/* harmony export */   sd: () => (/* binding */ DECIMAL_RE),
/* harmony export */   tO: () => (/* binding */ toMicros)
/* harmony export */ });
/**
 * Money is carried as decimal strings (never floats) across records, events and exports. Arithmetic is done in
 * integer micro-dollars (1e-6 USD) — precise enough for per-second pricing and exact for sums.
 */
const SCALE = 1000000n;
function toMicros(usd) {
    const m = /^(-)?(\d+)(?:\.(\d{1,12}))?$/.exec(usd.trim());
    if (!m)
        throw new Error(`not a decimal amount: '${usd}'`);
    const [, neg, whole, frac = ''] = m;
    // Round half up at the 6th decimal.
    const padded = (frac + '0000000').slice(0, 7);
    let micros = BigInt(whole) * SCALE + BigInt(padded.slice(0, 6));
    if (Number(padded[6]) >= 5)
        micros += 1n;
    return neg ? -micros : micros;
}
function fromMicros(micros) {
    const neg = micros < 0n;
    const abs = neg ? -micros : micros;
    const whole = abs / SCALE;
    const frac = (abs % SCALE).toString().padStart(6, '0');
    return `${neg ? '-' : ''}${whole}.${frac}`;
}
/** rate (USD per unit, decimal string) × quantity (a number of units, may be fractional) → micro-dollars. */
function multiplyRate(rateUsd, quantity) {
    // Rates can be far below a micro-dollar (e.g. 0.0000045 per GiB-second): scale up before rounding.
    const m = /^(\d+)(?:\.(\d{1,12}))?$/.exec(rateUsd.trim());
    if (!m)
        throw new Error(`not a decimal rate: '${rateUsd}'`);
    const frac = (m[2] ?? '').padEnd(12, '0');
    const pico = BigInt(m[1]) * 1000000000000n + BigInt(frac); // 1e-12 USD per unit
    const qMilli = BigInt(Math.round(quantity * 1000)); // quantity in thousandths
    const totalFemto = pico * qMilli; // 1e-15 USD
    return (totalFemto + 500000000n) / 1000000000n; // → 1e-6 USD, rounded
}
const sumMicros = (xs) => xs.reduce((a, b) => a + b, 0n);
const DECIMAL_RE = /^\d+(\.\d{1,12})?$/;


/***/ }),

/***/ 14130:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   TT: () => (/* binding */ SandboxState),
/* harmony export */   UL: () => (/* binding */ SnapshotRecord),
/* harmony export */   Vg: () => (/* binding */ SandboxRecord)
/* harmony export */ });
/* unused harmony exports Handle, Meter, RouteCandidate, RouteDecision, Transition, Owner */
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(12311);
/* harmony import */ var _catalog_schema_ts__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(53596);
/* harmony import */ var _ids_ts__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(89921);
/* harmony import */ var _money_ts__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(34247);




const SandboxState = zod__WEBPACK_IMPORTED_MODULE_2__/* ["enum"] */ .k5n([
    'requested',
    'provisioning',
    'ready',
    'destroying',
    'destroyed',
    'failed',
    'expired',
]);
const Iso = zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().datetime({ offset: true });
const Usd = zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().regex(_money_ts__WEBPACK_IMPORTED_MODULE_3__/* .DECIMAL_RE */ .sd);
/** Non-secret, JSON-safe facts a backend needs to find its object again (host, container project, sandbox id…). */
const Handle = zod__WEBPACK_IMPORTED_MODULE_2__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_2__/* .union */ .KCZ([zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_2__/* .number */ .aig(), zod__WEBPACK_IMPORTED_MODULE_2__/* .boolean */ .zMY()]));
const Meter = zod__WEBPACK_IMPORTED_MODULE_2__/* .object */ .Ikc({
    duration_s: zod__WEBPACK_IMPORTED_MODULE_2__/* .number */ .aig().nonnegative(),
    actual_usd: Usd,
    started_at: Iso,
    ended_at: Iso,
    pricing: zod__WEBPACK_IMPORTED_MODULE_2__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_2__/* .union */ .KCZ([zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_2__/* .number */ .aig()])),
})
    .strict();
const RouteCandidate = zod__WEBPACK_IMPORTED_MODULE_2__/* .object */ .Ikc({
    extension_id: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(),
    eligible: zod__WEBPACK_IMPORTED_MODULE_2__/* .boolean */ .zMY(),
    reason: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(),
    estimate_usd: Usd.optional(),
    latency_s: zod__WEBPACK_IMPORTED_MODULE_2__/* .number */ .aig().optional(),
    credentials: zod__WEBPACK_IMPORTED_MODULE_2__/* ["enum"] */ .k5n(['ok', 'missing', 'not_required']).optional(),
    outcome: zod__WEBPACK_IMPORTED_MODULE_2__/* ["enum"] */ .k5n(['chosen', 'failed', 'skipped', 'not_tried']).optional(),
    error: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().optional(),
})
    .strict();
const RouteDecision = zod__WEBPACK_IMPORTED_MODULE_2__/* .object */ .Ikc({
    strategy: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(),
    chosen: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().optional(),
    candidates: zod__WEBPACK_IMPORTED_MODULE_2__/* .array */ .YOg(RouteCandidate),
})
    .strict();
const Transition = zod__WEBPACK_IMPORTED_MODULE_2__/* .object */ .Ikc({ from: SandboxState.nullable(), to: SandboxState, at: Iso, reason: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().optional() })
    .strict();
/** Who/what created the sandbox: used for ownership labels and for scoping reaping. */
const Owner = zod__WEBPACK_IMPORTED_MODULE_2__/* .object */ .Ikc({
    scope: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(),
    repository: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().optional(),
    run_id: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().optional(),
    run_attempt: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().optional(),
    actor: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().optional(),
})
    .strict();
const SandboxRecord = zod__WEBPACK_IMPORTED_MODULE_2__/* .object */ .Ikc({
    id: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().regex(_ids_ts__WEBPACK_IMPORTED_MODULE_1__/* .SANDBOX_ID_RE */ .aY),
    /** Bumped on every write; used for optimistic concurrency by stores that need it. */
    revision: zod__WEBPACK_IMPORTED_MODULE_2__/* .number */ .aig().int().nonnegative(),
    profile_id: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(),
    profile_version: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(),
    extension_id: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(),
    state: SandboxState,
    placement: zod__WEBPACK_IMPORTED_MODULE_2__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP()).default({}),
    handle: Handle.default({}),
    inputs: zod__WEBPACK_IMPORTED_MODULE_2__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP()).default({}),
    resources: _catalog_schema_ts__WEBPACK_IMPORTED_MODULE_0__/* .Resources */ .EC,
    labels: zod__WEBPACK_IMPORTED_MODULE_2__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP()).default({}),
    owner: Owner,
    created_at: Iso,
    ready_at: Iso.optional(),
    destroyed_at: Iso.optional(),
    ttl_s: zod__WEBPACK_IMPORTED_MODULE_2__/* .number */ .aig().int().positive().optional(),
    expires_at: Iso.optional(),
    estimate_usd: Usd.optional(),
    meter: Meter.optional(),
    route: RouteDecision.optional(),
    restored_from: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().optional(),
    recreated_from: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().optional(),
    /** Effective adapter config (manifest config overlaid by profile config). Never holds secrets, only refs. */
    config: zod__WEBPACK_IMPORTED_MODULE_2__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_2__/* .unknown */ .L5J()).default({}),
    error: zod__WEBPACK_IMPORTED_MODULE_2__/* .object */ .Ikc({ code: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(), message: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP() }).strict().optional(),
    /** Set on a failed record while backend cleanup has not been confirmed; the reaper retries it. */
    cleanup_pending: zod__WEBPACK_IMPORTED_MODULE_2__/* .boolean */ .zMY().optional(),
    /** Set when a teardown was requested explicitly (e.g. by teardown-sandbox) so a later post step skips it. */
    teardown_requested_by: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().optional(),
    history: zod__WEBPACK_IMPORTED_MODULE_2__/* .array */ .YOg(Transition),
})
    .strict();
const SnapshotRecord = zod__WEBPACK_IMPORTED_MODULE_2__/* .object */ .Ikc({
    id: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().regex(_ids_ts__WEBPACK_IMPORTED_MODULE_1__/* .SNAPSHOT_ID_RE */ .L7),
    sandbox_id: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(),
    profile_id: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(),
    extension_id: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(),
    name: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().optional(),
    created_at: Iso,
    state: zod__WEBPACK_IMPORTED_MODULE_2__/* ["enum"] */ .k5n(['available', 'deleted']),
    handle: Handle,
})
    .strict();


/***/ }),

/***/ 56312:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   y: () => (/* binding */ sleep)
/* harmony export */ });
/* harmony import */ var _errors_ts__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(74296);

/**
 * A pause that ends early when `signal` aborts. It then rejects with `cancelled(signal)`: a CancelledError by
 * default, or e.g. the signal's own reason where the caller tells a deadline from a cancellation.
 */
function sleep(ms, signal, cancelled = () => new _errors_ts__WEBPACK_IMPORTED_MODULE_0__/* .CancelledError */ .cc()) {
    return new Promise((resolve, reject) => {
        if (signal?.aborted)
            return reject(cancelled(signal));
        const onAbort = () => {
            clearTimeout(t);
            reject(cancelled(signal));
        };
        const t = setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
        }, ms);
        signal?.addEventListener('abort', onAbort, { once: true });
    });
}


/***/ }),

/***/ 28000:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  s: () => (/* binding */ createCredentialResolver),
  F: () => (/* binding */ credentialSpecsFor)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(33838);
;// CONCATENATED MODULE: ./src/credentials/mask.ts

/**
 * The `onResolved` hook for GitHub Actions: registers every line of a resolved value with the runner's log
 * masker (`::add-mask::`). Masking is exact-match per line, so multi-line values (keys) are masked line by line.
 * Outside Actions (GITHUB_ACTIONS != 'true') there is nothing to register and this returns undefined.
 */
function actionsMasker(env, sink = core/* setSecret */.Pq) {
    if (env.GITHUB_ACTIONS !== 'true')
        return undefined;
    const seen = new Set();
    return (value) => {
        for (const line of value.split(/\r?\n/)) {
            const l = line.trim();
            if (l === '' || seen.has(l))
                continue;
            seen.add(l);
            sink(l);
        }
    };
}

// EXTERNAL MODULE: ./src/credentials/resolver.ts
var credentials_resolver = __webpack_require__(2894);
// EXTERNAL MODULE: ./src/core/sleep.ts
var sleep = __webpack_require__(56312);
;// CONCATENATED MODULE: ./src/credentials/http.ts

const RETRY_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Thrown when the server cannot be reached at all; carries the error code, never a request detail. */
class Unreachable extends Error {
    detail;
    constructor(detail) {
        super(detail);
        this.detail = detail;
    }
}
async function requestJson(url, opts = {}) {
    const tries = opts.tries ?? 3;
    const base = opts.retryBaseMs ?? 500;
    let last;
    for (let i = 0; i < tries; i++) {
        if (i > 0)
            await (0,sleep/* sleep */.y)(Math.random() * Math.min(30_000, base * 2 ** i), opts.signal, (s) => s.reason);
        const timeout = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
        const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
        try {
            const res = await fetch(url, {
                method: opts.method ?? 'GET',
                headers: {
                    accept: 'application/json',
                    ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
                    ...opts.headers,
                },
                ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
                signal,
            });
            const text = await res.text();
            let body;
            try {
                body = text ? JSON.parse(text) : undefined;
            }
            catch {
                body = undefined;
            }
            last = { status: res.status, body };
            if (!RETRY_STATUS.has(res.status))
                return last;
        }
        catch (err) {
            if (opts.signal?.aborted)
                throw err;
            const cause = err.cause;
            last = new Unreachable(timeout.aborted ? 'timed out' : (cause?.code ?? err.name));
        }
    }
    if (last instanceof Unreachable)
        throw last;
    return last;
}

;// CONCATENATED MODULE: ./src/credentials/github-oidc.ts

/** Whether the GitHub Actions OIDC token endpoint is available (a job with `permissions: id-token: write`). */
const githubOidcAvailable = (env) => Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
/**
 * Fetch a GitHub Actions OIDC JWT (what core.getIDToken does), reading the endpoint from `env` so callers and
 * tests control it. Errors name the endpoint's answer, never the request token.
 */
async function fetchGithubIdToken(env, opts = {}) {
    const url = new URL(env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '');
    if (opts.audience)
        url.searchParams.set('audience', opts.audience);
    let res;
    try {
        res = await requestJson(url.toString(), {
            headers: { authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? ''}` },
            ...(opts.signal ? { signal: opts.signal } : {}),
            ...(opts.retryBaseMs !== undefined ? { retryBaseMs: opts.retryBaseMs } : {}),
        });
    }
    catch (err) {
        if (err instanceof Unreachable)
            throw new Error(`the GitHub OIDC token endpoint is unreachable (${err.detail})`);
        throw err;
    }
    const value = res.body?.value;
    if (res.status !== 200 || typeof value !== 'string' || value === '') {
        throw new Error(`the GitHub OIDC token endpoint answered HTTP ${res.status}${res.status === 200 ? ' without a token' : ''} (does the job have permissions: id-token: write?)`);
    }
    return value;
}

;// CONCATENATED MODULE: ./src/credentials/vault.ts



function parseVaultRef(ref) {
    const m = /^([^/#\s]+)\/([^#\s]+)#([^#\s]+)$/.exec(ref);
    return m ? { mount: m[1], path: m[2].replace(/\/+$/, ''), key: m[3] } : undefined;
}
const pickEnv = (env, name) => env[`VAULT_${name}`] || env[`BAO_${name}`] || undefined;
function config(env) {
    const addr = pickEnv(env, 'ADDR');
    if (!addr)
        return undefined;
    const opt = (name) => {
        const v = pickEnv(env, name);
        return v ? { [name.toLowerCase()]: v } : {};
    };
    return {
        addr: addr.replace(/\/+$/, ''),
        authPath: (pickEnv(env, 'AUTH_PATH') ?? 'jwt').replace(/^\/+|\/+$/g, ''),
        ...opt('NAMESPACE'),
        ...opt('TOKEN'),
        ...opt('ROLE'),
        ...(pickEnv(env, 'JWT_AUDIENCE') ? { audience: pickEnv(env, 'JWT_AUDIENCE') } : {}),
    };
}
const encodePath = (p) => p.split('/').map(encodeURIComponent).join('/');
function vaultScheme(opts = {}) {
    // One login per process and Vault identity; a failed login is forgotten so the next resolve retries it.
    const tokens = new Map();
    const headers = (cfg, token) => ({
        ...(token ? { 'x-vault-token': token } : {}),
        ...(cfg.namespace ? { 'x-vault-namespace': cfg.namespace } : {}),
    });
    async function call(ref, cfg, url, req) {
        try {
            return await requestJson(url, {
                ...req,
                ...(opts.retryBaseMs !== undefined ? { retryBaseMs: opts.retryBaseMs } : {}),
            });
        }
        catch (err) {
            if (err instanceof Unreachable)
                throw new credentials_resolver/* SecretUnavailable */.tg(ref, `cannot reach Vault at ${cfg.addr} (${err.detail})`, {
                    retryable: true,
                });
            throw err;
        }
    }
    async function jwtLogin(ref, cfg, ctx) {
        if (!cfg.role)
            throw new credentials_resolver/* SecretUnavailable */.tg(ref, 'no VAULT_TOKEN, and VAULT_ROLE (the JWT auth role for GitHub OIDC) is not set');
        let jwt;
        try {
            jwt = await fetchGithubIdToken(ctx.env, {
                ...(cfg.audience ? { audience: cfg.audience } : {}),
                ...(ctx.signal ? { signal: ctx.signal } : {}),
                ...(opts.retryBaseMs !== undefined ? { retryBaseMs: opts.retryBaseMs } : {}),
            });
        }
        catch (err) {
            if (ctx.signal?.aborted)
                throw err;
            throw new credentials_resolver/* SecretUnavailable */.tg(ref, err.message);
        }
        ctx.mask?.(jwt);
        const res = await call(ref, cfg, `${cfg.addr}/v1/auth/${encodePath(cfg.authPath)}/login`, {
            method: 'POST',
            headers: headers(cfg),
            body: { role: cfg.role, jwt },
            ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
        const token = res.body?.auth?.client_token;
        if (res.status !== 200 || typeof token !== 'string' || token === '')
            throw new credentials_resolver/* SecretUnavailable */.tg(ref, `Vault JWT login at auth/${cfg.authPath} for role '${cfg.role}' failed (HTTP ${res.status})`);
        ctx.mask?.(token);
        return token;
    }
    function token(ref, cfg, ctx) {
        if (cfg.token)
            return Promise.resolve(cfg.token);
        const key = [cfg.addr, cfg.namespace, cfg.authPath, cfg.role, cfg.audience].join('|');
        let p = tokens.get(key);
        if (!p) {
            p = jwtLogin(ref, cfg, ctx);
            tokens.set(key, p);
            p.catch(() => tokens.delete(key));
        }
        return p;
    }
    function explainStatus(res, v) {
        if (res.status === 404)
            return `no secret at ${v.mount}/${v.path} (HTTP 404; is ${v.mount} a KV v2 mount?)`;
        if (res.status === 403 || res.status === 401)
            return `permission denied reading ${v.mount}/${v.path} (HTTP ${res.status}): check the token's policy`;
        return `Vault answered HTTP ${res.status} reading ${v.mount}/${v.path}`;
    }
    function precheck(ref, env) {
        if (!parseVaultRef(ref))
            return { status: 'missing', reason: 'must be vault:<mount>/<path>#<key>' };
        const cfg = config(env);
        if (!cfg)
            return { status: 'missing', reason: 'VAULT_ADDR (or BAO_ADDR) is not set' };
        if (!cfg.token && !githubOidcAvailable(env))
            return {
                status: 'missing',
                reason: 'no Vault token: set VAULT_TOKEN, or run in GitHub Actions with permissions id-token: write and VAULT_ROLE',
            };
        return { status: 'unknown' };
    }
    return {
        scheme: 'vault',
        precheck,
        async resolve(ref, ctx) {
            const full = `vault:${ref}`;
            const v = parseVaultRef(ref);
            if (!v)
                throw new credentials_resolver/* SecretUnavailable */.tg(full, 'must be vault:<mount>/<path>#<key>');
            const pre = precheck(ref, ctx.env);
            if (pre.status === 'missing')
                throw new credentials_resolver/* SecretUnavailable */.tg(full, pre.reason);
            const cfg = config(ctx.env);
            const res = await call(full, cfg, `${cfg.addr}/v1/${encodePath(v.mount)}/data/${encodePath(v.path)}`, {
                headers: headers(cfg, await token(full, cfg, ctx)),
                ...(ctx.signal ? { signal: ctx.signal } : {}),
            });
            if (res.status !== 200)
                throw new credentials_resolver/* SecretUnavailable */.tg(full, explainStatus(res, v), { retryable: res.status >= 500 });
            const data = res.body?.data?.data;
            if (!data || typeof data !== 'object')
                throw new credentials_resolver/* SecretUnavailable */.tg(full, `${v.mount}/${v.path} is not a KV v2 secret (no .data.data)`);
            const value = data[v.key];
            if (value === undefined || value === null || value === '')
                throw new credentials_resolver/* SecretUnavailable */.tg(full, `key '${v.key}' is not set in ${v.mount}/${v.path}`);
            if (typeof value === 'object')
                throw new credentials_resolver/* SecretUnavailable */.tg(full, `key '${v.key}' in ${v.mount}/${v.path} is not a string`);
            return String(value);
        },
    };
}

;// CONCATENATED MODULE: ./src/credentials/index.ts



/**
 * The production resolver: env:, file: and vault: refs; values masked in the Actions log as they resolve.
 * `maskSink` defaults to core.setSecret (stdout); the CLI passes a stderr writer so `--json` stdout stays pure
 * JSON — the runner processes workflow commands from both streams.
 */
function createCredentialResolver(env = process.env, maskSink) {
    const resolver = new credentials_resolver/* CredentialResolver */.C$([credentials_resolver/* envScheme */.Fp, credentials_resolver/* fileScheme */.Mt, vaultScheme()]);
    resolver.onResolved = actionsMasker(env, maskSink);
    return resolver;
}
/** Every credential a candidate needs for a profile: the extension's own plus the profile's SSH key. */
function credentialSpecsFor(manifest, profile) {
    const specs = [...manifest.credentials];
    if (profile?.placement.key_ref)
        specs.push({ name: 'ssh_key', secret_ref: profile.placement.key_ref, required: true });
    return specs;
}


/***/ }),

/***/ 2894:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   C$: () => (/* binding */ CredentialResolver),
/* harmony export */   D8: () => (/* binding */ missingCredentialsError),
/* harmony export */   Fp: () => (/* binding */ envScheme),
/* harmony export */   Mt: () => (/* binding */ fileScheme),
/* harmony export */   dF: () => (/* binding */ emptySecrets),
/* harmony export */   tg: () => (/* binding */ SecretUnavailable)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _core_errors_ts__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(74296);


/** Reasons never include values. */
class SecretUnavailable extends _core_errors_ts__WEBPACK_IMPORTED_MODULE_1__/* .SandboxerError */ .j8 {
    reason;
    constructor(ref, reason, opts = {}) {
        super('credentials', `secret_ref '${ref}' cannot be resolved: ${reason}`, {
            hint: 'set the referenced secret (see docs/payments.md, BYOK credentials)',
            ...opts,
        });
        this.reason = reason;
    }
}
const envScheme = {
    scheme: 'env',
    async resolve(name, { env }) {
        const v = env[name];
        if (v === undefined || v === '')
            throw new SecretUnavailable(`env:${name}`, `environment variable ${name} is not set`);
        return v;
    },
    precheck: (name, env) => env[name] !== undefined && env[name] !== ''
        ? { status: 'ok' }
        : { status: 'missing', reason: `environment variable ${name} is not set` },
};
const fileScheme = {
    scheme: 'file',
    async resolve(path) {
        let text;
        try {
            text = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)(path, 'utf8');
        }
        catch (err) {
            throw new SecretUnavailable(`file:${path}`, `cannot read the file (${err.code ?? 'error'})`);
        }
        const value = text.replace(/\r?\n$/, '');
        if (value === '')
            throw new SecretUnavailable(`file:${path}`, 'the file is empty');
        return value;
    },
};
class MapSecrets {
    values;
    constructor(values) {
        this.values = values;
    }
    get(name) {
        return this.values.get(name);
    }
    has(name) {
        return this.values.has(name);
    }
    // Keep values out of accidental JSON.stringify / console.log / util.inspect of a context.
    toJSON() {
        return `[secrets: ${[...this.values.keys()].join(', ')}]`;
    }
    [Symbol.for('nodejs.util.inspect.custom')]() {
        return this.toJSON();
    }
}
const emptySecrets = new MapSecrets(new Map());
class CredentialResolver {
    schemes = new Map();
    /** Called with every resolved value (e.g. core.setSecret in Actions) before anyone else sees it. */
    onResolved;
    constructor(schemes = [envScheme, fileScheme]) {
        for (const s of schemes)
            this.schemes.set(s.scheme, s);
    }
    register(scheme) {
        this.schemes.set(scheme.scheme, scheme);
        return this;
    }
    split(ref) {
        const i = ref.indexOf(':');
        return [this.schemes.get(ref.slice(0, i)), ref.slice(i + 1)];
    }
    unknownScheme(ref) {
        return `unknown scheme '${ref.slice(0, Math.max(ref.indexOf(':'), 0))}' (known: ${[...this.schemes.keys()].join(', ')})`;
    }
    /**
     * The status of each spec. Refs a cheap precheck cannot decide are fetched (and the value dropped), so a
     * candidate is only called usable when its secrets really resolve.
     */
    async check(specs, ctx) {
        const out = [];
        for (const spec of specs) {
            const base = { name: spec.name, secret_ref: spec.secret_ref, required: spec.required };
            const [scheme, rest] = this.split(spec.secret_ref);
            if (!scheme) {
                out.push({ ...base, status: 'missing', reason: this.unknownScheme(spec.secret_ref) });
                continue;
            }
            const pre = scheme.precheck?.(rest, ctx.env);
            if (pre && pre.status !== 'unknown') {
                out.push({ ...base, status: pre.status, ...(pre.reason ? { reason: pre.reason } : {}) });
                continue;
            }
            const { missing } = await this.resolve([{ ...spec, required: true }], ctx);
            out.push(missing[0] ? { ...base, status: 'missing', reason: missing[0].reason } : { ...base, status: 'ok' });
        }
        return out;
    }
    async resolve(specs, ctx) {
        const values = new Map();
        const missing = [];
        const mask = (v) => this.onResolved?.(v);
        for (const spec of specs) {
            const [scheme, rest] = this.split(spec.secret_ref);
            try {
                if (!scheme)
                    throw new SecretUnavailable(spec.secret_ref, this.unknownScheme(spec.secret_ref));
                const value = await scheme.resolve(rest, { ...ctx, mask });
                mask(value);
                values.set(spec.name, value);
            }
            catch (err) {
                // A caller's cancellation is not a missing credential; a deadline running out is (the backend may
                // still be tried again or another candidate used).
                const timedOut = ctx.signal?.reason?.name === 'TimeoutError';
                if (ctx.signal?.aborted && !timedOut)
                    throw new _core_errors_ts__WEBPACK_IMPORTED_MODULE_1__/* .CancelledError */ .cc('credential resolution cancelled');
                if (!spec.required)
                    continue;
                // Only our own reasons are shown: anything else might quote what it was handling.
                const reason = timedOut
                    ? 'timed out'
                    : err instanceof SecretUnavailable
                        ? err.reason
                        : 'resolution failed';
                missing.push({ name: spec.name, secret_ref: spec.secret_ref, reason });
            }
        }
        return { secrets: new MapSecrets(values), missing };
    }
}
function missingCredentialsError(extensionId, missing) {
    return new _core_errors_ts__WEBPACK_IMPORTED_MODULE_1__/* .SandboxerError */ .j8('credentials', `${extensionId}: required credential${missing.length > 1 ? 's' : ''} not available: ${missing
        .map((m) => `${m.name} (${m.secret_ref}: ${m.reason})`)
        .join('; ')}`, {
        hint: 'set the referenced secret (see docs/payments.md, BYOK credentials) or pick another profile/route',
    });
}


/***/ }),

/***/ 24214:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   N: () => (/* binding */ describeEndpoint),
/* harmony export */   r: () => (/* binding */ finHubConfig)
/* harmony export */ });
/* harmony import */ var _core_errors_ts__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(74296);

/** fin-hub export is off unless SANDBOXER_FIN_HUB_URL is set. */
function finHubConfig(env) {
    const url = env.SANDBOXER_FIN_HUB_URL?.trim();
    if (!url)
        return undefined;
    let parsed;
    try {
        parsed = new URL(url);
    }
    catch {
        parsed = new URL('invalid:');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
        throw new _core_errors_ts__WEBPACK_IMPORTED_MODULE_0__/* .SandboxerError */ .j8('validation', 'SANDBOXER_FIN_HUB_URL is not an http(s) URL', {
            hint: 'set it to the usage endpoint, e.g. https://fin-hub.example/v1/usage, or unset it to disable export',
        });
    return {
        url,
        ...(env.SANDBOXER_FIN_HUB_TOKEN ? { token: env.SANDBOXER_FIN_HUB_TOKEN } : {}),
        source: env.SANDBOXER_FIN_HUB_SOURCE?.trim() || 'sandboxer',
    };
}
/** Where a URL points, for messages: never the path's query or any userinfo. */
function describeEndpoint(url) {
    try {
        const u = new URL(url);
        return `${u.protocol}//${u.host}${u.pathname}`;
    }
    catch {
        return '(invalid URL)';
    }
}


/***/ }),

/***/ 99087:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   c7: () => (/* binding */ TEARDOWN_POLICY),
/* harmony export */   cK: () => (/* binding */ deliver),
/* harmony export */   zj: () => (/* binding */ DEFAULT_POLICY)
/* harmony export */ });
/* unused harmony export parseRetryAfter */
/* harmony import */ var _core_sleep_ts__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(56312);
/* harmony import */ var _config_ts__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(24214);


const DEFAULT_POLICY = {
    timeout_ms: 10_000,
    base_ms: 500,
    cap_ms: 30_000,
    tries: 6,
    deadline_ms: 120_000,
};
/** Inside a teardown: fewer, shorter tries; what is not acknowledged is replayed later. */
const TEARDOWN_POLICY = {
    timeout_ms: 5_000,
    base_ms: 500,
    cap_ms: 5_000,
    tries: 3,
    deadline_ms: 15_000,
};
const RETRYABLE_STATUS = new Set([408, 425, 429]);
const isRetryableStatus = (s) => RETRYABLE_STATUS.has(s) || s >= 500;
/** Retry-After as seconds or an HTTP date → milliseconds from now. */
function parseRetryAfter(value, now = Date.now()) {
    if (!value)
        return undefined;
    const v = value.trim();
    if (/^\d+$/.test(v))
        return Number(v) * 1000;
    const at = Date.parse(v);
    return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
/**
 * POST one CloudEvent to fin-hub until it is acknowledged: 2xx, or 409/422 (the collector already has this id —
 * a duplicate is success). Network errors, timeouts, 408/425/429 and 5xx are retried with backoff, honouring
 * Retry-After; anything else is a permanent refusal the operator has to look at.
 */
async function deliver(cfg, event, policy = DEFAULT_POLICY, signal) {
    const started = Date.now();
    const random = policy.random ?? Math.random;
    const body = JSON.stringify(event);
    const where = (0,_config_ts__WEBPACK_IMPORTED_MODULE_1__/* .describeEndpoint */ .N)(cfg.url);
    let last = '';
    let made = 0;
    for (let attempt = 0; attempt < policy.tries; attempt++) {
        let retryAfter;
        made = attempt + 1;
        try {
            const res = await fetch(cfg.url, {
                method: 'POST',
                headers: {
                    'content-type': 'application/cloudevents+json',
                    ...(cfg.token ? { authorization: `Bearer ${cfg.token}` } : {}),
                },
                body,
                signal: signal
                    ? AbortSignal.any([signal, AbortSignal.timeout(policy.timeout_ms)])
                    : AbortSignal.timeout(policy.timeout_ms),
            });
            const text = (await res.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ');
            if (res.ok || res.status === 409 || res.status === 422)
                return { ok: true, status: res.status, duplicate: !res.ok, attempts: attempt + 1 };
            last = `${where} answered ${res.status}${text ? `: ${text}` : ''}`;
            if (!isRetryableStatus(res.status))
                return { ok: false, error: last, retryable: false, attempts: attempt + 1 };
            retryAfter = parseRetryAfter(res.headers.get('retry-after'));
        }
        catch (err) {
            if (signal?.aborted)
                return { ok: false, error: 'cancelled', retryable: true, attempts: attempt + 1 };
            const e = err;
            last =
                e.name === 'TimeoutError'
                    ? `${where} did not answer within ${policy.timeout_ms} ms`
                    : `${where} unreachable: ${e.cause?.code ?? e.cause?.message ?? e.message}`;
        }
        if (attempt === policy.tries - 1)
            break;
        const backoff = random() * Math.min(policy.cap_ms, policy.base_ms * 2 ** attempt);
        const wait = retryAfter ?? backoff;
        if (retryAfter !== undefined && retryAfter > policy.cap_ms) {
            last += ` (asked to retry after ${Math.ceil(retryAfter / 1000)} s)`;
            break;
        }
        if (Date.now() - started + wait > policy.deadline_ms)
            break;
        try {
            await (0,_core_sleep_ts__WEBPACK_IMPORTED_MODULE_0__/* .sleep */ .y)(wait, signal, (s) => s.reason);
        }
        catch {
            return { ok: false, error: 'cancelled', retryable: true, attempts: attempt + 1 };
        }
    }
    return { ok: false, error: last, retryable: true, attempts: made };
}


/***/ }),

/***/ 26820:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   BI: () => (/* binding */ usageEventId),
/* harmony export */   EJ: () => (/* binding */ usageEvent),
/* harmony export */   UG: () => (/* binding */ CloudEvent)
/* harmony export */ });
/* unused harmony exports UsageData, USAGE_EVENT_TYPE */
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(12311);
/* harmony import */ var _core_money_ts__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(34247);


const Iso = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().datetime({ offset: true });
/** The usage record fin-hub receives: money as a decimal string, times as ISO-8601. */
const UsageData = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    sandbox_id: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(),
    extension_id: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(),
    profile_id: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(),
    duration_s: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().nonnegative(),
    actual_usd: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().regex(_core_money_ts__WEBPACK_IMPORTED_MODULE_1__/* .DECIMAL_RE */ .sd),
    currency: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(),
    started_at: Iso,
    ended_at: Iso,
    created_at: Iso,
    final_state: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(),
    scope: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(),
    repository: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    run_id: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    run_attempt: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    pricing: zod__WEBPACK_IMPORTED_MODULE_0__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_0__/* .union */ .KCZ([zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig()])),
})
    .strict();
/** CloudEvents 1.0, structured mode. */
const CloudEvent = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    specversion: zod__WEBPACK_IMPORTED_MODULE_0__/* .literal */ .euz('1.0'),
    id: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1),
    source: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1),
    type: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1),
    subject: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    time: Iso,
    datacontenttype: zod__WEBPACK_IMPORTED_MODULE_0__/* .literal */ .euz('application/json'),
    data: zod__WEBPACK_IMPORTED_MODULE_0__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_0__/* .unknown */ .L5J()),
})
    .strict();
const USAGE_EVENT_TYPE = 'io.sandboxer.usage.v1';
/** Derived from the sandbox id, never random: teardown, reaper and replay all send the same id. */
const usageEventId = (sandboxId) => `usage-${sandboxId}`;
/** The usage record of a metered sandbox that has settled; undefined when it has no meter. */
function usageEvent(record, source) {
    const m = record.meter;
    if (!m)
        return undefined;
    const data = {
        sandbox_id: record.id,
        extension_id: record.extension_id,
        profile_id: record.profile_id,
        duration_s: m.duration_s,
        actual_usd: m.actual_usd,
        currency: String(m.pricing.currency ?? 'USD'),
        started_at: m.started_at,
        ended_at: m.ended_at,
        created_at: record.created_at,
        final_state: record.state,
        scope: record.owner.scope,
        ...(record.owner.repository ? { repository: record.owner.repository } : {}),
        ...(record.owner.run_id ? { run_id: record.owner.run_id } : {}),
        ...(record.owner.run_attempt ? { run_attempt: record.owner.run_attempt } : {}),
        pricing: m.pricing,
    };
    return {
        specversion: '1.0',
        id: usageEventId(record.id),
        source,
        type: USAGE_EVENT_TYPE,
        subject: record.id,
        time: m.ended_at,
        datacontenttype: 'application/json',
        data: UsageData.parse(data),
    };
}


/***/ }),

/***/ 48025:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $2: () => (/* binding */ replayOutbox),
/* harmony export */   Z2: () => (/* binding */ enqueue),
/* harmony export */   kT: () => (/* binding */ flushOutbox),
/* harmony export */   xu: () => (/* binding */ pendingEvents)
/* harmony export */ });
/* unused harmony exports OUTBOX_COLLECTION, ACKED_COLLECTION, AckMarker */
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(12311);
/* harmony import */ var _core_lifecycle_ts__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(62043);
/* harmony import */ var _core_logger_ts__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(11227);
/* harmony import */ var _payments_ledger_ts__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(31474);
/* harmony import */ var _config_ts__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(24214);
/* harmony import */ var _deliver_ts__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(99087);
/* harmony import */ var _envelope_ts__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(26820);







/** Usage records persisted before sending; removed once fin-hub acknowledged them. */
const OUTBOX_COLLECTION = 'export-outbox';
/** One marker per acknowledged record, so recovery never re-queues what fin-hub already has. */
const ACKED_COLLECTION = 'export-acked';
const AckMarker = zod__WEBPACK_IMPORTED_MODULE_6__/* .object */ .Ikc({ at: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP(), status: zod__WEBPACK_IMPORTED_MODULE_6__/* .number */ .aig().int(), duplicate: zod__WEBPACK_IMPORTED_MODULE_6__/* .boolean */ .zMY() })
    .strict();
/** Persist a usage record in the outbox; false when it is already there (another teardown queued it). */
function enqueue(store, event) {
    return store.appendOnce(OUTBOX_COLLECTION, event.id, event);
}
async function pendingEvents(store) {
    const rows = await store.readCollection(OUTBOX_COLLECTION);
    const out = [];
    for (const { value } of rows) {
        const parsed = _envelope_ts__WEBPACK_IMPORTED_MODULE_5__/* .CloudEvent */ .UG.safeParse(value);
        if (parsed.success)
            out.push(parsed.data);
    }
    return out.sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
}
/**
 * Send queued records oldest first (those named in `first` before the rest), at most `limit` of them. The
 * ack marker is written before the outbox entry is removed, so a crash in between costs one duplicate send.
 */
async function flushOutbox(store, cfg, opts = {}) {
    const log = opts.log ?? _core_logger_ts__WEBPACK_IMPORTED_MODULE_1__/* .silentLogger */ .q;
    const queued = await pendingEvents(store);
    const first = new Set(opts.first ?? []);
    const ordered = [...queued.filter((e) => first.has(e.id)), ...queued.filter((e) => !first.has(e.id))];
    const result = { delivered: [], duplicates: [], pending: [] };
    for (const event of ordered.slice(0, opts.limit ?? Infinity)) {
        if (opts.signal?.aborted)
            break;
        const outcome = await (0,_deliver_ts__WEBPACK_IMPORTED_MODULE_4__/* .deliver */ .cK)(cfg, event, opts.policy ?? _deliver_ts__WEBPACK_IMPORTED_MODULE_4__/* .DEFAULT_POLICY */ .zj, opts.signal);
        if (outcome.ok) {
            await store.appendOnce(ACKED_COLLECTION, event.id, {
                at: new Date().toISOString(),
                status: outcome.status,
                duplicate: outcome.duplicate,
            });
            await store.removeFromCollection(OUTBOX_COLLECTION, event.id);
            (outcome.duplicate ? result.duplicates : result.delivered).push(event.id);
            log.debug(`fin-hub: ${event.id} acknowledged (${outcome.status})`);
        }
        else {
            result.pending.push({ id: event.id, error: outcome.error, retryable: outcome.retryable });
            log.warn(`fin-hub export of ${event.id} not acknowledged (${outcome.error}); it stays in the outbox — run 'sandboxer export replay'`);
            // The collector is down or refusing: do not hammer it with the rest of the queue.
            if (outcome.retryable)
                break;
        }
    }
    return result;
}
/**
 * Recover and send everything not yet acknowledged: terminal metered sandboxes whose debit or usage record a
 * crash cut short are settled and re-queued, then the outbox is flushed. Safe to run from any number of
 * processes at once (teardown, reap-stale, `sandboxer export replay`): ids are fixed and duplicates are success.
 */
async function replayOutbox(store, env, opts = {}) {
    const records = (await store.listSandboxes()).filter((r) => (0,_core_lifecycle_ts__WEBPACK_IMPORTED_MODULE_0__/* .isTerminal */ .Hd)(r.state));
    const ledger_entries_written = await new _payments_ledger_ts__WEBPACK_IMPORTED_MODULE_2__/* .Ledger */ .Oc(store).reconcile(records);
    const cfg = (0,_config_ts__WEBPACK_IMPORTED_MODULE_3__/* .finHubConfig */ .r)(env);
    const empty = { delivered: [], duplicates: [], pending: [] };
    if (!cfg)
        return { enabled: false, requeued: [], ledger_entries_written, remaining: 0, ...empty };
    const requeued = [];
    const acked = new Set((await store.readCollection(ACKED_COLLECTION)).map((r) => r.key));
    for (const r of records) {
        if (!r.meter || acked.has((0,_envelope_ts__WEBPACK_IMPORTED_MODULE_5__/* .usageEventId */ .BI)(r.id)))
            continue;
        const event = (0,_envelope_ts__WEBPACK_IMPORTED_MODULE_5__/* .usageEvent */ .EJ)(r, cfg.source);
        if (event && (await enqueue(store, event)))
            requeued.push(event.id);
    }
    const flushed = await flushOutbox(store, cfg, opts);
    const remaining = (await store.readCollection(OUTBOX_COLLECTION)).length;
    return { enabled: true, requeued, ledger_entries_written, remaining, ...flushed };
}


/***/ }),

/***/ 17561:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  z: () => (/* binding */ composeSsh),
  C: () => (/* binding */ hostTelemetry)
});

// EXTERNAL MODULE: ./src/core/ids.ts
var ids = __webpack_require__(89921);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(74296);
// EXTERNAL MODULE: ./src/core/labels.ts
var core_labels = __webpack_require__(96236);
// EXTERNAL MODULE: ./src/payments/pricing.ts
var pricing = __webpack_require__(21501);
// EXTERNAL MODULE: ./src/extensions/ssh/connection.ts + 1 modules
var connection = __webpack_require__(49811);
// EXTERNAL MODULE: ./src/extensions/ssh/labels-files.ts
var labels_files = __webpack_require__(51130);
// EXTERNAL MODULE: ./src/extensions/ssh/quote.ts
var quote = __webpack_require__(54743);
// EXTERNAL MODULE: ./src/extensions/ssh/target.ts
var ssh_target = __webpack_require__(88058);
// EXTERNAL MODULE: ./src/extensions/ssh/upload.ts
var upload = __webpack_require__(3998);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(38815);
;// CONCATENATED MODULE: ./src/extensions/compose-ssh/project.ts





/** Compose project name for a sandbox: lowercase, digits and `-` only (the id is `sbx-<12 [a-z0-9]>`). */
function projectName(sandboxId) {
    if (!ids/* SANDBOX_ID_RE */.aY.test(sandboxId))
        throw (0,errors/* usageError */.Wp)(`'${sandboxId}' is not a sandbox id`);
    return sandboxId;
}
/** A compose file path inside the workspace: relative, no `..`, no NUL/newline. Anything else is refused. */
function safeRelativePath(p, what) {
    const norm = external_node_path_.posix.normalize(p);
    if (!p ||
        /[\0\n\r]/.test(p) ||
        p.startsWith('/') ||
        norm === '..' ||
        norm.startsWith('../') ||
        norm.split('/').includes('..')) {
        throw (0,errors/* usageError */.Wp)(`${what} '${p}' must be a relative path inside the repo`, 'e.g. docker-compose.yml');
    }
    return norm;
}
/** Service and named-volume names of a compose file (the override that labels them needs them). */
function composeShape(text, file) {
    let doc;
    try {
        doc = (0,dist/* parse */.qg)(text);
    }
    catch (err) {
        throw (0,errors/* usageError */.Wp)(`compose file ${file} is not valid YAML: ${err.message.split('\n')[0]}`);
    }
    const obj = (doc ?? {});
    if (!obj.services || typeof obj.services !== 'object' || Object.keys(obj.services).length === 0) {
        throw (0,errors/* usageError */.Wp)(`compose file ${file} defines no services`, 'a compose project needs a services: map');
    }
    const services = obj.services;
    return {
        services: Object.keys(services),
        started: Object.keys(services).filter((name) => {
            const svc = services[name] ?? {};
            return !(Array.isArray(svc.profiles) && svc.profiles.length) && svc.deploy?.replicas !== 0;
        }),
        volumes: obj.volumes && typeof obj.volumes === 'object' ? Object.keys(obj.volumes) : [],
    };
}
/**
 * The override compose file that puts the ownership labels on every service and named volume. JSON (a YAML
 * subset) written through stdin, so label values never pass through a shell.
 */
function labelsOverride(shape, raw) {
    const labels = engineLabels(raw);
    return JSON.stringify({
        services: Object.fromEntries(shape.services.map((s) => [s, { labels }])),
        ...(shape.volumes.length
            ? { volumes: Object.fromEntries(shape.volumes.map((v) => [v, { labels }])) }
            : {}),
    }, null, 2);
}
/**
 * Labels as the container engines accept them. podman parses `--label` values as CSV, so a `"` fails and a `,`
 * would split one label into two (a label injection); control characters are refused too. Anything outside a
 * conservative set becomes `_`. The exact labels stay in the sandbox's meta/labels.json, which `list` prefers.
 */
function engineLabels(labels) {
    return Object.fromEntries(Object.entries(labels).map(([k, v]) => [
        k.replace(/[^A-Za-z0-9._/-]/g, '_'),
        v.replace(/[^A-Za-z0-9 ._:/@+=~-]/g, '_'),
    ]));
}
/** The canary stack: one tiny HTTP service with a healthcheck. */
function canaryCompose(image) {
    return JSON.stringify({
        services: {
            canary: {
                image,
                command: [
                    'sh',
                    '-c',
                    'mkdir -p /tmp/www && echo ok > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www',
                ],
                stop_signal: 'SIGKILL',
                healthcheck: {
                    test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/'],
                    interval: '2s',
                    retries: 5,
                },
            },
        },
    }, null, 2);
}
/** The compose runtime (`SANDBOXER_COMPOSE_CMD`, default `docker compose`) and its container engine CLI. */
function runtimeFrom(config, env) {
    const compose = (0,quote/* splitWords */.yM)(String(env.SANDBOXER_COMPOSE_CMD ?? config.compose_cmd ?? 'docker compose'));
    if (compose.length === 0)
        throw (0,errors/* usageError */.Wp)('SANDBOXER_COMPOSE_CMD is empty', 'e.g. docker compose');
    const engineCmd = env.SANDBOXER_ENGINE_CMD ?? config.engine_cmd;
    const engine = engineCmd
        ? (0,quote/* splitWords */.yM)(engineCmd)
        : [compose[0].startsWith('podman') ? 'podman' : compose[0].replace(/-compose$/, '')];
    return { compose, engine };
}

;// CONCATENATED MODULE: ./src/extensions/compose-ssh/remote.ts


function layout(base, sandboxId, project) {
    const dir = `${base.replace(/\/+$/, '')}/${sandboxId}`;
    return { base, dir, repo: `${dir}/repo`, meta: `${dir}/meta`, project };
}
const projectFilter = (project) => `label=com.docker.compose.project=${project}`;
/**
 * The teardown script: stops an in-flight provision (its whole process group), cancels the expiry timer (unless
 * it is the timer running this), removes every container, volume and network labelled with the project (the
 * sandbox is discarded, so containers are killed, not stopped gracefully), falls back to `compose down -v` for
 * anything left, removes the directory. Idempotent: every step tolerates "already gone". Sent on stdin to `sh -s`, and kept in meta/ for the
 * host-side expiry timer.
 */
function teardownScript(l, rt, composeFiles, stopTimeout_s) {
    const files = composeFiles.flatMap((f) => ['-f', f]);
    const engine = (0,quote/* args */.a2)(rt.engine);
    const filter = projectFilter(l.project);
    return [
        'set -u',
        (0,quote.sh) `D=${l.dir}; M=${l.meta}; R=${l.repo}`,
        // A group is alive while it has a member that is not a zombie (orphans wait for PID 1 to reap them, and
        // kill -0 succeeds on zombies).
        `alive() { cat /proc/[0-9]*/stat 2>/dev/null | awk -v g="$1" '$5 == g && $3 != "Z" { f = 1 } END { exit !f }'; }`,
        'killgroup() { pg=$(cat "$1" 2>/dev/null) || return 0; case "$pg" in ""|*[!0-9]*) return 0;; esac',
        '  kill -TERM "-$pg" 2>/dev/null || return 0',
        '  i=0; while alive "$pg" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done',
        '  kill -KILL "-$pg" 2>/dev/null; return 0; }',
        '[ "${1:-}" = expiry ] || killgroup "$M/expiry.pid"',
        'killgroup "$M/up.pid"',
        // Everything compose made carries the project label: remove it directly (one engine call per kind, much
        // faster than compose down, and it works when the compose files are gone or never arrived).
        'sweep() {',
        (0,quote.sh) `  ids=$(${engine} ps -aq --filter ${filter} 2>/dev/null); [ -z "$ids" ] || ${engine} rm -f -v $ids >/dev/null 2>&1`,
        (0,quote.sh) `  ids=$(${engine} volume ls -q --filter ${filter} 2>/dev/null); [ -z "$ids" ] || ${engine} volume rm -f $ids >/dev/null 2>&1`,
        (0,quote.sh) `  ids=$(${engine} network ls -q --filter ${filter} 2>/dev/null); [ -z "$ids" ] || ${engine} network rm $ids >/dev/null 2>&1`,
        (0,quote.sh) `  left=$(${engine} ps -aq --filter ${filter} 2>/dev/null); }`,
        'sweep',
        // Anything the sweep could not remove gets compose down -v, then a second sweep.
        composeFiles.length
            ? (0,quote.sh) `if [ -n "$left" ] && [ -d "$R" ]; then (cd "$R" && ${(0,quote/* args */.a2)(rt.compose)} -p ${l.project} ${(0,quote/* args */.a2)(files)} down -v -t ${stopTimeout_s}) >/dev/null 2>&1; sweep; fi`
            : ':',
        'rm -rf -- "$D"',
        // Fail (so the manager keeps the record for a retry) only if containers of the project survived.
        '[ -z "$left" ] || { echo "containers still present: $left" >&2; exit 1; }',
        '',
    ].join('\n');
}
/** `compose up -d` in its own session (pid recorded) so teardown can stop it even after our channel is gone. */
function upCommand(l, rt, composeFiles) {
    const files = composeFiles.flatMap((f) => ['-f', f]);
    const inner = (0,quote.sh) `echo $$ > ${`${l.meta}/up.pid`} && cd ${l.repo} && exec ${(0,quote/* args */.a2)(rt.compose)} -p ${l.project} ${(0,quote/* args */.a2)(files)} up -d`;
    return (0,quote.sh) `setsid sh -c ${inner} </dev/null; rc=$?; rm -f ${`${l.meta}/up.pid`}; exit $rc`;
}
/** Start (or restart) the host-side expiry timer: after `seconds`, the stored teardown script runs on its own. */
function expiryCommand(l, seconds, expiresAt) {
    const pidFile = `${l.meta}/expiry.pid`;
    const inner = (0,quote.sh) `echo $$ > ${pidFile}; sleep ${Math.max(1, Math.ceil(seconds))}; exec sh ${`${l.meta}/teardown.sh`} expiry`;
    return [
        (0,quote.sh) `pg=$(cat ${pidFile} 2>/dev/null); case "$pg" in ""|*[!0-9]*) ;; *) kill -TERM "-$pg" 2>/dev/null;; esac`,
        (0,quote.sh) `printf '%s\\n' ${expiresAt} > ${`${l.meta}/expires_at`}`,
        (0,quote.sh) `setsid sh -c ${inner} </dev/null >/dev/null 2>&1 &`,
        // Wait for the pid file so a teardown right after this cannot miss the timer.
        (0,quote.sh) `i=0; while [ ! -s ${pidFile} ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done`,
    ].join('\n');
}
/** Write stdin to a file (mode 600) without its content ever touching the command line. */
const writeFileCommand = (path) => (0,quote.sh) `umask 077 && cat > ${path}`;
/** JSON of every container of a project (docker and podman both print an array from inspect). */
const inspectProject = (rt, project) => (0,quote.sh) `ids=$(${(0,quote/* args */.a2)(rt.engine)} ps -aq --filter ${projectFilter(project)}); if [ -n "$ids" ]; then ${(0,quote/* args */.a2)(rt.engine)} inspect $ids; else echo '[]'; fi`;
const inspectManaged = (rt) => (0,quote.sh) `ids=$(${(0,quote/* args */.a2)(rt.engine)} ps -aq --filter label=io.sandboxer.managed=true 2>/dev/null); if [ -n "$ids" ]; then ${(0,quote/* args */.a2)(rt.engine)} inspect $ids; else echo '[]'; fi`;
/** `<dir>\t<labels.json on one line>` for every sandbox directory under base. */
const listDirs = (base) => (0,labels_files/* catLabelFiles */._)(base, 'sbx-*/meta/labels.json');

// EXTERNAL MODULE: ./src/core/sleep.ts
var sleep = __webpack_require__(56312);
;// CONCATENATED MODULE: ./src/extensions/compose-ssh/ready.ts


const serviceOf = (c) => c.Config?.Labels?.['com.docker.compose.service'] ?? c.Name ?? c.Id;
/** Ready = every expected service has a running container, healthy where it has a healthcheck. */
function projectStatus(services, containers) {
    const byService = new Map(containers.map((c) => [serviceOf(c), c]));
    const missing = services.filter((s) => !byService.has(s));
    if (containers.length === 0)
        return { kind: 'waiting', why: 'no containers yet', starting: [] };
    const starting = [];
    for (const c of containers) {
        const st = c.State?.Status ?? 'unknown';
        const health = c.State?.Health?.Status ?? '';
        if (st === 'exited' || st === 'dead') {
            return { kind: 'failed', why: `service ${serviceOf(c)} ${st} (exit code ${c.State?.ExitCode ?? '?'})` };
        }
        if (health === 'unhealthy')
            return { kind: 'failed', why: `service ${serviceOf(c)} is unhealthy` };
        if (st !== 'running')
            return { kind: 'waiting', why: `service ${serviceOf(c)} is ${st}`, starting };
        if (health === 'starting')
            starting.push(c.Id);
    }
    if (missing.length)
        return { kind: 'waiting', why: `no container for ${missing.join(', ')}`, starting };
    if (starting.length)
        return { kind: 'waiting', why: `${starting.length} healthcheck(s) starting`, starting };
    return { kind: 'ready' };
}
/**
 * Poll until the project is ready, bounded by `signal` (timeout + caller). Podman without systemd never runs
 * healthcheck timers, so `runHealthcheck` triggers a check itself when a container sits in `starting`.
 */
async function waitProjectReady(o) {
    let last = 'not checked';
    let delay = 200;
    let polls = 0;
    try {
        for (;;) {
            const status = projectStatus(o.services, await o.inspect());
            polls++;
            if (status.kind === 'ready')
                return;
            if (status.kind === 'failed')
                throw new errors/* BackendError */.Jh(o.extId, status.why, { retryable: false });
            last = status.why;
            // compose up has returned (it creates every container before it does) when we poll: a service still
            // missing after a few polls was never created, e.g. its image could not be pulled.
            if (status.why.startsWith('no container') && polls > 3) {
                throw new errors/* BackendError */.Jh(o.extId, `${status.why} (compose up did not create it)`, { retryable: false });
            }
            for (const id of status.starting)
                await o.runHealthcheck(id);
            await (0,sleep/* sleep */.y)(delay, o.signal);
            delay = Math.min(delay * 2, 2000);
        }
    }
    catch (err) {
        if (o.userSignal.aborted)
            throw new errors/* CancelledError */.cc();
        if (o.signal.aborted && !(err instanceof errors/* SandboxerError */.j8 && err.code === 'backend')) {
            throw new errors/* BackendError */.Jh(o.extId, `not ready within ${o.timeout_s}s: ${last}`, { retryable: false });
        }
        throw err;
    }
}

;// CONCATENATED MODULE: ./src/extensions/compose-ssh/telemetry.ts



const SEP = '--sandboxer--';
/** One round trip: df of the sandbox base dir (or the nearest existing parent), meminfo, loadavg, CPU count. */
function systemScript(path) {
    return [
        (0,quote.sh) `p=${path}; while [ ! -e "$p" ] && [ "$p" != / ]; do p=$(dirname "$p"); done`,
        'echo "$p"; df -Pk "$p" | tail -n 1',
        `echo ${SEP}; grep -E '^(MemTotal|MemAvailable):' /proc/meminfo`,
        `echo ${SEP}; cat /proc/loadavg`,
        `echo ${SEP}; nproc 2>/dev/null || getconf _NPROCESSORS_ONLN`,
    ].join('\n');
}
function parseSystem(host, text) {
    const [diskPart = '', memPart = '', loadPart = '', cpuPart = ''] = text.split(SEP);
    const [path = '', dfLine = ''] = diskPart.trim().split('\n');
    const df = dfLine.trim().split(/\s+/);
    const mem = Object.fromEntries(memPart
        .trim()
        .split('\n')
        .map((l) => {
        const [k, v] = l.split(':');
        return [k?.trim(), Number.parseInt(v ?? '0', 10)];
    }));
    const load = loadPart.trim().split(/\s+/).map(Number);
    const total = Number(df[1] ?? 0);
    const used = Number(df[2] ?? 0);
    return {
        host,
        disk: {
            path,
            total_kib: total,
            used_kib: used,
            available_kib: Number(df[3] ?? 0),
            used_pct: Number.parseInt(df[4] ?? '0', 10),
        },
        memory: { total_kib: mem.MemTotal ?? 0, available_kib: mem.MemAvailable ?? 0 },
        load: { '1m': load[0] ?? 0, '5m': load[1] ?? 0, '15m': load[2] ?? 0 },
        cpus: Number.parseInt(cpuPart.trim(), 10) || 0,
    };
}
function groupProjects(containers) {
    const byProject = new Map();
    for (const c of containers) {
        const labels = c.Config?.Labels ?? {};
        const project = labels['com.docker.compose.project'] ?? labels[core_labels/* LABEL */.d_.sandboxId] ?? c.Id;
        const p = byProject.get(project) ?? {
            project,
            ...(labels[core_labels/* LABEL */.d_.sandboxId] ? { sandbox_id: labels[core_labels/* LABEL */.d_.sandboxId] } : {}),
            ...(labels[core_labels/* LABEL */.d_.profile] ? { profile: labels[core_labels/* LABEL */.d_.profile] } : {}),
            ...(labels[core_labels/* LABEL */.d_.scope] ? { scope: labels[core_labels/* LABEL */.d_.scope] } : {}),
            ...(labels[core_labels/* LABEL */.d_.expiresAt] ? { expires_at: labels[core_labels/* LABEL */.d_.expiresAt] } : {}),
            containers: 0,
            running: 0,
        };
        p.containers++;
        if (c.State?.Status === 'running')
            p.running++;
        byProject.set(project, p);
    }
    return [...byProject.values()].sort((a, b) => a.project.localeCompare(b.project));
}
/** Telemetry over an open session; `rt` undefined skips the container part (e.g. a VM without an engine). */
async function collectTelemetry(s, host, path, rt) {
    const system = parseSystem(host, await s.run(systemScript(path), { what: 'host telemetry' }));
    let projects = [];
    if (rt) {
        const r = await s.exec(inspectManaged(rt));
        if (r.code === 0)
            projects = groupProjects(JSON.parse(r.stdout));
    }
    return { ...system, projects };
}

;// CONCATENATED MODULE: ./src/extensions/compose-ssh/index.ts














/**
 * ext.compose-ssh: a compose project per sandbox on a placement host reached over SSH. The repo input is
 * streamed in as tar, ownership labels go on every service and volume through an override file, a host-side
 * timer tears the sandbox down at its expiry even if no runner is left, and teardown is idempotent.
 */
const OVERRIDE = '.sandboxer.override.json';
const baseDir = (config, env) => String(env.SANDBOXER_BASE_DIR ?? config.base_dir ?? '/var/tmp/sandboxer');
const stopTimeout = (config) => Number(config.stop_timeout_s ?? 10);
/** The layout a handle names; a directory that is not `<base>/sbx-<id>` is refused (teardown runs rm -rf on it). */
function handleLayout(h) {
    if (typeof h.dir !== 'string' || typeof h.project !== 'string')
        return undefined;
    const dir = h.dir;
    const id = dir.slice(dir.lastIndexOf('/') + 1);
    if (!/^.+\/sbx-[a-z0-9]{12}$/.test(dir) || dir.split('/').includes('..') || h.project !== id) {
        throw new errors/* BackendError */.Jh('ext.compose-ssh', `refusing to act on the sandbox directory '${dir}'`, {
            retryable: false,
            hint: 'the handle is not one this adapter wrote (<base_dir>/sbx-<id>, project = id)',
        });
    }
    return {
        base: dir.slice(0, dir.lastIndexOf('/')),
        dir,
        repo: `${dir}/repo`,
        meta: `${dir}/meta`,
        project: h.project,
    };
}
function handleRuntime(h, config, env) {
    if (typeof h.compose_cmd === 'string' && typeof h.engine_cmd === 'string') {
        return runtimeFrom({ compose_cmd: h.compose_cmd, engine_cmd: h.engine_cmd }, {});
    }
    return runtimeFrom(config, env);
}
function composeFilesOf(h) {
    if (typeof h.compose_files !== 'string')
        return [];
    try {
        const files = JSON.parse(h.compose_files);
        return Array.isArray(files) ? files.map(String) : [];
    }
    catch {
        return [];
    }
}
/**
 * Telemetry of the placement host (`sandboxer inspect host`, the canary): disk of the sandbox base dir, memory,
 * load, running sandboxer projects. For ext.vm-packer the disk is the workspace root's and there are no projects.
 */
async function hostTelemetry(ctx, placement) {
    const target = (0,ssh_target/* resolveTarget */.u1)({ placement, config: ctx.config, env: ctx.env });
    const compose = ctx.manifest.id === 'ext.compose-ssh';
    const path = compose
        ? baseDir(ctx.config, ctx.env)
        : String(ctx.env.SANDBOXER_VM_WORKSPACE_ROOT ?? ctx.config.workspace_root ?? '/build');
    return (0,connection/* inSession */.Cp)(ctx, target, (s) => collectTelemetry(s, target.host, path, compose ? runtimeFrom(ctx.config, ctx.env) : undefined));
}
/**
 * Start a sandbox whose workspace is in l.repo (compose file text already read): write the labels override and
 * the teardown script, start the expiry timer, `compose up -d` — one round trip (a script on stdin).
 */
async function startProject(ctx, s, l, rt, composeFile, composeText) {
    const shape = composeShape(composeText, composeFile);
    const files = [composeFile, OVERRIDE];
    // Recorded before `up` runs, so a teardown from here on knows the files to `compose down` with.
    await ctx.saveHandle({ compose_files: JSON.stringify(files), services: shape.started.join(',') });
    const token = `SANDBOXER_EOF_${(0,external_node_crypto_.randomBytes)(12).toString('hex')}`;
    const script = [
        (0,quote/* heredocWrite */.yf)(`${l.repo}/${OVERRIDE}`, labelsOverride(shape, ctx.labels), token),
        (0,quote/* heredocWrite */.yf)(`${l.meta}/teardown.sh`, teardownScript(l, rt, files, stopTimeout(ctx.config)), token),
        ...(ctx.sandbox.expires_at
            ? [expiryCommand(l, (Date.parse(ctx.sandbox.expires_at) - Date.now()) / 1000, ctx.sandbox.expires_at)]
            : []),
        upCommand(l, rt, files),
        '',
    ].join('\n');
    if (ctx.signal.aborted)
        throw new errors/* CancelledError */.cc();
    await s.run('sh -s', { stdin: script, what: 'compose up' });
    // Most stacks are ready as soon as `up -d` returns: check on this connection and spare waitReady its own.
    const status = projectStatus(shape.started, JSON.parse(await s.run(inspectProject(rt, l.project), { what: 'inspect' })));
    if (status.kind === 'ready')
        readyAtProvision.add(ctx.sandbox.id);
}
/**
 * Put the repo input into l.repo and return the compose file's text. The host keeps the last few transferred
 * repos as tars under <base>/.cache keyed by repoFingerprint, so an unchanged repo (a recreate, the next job of
 * the same commit) is extracted on the host instead of crossing the network again.
 */
async function transferRepo(ctx, s, l, repo, composeFile) {
    const excludes = Array.isArray(ctx.config.exclude) ? ctx.config.exclude.map(String) : [];
    const patterns = (0,upload/* repoExcludePatterns */.O5)(repo, excludes);
    const composePath = `${l.repo}/${composeFile}`;
    const keep = Math.max(0, Number(ctx.config.repo_cache_entries ?? 8));
    if (keep === 0) {
        return s.run((0,quote.sh) `tar -xf - -C ${l.repo} && cat -- ${composePath}`, {
            stdin: await (0,upload/* tarStream */.eu)(repo, patterns),
            what: 'repo transfer',
        });
    }
    const cacheDir = `${l.base}/.cache`;
    const cached = `${cacheDir}/repo-${(0,upload/* repoFingerprint */.NJ)(repo, patterns)}.tar`;
    const hit = await s.exec((0,quote.sh) `test -f ${cached} && tar -xf ${cached} -C ${l.repo} && touch ${cached} && cat -- ${composePath}`);
    if (hit.code === 0) {
        ctx.log.debug(`repo unchanged: extracted from the host cache ${cached}`);
        return hit.stdout;
    }
    // The transfer fills the cache as it goes (tee), then keeps the newest `keep` entries.
    return s.run([
        (0,quote.sh) `mkdir -p ${cacheDir} && rm -rf -- ${l.repo} && mkdir -p ${l.repo} || exit 1`,
        (0,quote.sh) `tmp=${cached}.$$; tee "$tmp" | tar -xf - -C ${l.repo}; rc=$?`,
        'if [ $rc -ne 0 ]; then rm -f "$tmp"; exit $rc; fi',
        (0,quote.sh) `mv "$tmp" ${cached}; ls -t ${cacheDir}/repo-*.tar | tail -n +${keep + 1} | xargs -r rm -f --`,
        (0,quote.sh) `cat -- ${composePath}`,
    ].join('\n'), { stdin: await (0,upload/* tarStream */.eu)(repo, patterns), what: 'repo transfer' });
}
/** Sandboxes whose provision already saw them ready (in this process). */
const readyAtProvision = new Set();
/** Create the directory, pin the host key, record labels; the handle is saved before anything exists. */
async function prepare(ctx, target, extra = {}) {
    const rt = runtimeFrom(ctx.config, ctx.env);
    const project = projectName(ctx.sandbox.id);
    const l = layout(baseDir(ctx.config, ctx.env), ctx.sandbox.id, project);
    await ctx.saveHandle({
        ...(0,ssh_target/* targetHandle */.Es)(target),
        project,
        dir: l.dir,
        compose_cmd: rt.compose.join(' '),
        engine_cmd: rt.engine.join(' '),
        ...extra,
    });
    return { rt, l };
}
/** Pin the host key, check the runtime, create the directory and its labels file: one round trip. */
async function openPrepared(ctx, s, l, rt) {
    await ctx.saveHandle({ ssh_host_key_sha256: s.hostKeySha256, connected: true });
    const r = await s.exec((0,quote.sh) `command -v ${rt.compose[0]} >/dev/null 2>&1 && command -v ${rt.engine[0]} >/dev/null 2>&1 || exit 3
mkdir -p -- ${l.repo} ${l.meta} && umask 077 && cat > ${`${l.meta}/labels.json`}`, { stdin: JSON.stringify(ctx.labels) });
    if (r.code === 3) {
        throw new errors/* BackendError */.Jh(ctx.manifest.id, `'${rt.compose.join(' ')}' / '${rt.engine[0]}' not found on the host`, {
            retryable: false,
            hint: 'install docker (compose v2) or podman + podman-compose on the host, or set SANDBOXER_COMPOSE_CMD',
        });
    }
    if (r.code !== 0) {
        throw new errors/* BackendError */.Jh(ctx.manifest.id, `creating ${l.dir} failed (exit ${r.code}): ${r.stderr.trim()}`, {
            retryable: false,
        });
    }
}
/** The canary's report, flattened into the record's placement (string values). */
function telemetryPlacement(t) {
    return {
        disk_available_kib: String(t.disk.available_kib),
        disk_used_pct: String(t.disk.used_pct),
        mem_available_kib: String(t.memory.available_kib),
        mem_total_kib: String(t.memory.total_kib),
        load_1m: String(t.load['1m']),
        cpus: String(t.cpus),
        sandboxer_projects: String(t.projects.length),
    };
}
function placementOf(target, l) {
    return { host: target.host, dir: l.dir, project: l.project };
}
async function readyCheck(ctx, handle) {
    if (readyAtProvision.delete(ctx.sandbox.id))
        return;
    const target = (0,ssh_target/* targetFromHandle */.Mo)(handle);
    const l = handleLayout(handle);
    if (!target || !l)
        throw new errors/* BackendError */.Jh(ctx.manifest.id, 'no host recorded for this sandbox', { retryable: false });
    const rt = handleRuntime(handle, ctx.config, ctx.env);
    const services = String(handle.services ?? '')
        .split(',')
        .filter(Boolean);
    const timeout_s = Number(ctx.config.ready_timeout_s ?? 300);
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeout_s * 1000)]);
    await (0,connection/* inSession */.Cp)({ ...ctx, signal }, target, async (s) => {
        await waitProjectReady({
            extId: ctx.manifest.id,
            services,
            signal,
            userSignal: ctx.signal,
            timeout_s,
            inspect: async () => JSON.parse(await s.run(inspectProject(rt, l.project), { what: 'inspect', retryable: true })),
            runHealthcheck: async (id) => rt.engine[0] === 'podman' ? (await s.exec((0,quote.sh) `podman healthcheck run ${id}`)).code === 0 : undefined,
        });
    });
}
async function teardownHandle(ctx, handle) {
    const target = (0,ssh_target/* targetFromHandle */.Mo)(handle);
    const l = handleLayout(handle);
    // Nothing was ever made: provisioning never got a connection to the host (no remote command ran).
    if (!target || !l || handle.connected !== true)
        return;
    const rt = handleRuntime(handle, ctx.config, ctx.env);
    await (0,connection/* inSession */.Cp)(ctx, target, (s) => s.run('sh -s', {
        stdin: teardownScript(l, rt, composeFilesOf(handle), stopTimeout(ctx.config)),
        what: 'teardown',
        retryable: true,
    }));
}
function composeSsh(manifest) {
    const ext = {
        id: manifest.id,
        async provision(ctx) {
            const repo = ctx.sandbox.inputs.repo;
            const canary = ctx.config.canary === true && !repo;
            if (!repo && !canary) {
                throw new errors/* BackendError */.Jh(manifest.id, 'this profile has no repo input to deploy', {
                    retryable: false,
                    hint: 'pass --input repo=<dir with a compose file>',
                });
            }
            const composeFile = canary
                ? 'docker-compose.yml'
                : safeRelativePath(ctx.sandbox.inputs.compose_file ?? String(ctx.config.compose_file ?? 'docker-compose.yml'), 'compose_file');
            const target = (0,ssh_target/* resolveTarget */.u1)({ placement: ctx.profile.placement, config: ctx.config, env: ctx.env });
            const { rt, l } = await prepare(ctx, target);
            let telemetry;
            await (0,connection/* inSession */.Cp)(ctx, target, async (s) => {
                await openPrepared(ctx, s, l, rt);
                let composeText;
                if (canary) {
                    const image = String(ctx.env.SANDBOXER_CANARY_IMAGE ?? ctx.config.canary_image ?? 'docker.io/library/busybox:1.36');
                    composeText = canaryCompose(image);
                    await s.run(writeFileCommand(`${l.repo}/${composeFile}`), {
                        stdin: composeText,
                        what: 'writing the canary stack',
                    });
                }
                else {
                    composeText = await transferRepo(ctx, s, l, repo, composeFile);
                }
                await startProject(ctx, s, l, rt, composeFile, composeText);
                if (canary)
                    telemetry = await collectTelemetry(s, target.host, l.base, rt);
            });
            return {
                handle: {},
                placement: { ...placementOf(target, l), ...(telemetry ? telemetryPlacement(telemetry) : {}) },
            };
        },
        waitReady: readyCheck,
        async teardown(ctx) {
            await teardownHandle(ctx, ctx.sandbox.handle);
        },
        estimateCost: ({ resources, ttl_s }) => (0,pricing/* estimateFromPricing */.L4)(manifest.pricing, resources, ttl_s),
        meterActual: ({ sandbox, ended_at }) => (0,pricing/* meterFromPricing */.mw)(manifest.pricing, sandbox.resources, sandbox.ready_at ?? sandbox.created_at, ended_at),
        async list(ctx, filter) {
            const rt = runtimeFrom(ctx.config, ctx.env);
            const target = (0,ssh_target/* resolveTarget */.u1)({ placement: ctx.placement, config: ctx.config, env: ctx.env });
            const base = baseDir(ctx.config, ctx.env);
            const found = new Map();
            await (0,connection/* inSession */.Cp)(ctx, target, async (s) => {
                const listed = (0,labels_files/* parseLabelFiles */.t)(await s.run(listDirs(base), { what: 'listing sandboxes' }));
                for (const { file, id, labels } of listed) {
                    const dir = file.replace(/\/meta\/labels\.json$/, '');
                    found.set(id, object(id, labels, target, dir, rt));
                }
                const containers = JSON.parse(await s.run(inspectManaged(rt), { what: 'listing containers' }));
                for (const c of containers) {
                    const labels = c.Config?.Labels ?? {};
                    const id = labels[core_labels/* LABEL */.d_.sandboxId];
                    if (!id || found.has(id) || !ids/* SANDBOX_ID_RE */.aY.test(id))
                        continue;
                    found.set(id, object(id, labels, target, `${base}/${id}`, rt, c.Created));
                }
            });
            return [...found.values()].filter((o) => (0,core_labels/* matchesLabels */.r1)(o.labels, filter));
        },
        async extendTtl(ctx, expiresAt, fromNow_s) {
            const h = ctx.sandbox.handle;
            const target = (0,ssh_target/* targetFromHandle */.Mo)(h);
            const l = handleLayout(h);
            if (!target || !l)
                throw new errors/* BackendError */.Jh(manifest.id, 'no host recorded for this sandbox', { retryable: false });
            await (0,connection/* inSession */.Cp)(ctx, target, (s) => s.run(expiryCommand(l, fromNow_s, expiresAt), { what: 'moving the expiry timer' }));
        },
        async snapshot(ctx, name) {
            const h = ctx.sandbox.handle;
            const target = (0,ssh_target/* targetFromHandle */.Mo)(h);
            const l = handleLayout(h);
            if (!target || !l)
                throw new errors/* BackendError */.Jh(manifest.id, 'no host recorded for this sandbox', { retryable: false });
            const rt = handleRuntime(h, ctx.config, ctx.env);
            const snapId = `snap-${(0,external_node_crypto_.randomBytes)(6).toString('hex')}`;
            const snapDir = `${l.base}/.snapshots/${snapId}`;
            const withVolumes = ctx.config.snapshot_volumes !== false;
            const engine = (0,quote/* args */.a2)(rt.engine);
            await (0,connection/* inSession */.Cp)(ctx, target, (s) => s.run([
                (0,quote.sh) `set -e; mkdir -p -- ${`${snapDir}/volumes`}`,
                (0,quote.sh) `tar -cf ${`${snapDir}/workspace.tar`} -C ${l.repo} .`,
                withVolumes
                    ? (0,quote.sh) `for v in $(${engine} volume ls -q --filter label=com.docker.compose.project=${l.project}); do mp=$(${engine} volume inspect --format '{{.Mountpoint}}' "$v"); short=\${v#${`${l.project}_`}}; tar -cf ${`${snapDir}/volumes/`}"$short.tar" -C "$mp" .; done`
                    : ':',
                (0,quote.sh) `printf '%s\\n' ${JSON.stringify({ of: ctx.sandbox.id, name: name ?? null })} > ${`${snapDir}/meta.json`}`,
            ].join('\n'), { what: 'snapshot' }));
            return {
                handle: {
                    ...(0,ssh_target/* targetHandle */.Es)(target),
                    snapshot_backend_id: snapId,
                    snapshot_dir: snapDir,
                    compose_file: composeFilesOf(h)[0] ?? 'docker-compose.yml',
                },
            };
        },
        async restore(ctx, snapshot) {
            const sh0 = snapshot.handle;
            const target = (0,ssh_target/* targetFromHandle */.Mo)(sh0);
            if (!target || typeof sh0.snapshot_dir !== 'string') {
                throw new errors/* BackendError */.Jh(manifest.id, `snapshot ${snapshot.id} has no host recorded`, {
                    retryable: false,
                });
            }
            const snapDir = sh0.snapshot_dir;
            const composeFile = safeRelativePath(String(sh0.compose_file ?? 'docker-compose.yml'), 'compose_file');
            const { rt, l } = await prepare(ctx, target, { restored_from: String(sh0.snapshot_backend_id) });
            await (0,connection/* inSession */.Cp)(ctx, target, async (s) => {
                const exists = await s.exec((0,quote.sh) `test -f ${`${snapDir}/workspace.tar`}`);
                if (exists.code !== 0) {
                    throw new errors/* BackendError */.Jh(manifest.id, `snapshot ${snapshot.id} is gone from ${target.host}`, {
                        retryable: false,
                        status: 404,
                    });
                }
                await openPrepared(ctx, s, l, rt);
                const composeText = await s.run((0,quote.sh) `tar -xf ${`${snapDir}/workspace.tar`} -C ${l.repo} && cat -- ${`${l.repo}/${composeFile}`}`, { what: 'restoring the workspace' });
                const engine = (0,quote/* args */.a2)(rt.engine);
                await s.run((0,quote.sh) `for f in ${snapDir}/volumes/*.tar; do [ -f "$f" ] || continue; short=$(basename "$f" .tar); v=${`${l.project}_`}"$short"; ${engine} volume create --label ${`com.docker.compose.project=${l.project}`} --label "com.docker.compose.volume=$short" "$v" >/dev/null; mp=$(${engine} volume inspect --format '{{.Mountpoint}}' "$v"); tar -xf "$f" -C "$mp"; done`, { what: 'restoring volumes' });
                await startProject(ctx, s, l, rt, composeFile, composeText);
            });
            return { handle: {}, placement: placementOf(target, l) };
        },
        async deleteSnapshot(ctx, snapshot) {
            const target = (0,ssh_target/* targetFromHandle */.Mo)(snapshot.handle);
            const dir = snapshot.handle.snapshot_dir;
            if (!target || typeof dir !== 'string' || !/\/\.snapshots\/snap-[a-f0-9]{12}$/.test(dir))
                return;
            await (0,connection/* inSession */.Cp)(ctx, target, (s) => s.run((0,quote.sh) `rm -rf -- ${dir}`, { what: 'deleting the snapshot' }));
        },
    };
    return ext;
}
function object(id, labels, target, dir, rt, created) {
    return {
        backend_id: id,
        sandbox_id: id,
        labels,
        ...(created ? { created_at: created } : {}),
        handle: {
            ...(0,ssh_target/* targetHandle */.Es)(target),
            project: id,
            dir,
            connected: true,
            compose_cmd: rt.compose.join(' '),
            engine_cmd: rt.engine.join(' '),
        },
    };
}


/***/ }),

/***/ 49811:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  Cp: () => (/* binding */ inSession)
});

// UNUSED EXPORTS: SshSession, withSession

// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(74296);
// EXTERNAL MODULE: ./src/credentials/index.ts + 4 modules
var credentials = __webpack_require__(28000);
// EXTERNAL MODULE: ./src/core/sleep.ts
var sleep = __webpack_require__(56312);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
;// CONCATENATED MODULE: ./src/extensions/ssh/host-key.ts


/** `SHA256:<base64, no padding>` of a raw host key blob, as printed by `ssh-keygen -lf`. */
function fingerprintSha256(key) {
    return `SHA256:${(0,external_node_crypto_.createHash)('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}
const sameFingerprint = (a, b) => a.replace(/=+$/, '') === b.replace(/=+$/, '');
/** The host pattern known_hosts uses: `host` on port 22, `[host]:port` otherwise. */
const knownHostsName = (host, port) => port === 22 ? host : `[${host}]:${port}`;
function hostMatches(field, name) {
    if (field.startsWith('|1|')) {
        const [, , salt, hash] = field.split('|');
        if (!salt || !hash)
            return false;
        const digest = (0,external_node_crypto_.createHmac)('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
        return digest === hash;
    }
    let matched = false;
    for (const pattern of field.split(',')) {
        const negated = pattern.startsWith('!');
        const p = negated ? pattern.slice(1) : pattern;
        const re = new RegExp(`^${p
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`);
        if (re.test(name)) {
            if (negated)
                return false;
            matched = true;
        }
    }
    return matched;
}
/**
 * Checks a presented host key blob against known_hosts text (plain and hashed entries, patterns, @revoked;
 * @cert-authority lines are not trusted for plain keys).
 */
function checkKnownHosts(text, host, port, key) {
    const name = knownHostsName(host, port);
    const presented = key.toString('base64');
    let sawHost = false;
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim();
        if (!line || line.startsWith('#'))
            continue;
        const parts = line.split(/\s+/);
        let marker;
        if (parts[0].startsWith('@'))
            marker = parts.shift();
        const [hosts, , blob] = parts;
        if (!hosts || !blob || !hostMatches(hosts, name))
            continue;
        if (marker === '@cert-authority')
            continue;
        if (marker === '@revoked') {
            if (blob === presented)
                return 'revoked';
            continue;
        }
        sawHost = true;
        if (blob === presented)
            return 'match';
    }
    return sawHost ? 'mismatch' : 'unknown';
}
function readKnownHosts(path) {
    try {
        return (0,external_node_fs_.readFileSync)(path, 'utf8');
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/extensions/ssh/connection.ts




/** sshd's default MaxSessions is 10 per connection; stay below it. */
const MAX_CHANNELS = 8;
const TAIL = 2000;
/** What a failed command said: its error lines when it printed some (compose tools bury them), else the tail. */
function tail(s) {
    const errors = s
        .split('\n')
        .filter((l) => /error/i.test(l) && !/^\s*(File |raise |Traceback)/.test(l))
        .slice(-5)
        .join('\n');
    const text = errors || s;
    return (text.length > TAIL ? `…${text.slice(-TAIL)}` : text).trim();
}
async function privateKeyFor(o) {
    const direct = o.secrets.get('ssh_key');
    if (direct)
        return direct;
    if (!o.target.key_ref)
        return undefined;
    // Teardown, reaping and expiry may run without the profile's resolved secrets: resolve the ref kept in the
    // handle (a reference, never the value) the same way the manager would.
    const { secrets } = await (0,credentials/* createCredentialResolver */.s)(o.env).resolve([{ name: 'ssh_key', secret_ref: o.target.key_ref, required: false }], { env: o.env, signal: o.signal });
    return secrets.get('ssh_key');
}
/**
 * One SSH connection to a placement host with every rule the ssh2 pitfalls call for: host key verified (pinned
 * SHA256 or known_hosts) unless explicitly and loudly disabled, keepalive on, bounded parallel channels, both
 * output streams drained, connection errors retried with a fresh client, abort-signal aware.
 */
class SshSession {
    client;
    o;
    /** SHA256 fingerprint of the host key this connection verified (pin it for later connections). */
    hostKeySha256 = '';
    active = 0;
    waiting = [];
    closed = false;
    constructor(client, o) {
        this.client = client;
        this.o = o;
    }
    static async open(o) {
        const privateKey = await privateKeyFor(o);
        const agent = privateKey ? undefined : o.env.SSH_AUTH_SOCK;
        if (!privateKey && !agent) {
            throw new errors/* BackendError */.Jh(o.extId, `no SSH key for ${o.target.user}@${o.target.host}`, {
                retryable: false,
                hint: `set the secret named by placement.key_ref${o.target.key_ref ? ` (${o.target.key_ref})` : ''} to the private key, or run an ssh-agent`,
            });
        }
        if (o.target.insecure_accept_any_host_key) {
            o.log.warn(`INSECURE: host key verification is DISABLED for ${o.target.host}:${o.target.port} (insecure_accept_any_host_key); anyone on the path can impersonate this host`);
        }
        const attempts = o.attempts ?? 3;
        for (let i = 1;; i++) {
            if (o.signal.aborted)
                throw new errors/* CancelledError */.cc();
            try {
                return await SshSession.connectOnce(o, privateKey, agent);
            }
            catch (err) {
                if (!(err instanceof errors/* BackendError */.Jh) || !err.retryable || i >= attempts || o.signal.aborted)
                    throw err;
                o.log.debug(`ssh ${o.target.host}:${o.target.port}: ${err.message}; retrying (${i}/${attempts})`);
                await (0,sleep/* sleep */.y)(250 * 2 ** i * Math.random() + 100, o.signal);
            }
        }
    }
    static async connectOnce(o, privateKey, agent) {
        const { target } = o;
        const where = `${target.user}@${target.host}:${target.port}`;
        // Loaded on first use: CLI verbs and the actions that never open SSH do not pay for ssh2 at start-up.
        const { Client } = (await __webpack_require__.e(/* import() */ 472).then(__webpack_require__.t.bind(__webpack_require__, 85472, 23))).default;
        return new Promise((resolve, reject) => {
            const client = new Client();
            let seen = '';
            let hostKeyProblem;
            const onAbort = () => {
                client.end();
                reject(new errors/* CancelledError */.cc());
            };
            o.signal.addEventListener('abort', onAbort, { once: true });
            const verify = (key) => {
                seen = fingerprintSha256(key);
                if (target.insecure_accept_any_host_key)
                    return true;
                if (target.host_key_sha256) {
                    if (sameFingerprint(seen, target.host_key_sha256))
                        return true;
                    hostKeyProblem = new errors/* BackendError */.Jh(o.extId, `host key of ${target.host}:${target.port} is ${seen}, not the pinned ${target.host_key_sha256}`, {
                        retryable: false,
                        hint: 'if the host was rebuilt, update placement.host_key_sha256; otherwise do not connect',
                    });
                    return false;
                }
                const text = target.known_hosts ? readKnownHosts(target.known_hosts) : undefined;
                const verdict = text === undefined ? 'unknown' : checkKnownHosts(text, target.host, target.port, key);
                if (verdict === 'match')
                    return true;
                hostKeyProblem = new errors/* BackendError */.Jh(o.extId, verdict === 'unknown'
                    ? `host key of ${target.host}:${target.port} (${seen}) is not in ${target.known_hosts ?? 'known_hosts'}`
                    : `host key of ${target.host}:${target.port} (${seen}) does not match ${target.known_hosts} (${verdict})`, {
                    retryable: false,
                    hint: `add the host with 'ssh-keyscan -p ${target.port} ${target.host} >> ${target.known_hosts}' after checking the fingerprint, or pin placement.host_key_sha256`,
                });
                return false;
            };
            const config = {
                host: target.host,
                port: target.port,
                username: target.user,
                readyTimeout: o.readyTimeout_ms ?? 20_000,
                keepaliveInterval: 10_000,
                keepaliveCountMax: 3,
                hostVerifier: verify,
                ...(privateKey ? { privateKey } : {}),
                ...(agent ? { agent } : {}),
            };
            client
                .on('ready', () => {
                o.signal.removeEventListener('abort', onAbort);
                const s = new SshSession(client, o);
                s.hostKeySha256 = seen;
                client.on('error', (err) => o.log.debug(`ssh ${where}: ${err.message}`));
                client.on('close', () => (s.closed = true));
                resolve(s);
            })
                .on('error', (err) => {
                o.signal.removeEventListener('abort', onAbort);
                client.end();
                if (hostKeyProblem)
                    return reject(hostKeyProblem);
                if (err.level === 'client-authentication') {
                    return reject(new errors/* BackendError */.Jh(o.extId, `SSH authentication as ${where} was refused`, {
                        retryable: false,
                        hint: 'check placement.user and that the key named by placement.key_ref is authorized on the host',
                    }));
                }
                reject(new errors/* BackendError */.Jh(o.extId, `cannot reach ${where}: ${err.code ?? err.message}`, {
                    retryable: true,
                    hint: 'check that the host is up and reachable (SANDBOXER_HOST overrides the placement)',
                }));
            });
            try {
                client.connect(config);
            }
            catch (err) {
                // ssh2 throws synchronously on a key it cannot parse; its message never quotes the key.
                o.signal.removeEventListener('abort', onAbort);
                reject(new errors/* BackendError */.Jh(o.extId, `the SSH key cannot be used: ${err.message}`, {
                    retryable: false,
                    hint: `the secret${target.key_ref ? ` ${target.key_ref}` : ''} must hold an unencrypted OpenSSH or PEM private key`,
                }));
            }
        });
    }
    async acquire() {
        if (this.active < MAX_CHANNELS) {
            this.active++;
            return;
        }
        await new Promise((r) => this.waiting.push(r));
    }
    release() {
        const next = this.waiting.shift();
        if (next)
            next();
        else
            this.active--;
    }
    /** Run one command (already quoted with sh`…`); resolves with its exit code and output, never throws on code. */
    async exec(command, opts = {}) {
        const signal = opts.signal ?? this.o.signal;
        if (signal.aborted)
            throw new errors/* CancelledError */.cc();
        if (this.closed) {
            throw new errors/* BackendError */.Jh(this.o.extId, `connection to ${this.o.target.host} closed`, { retryable: true });
        }
        await this.acquire();
        try {
            return await new Promise((resolve, reject) => {
                this.client.exec(command, (err, ch) => {
                    if (err) {
                        return reject(new errors/* BackendError */.Jh(this.o.extId, `cannot open a channel: ${err.message}`, { retryable: true }));
                    }
                    const out = [];
                    const errOut = [];
                    let code = null;
                    const onAbort = () => {
                        ch.close();
                        reject(new errors/* CancelledError */.cc());
                    };
                    signal.addEventListener('abort', onAbort, { once: true });
                    ch.on('data', (d) => out.push(d));
                    ch.stderr.on('data', (d) => errOut.push(d));
                    ch.on('exit', (c) => (code = c));
                    ch.on('close', () => {
                        signal.removeEventListener('abort', onAbort);
                        resolve({
                            code: code ?? 255,
                            stdout: Buffer.concat(out).toString('utf8'),
                            stderr: Buffer.concat(errOut).toString('utf8'),
                        });
                    });
                    const input = opts.stdin;
                    if (input === undefined)
                        ch.end();
                    else if (typeof input === 'string' || Buffer.isBuffer(input))
                        ch.end(input);
                    else {
                        input.on('error', (e) => {
                            ch.close();
                            reject(new errors/* BackendError */.Jh(this.o.extId, `upload failed: ${e.message}`, { retryable: false }));
                        });
                        input.pipe(ch);
                    }
                });
            });
        }
        finally {
            this.release();
        }
    }
    /** exec, throwing a BackendError (with the command's stderr tail) on a non-zero exit. */
    async run(command, opts = {}) {
        const started = Date.now();
        const r = await this.exec(command, opts);
        this.o.log.debug(`ssh ${this.o.target.host}: ${opts.what ?? 'command'} exit ${r.code} (${Date.now() - started} ms)`);
        if (r.code !== 0) {
            throw new errors/* BackendError */.Jh(this.o.extId, `${opts.what ?? 'remote command'} failed on ${this.o.target.host} (exit ${r.code}): ${tail(r.stderr || r.stdout)}`, { retryable: opts.retryable ?? false });
        }
        return r.stdout;
    }
    close() {
        this.closed = true;
        this.client.end();
    }
}
/** Open, use, always close. */
async function withSession(o, fn) {
    const s = await SshSession.open(o);
    try {
        return await fn(s);
    }
    finally {
        s.close();
    }
}
/** A session for an extension call: the context's secrets, env, logger and abort signal. */
function inSession(ctx, target, fn) {
    return withSession({ extId: ctx.manifest.id, target, secrets: ctx.secrets, env: ctx.env, log: ctx.log, signal: ctx.signal }, fn);
}


/***/ }),

/***/ 51130:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   _: () => (/* binding */ catLabelFiles),
/* harmony export */   t: () => (/* binding */ parseLabelFiles)
/* harmony export */ });
/* harmony import */ var _core_ids_ts__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(89921);
/* harmony import */ var _core_labels_ts__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(96236);
/* harmony import */ var _quote_ts__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(54743);



/**
 * A remote command printing `<file>\t<json on one line>` for every file under `dir` matching `glob`. `dir` is
 * quoted; `glob` is a constant of ours (checked), left unquoted so the remote shell expands it.
 */
function catLabelFiles(dir, glob) {
    if (!/^[A-Za-z0-9_.*/-]+$/.test(glob))
        throw new Error(`unsafe glob ${glob}`);
    return `for f in ${(0,_quote_ts__WEBPACK_IMPORTED_MODULE_2__/* .shQuote */ .US)(dir)}/${glob}; do [ -f "$f" ] || continue; printf '%s\\t' "$f"; tr -d '\\n' < "$f"; echo; done`;
}
/** Parse what `catLabelFiles` printed: the labels of each file that names one of our sandboxes; junk is skipped. */
function parseLabelFiles(text) {
    const out = [];
    for (const line of text.split('\n')) {
        const [file, json] = line.split('\t');
        if (!file || !json)
            continue;
        let labels;
        try {
            labels = JSON.parse(json);
        }
        catch {
            continue;
        }
        const id = labels[_core_labels_ts__WEBPACK_IMPORTED_MODULE_1__/* .LABEL */ .d_.sandboxId];
        if (id && _core_ids_ts__WEBPACK_IMPORTED_MODULE_0__/* .SANDBOX_ID_RE */ .aY.test(id))
            out.push({ file, id, labels });
    }
    return out;
}


/***/ }),

/***/ 54743:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   US: () => (/* binding */ shQuote),
/* harmony export */   a2: () => (/* binding */ args),
/* harmony export */   sh: () => (/* binding */ sh),
/* harmony export */   yM: () => (/* binding */ splitWords),
/* harmony export */   yf: () => (/* binding */ heredocWrite)
/* harmony export */ });
/* unused harmony export QuotedArgs */
/**
 * POSIX shell quoting for every argument of a remote command. `exec` strings go through the remote user's login
 * shell, so each argument is single-quoted (a `'` inside becomes `'\''`); nothing in a value is ever interpreted.
 */
function shQuote(arg) {
    const s = String(arg);
    if (s.includes('\0'))
        throw new Error('a shell argument cannot contain a NUL byte');
    return `'${s.replace(/'/g, `'\\''`)}'`;
}
/** One command line from already-trusted shell syntax and quoted arguments: sh`rm -rf ${dir}`. */
function sh(strings, ...args) {
    let out = strings[0];
    args.forEach((a, i) => {
        out += (a instanceof QuotedArgs ? a.text : shQuote(a)) + strings[i + 1];
    });
    return out;
}
/** A list of arguments quoted one by one, for splicing into sh`…` (e.g. a compose command of several words). */
class QuotedArgs {
    text;
    constructor(args) {
        this.text = args.map(shQuote).join(' ');
    }
}
const args = (list) => new QuotedArgs(list);
/** A command given as one string (e.g. SANDBOXER_COMPOSE_CMD="docker compose") split into words, never evaluated. */
function splitWords(command) {
    return command.trim().split(/\s+/).filter(Boolean);
}
/**
 * A script line block writing `content` to `path` through a quoted here-document (nothing in it is expanded).
 * The delimiter is random, so content cannot end the document early.
 */
function heredocWrite(path, content, token) {
    if (content.includes(token))
        throw new Error('here-document delimiter collision');
    const body = content.endsWith('\n') ? content : `${content}\n`;
    return `(umask 077 && cat > ${shQuote(path)}) <<'${token}' || exit 1\n${body}${token}`;
}


/***/ }),

/***/ 88058:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Es: () => (/* binding */ targetHandle),
/* harmony export */   Mo: () => (/* binding */ targetFromHandle),
/* harmony export */   u1: () => (/* binding */ resolveTarget)
/* harmony export */ });
/* unused harmony exports SshTarget, parseHostSpec */
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(48161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(12311);
/* harmony import */ var _core_errors_ts__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(74296);




/**
 * Where and how to reach a placement host. Only non-secret facts: the private key is referenced by `key_ref`
 * and resolved into memory at use, never stored. Saved into the sandbox handle (ssh_* keys) so teardown, reaping
 * and expiry find the host again without the profile, and pinned to the host key seen at provision.
 */
const SshTarget = zod__WEBPACK_IMPORTED_MODULE_3__/* .object */ .Ikc({
    host: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().min(1),
    port: zod__WEBPACK_IMPORTED_MODULE_3__/* .number */ .aig().int().min(1).max(65535),
    user: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().min(1),
    /** Pinned host key, SHA256:<base64>. When set, known_hosts is not consulted. */
    host_key_sha256: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().optional(),
    known_hosts: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().optional(),
    key_ref: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().optional(),
    /** Explicit opt-out of host key verification (logged loudly on every connection). */
    insecure_accept_any_host_key: zod__WEBPACK_IMPORTED_MODULE_3__/* .boolean */ .zMY().default(false),
})
    .strict();
/** `[user@]host[:port]` (IPv6 literals in brackets: `[::1]:2222`). */
function parseHostSpec(spec) {
    const m = /^(?:([A-Za-z0-9._-]+)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(spec.trim());
    if (!m)
        throw (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_2__/* .usageError */ .Wp)(`'${spec}' is not a host`, 'use [user@]host[:port], e.g. sandboxer@10.0.0.5:22');
    const port = m[3] ? Number(m[3]) : undefined;
    if (port !== undefined && (port < 1 || port > 65535))
        throw (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_2__/* .usageError */ .Wp)(`port ${port} is out of range`);
    return {
        ...(m[1] ? { user: m[1] } : {}),
        host: m[2].replace(/^\[|\]$/g, ''),
        ...(port ? { port } : {}),
    };
}
const truthy = (v) => v === true || v === '1' || v === 'true';
/**
 * Resolve the target for a new sandbox. Precedence: `SANDBOXER_HOST` ([user@]host[:port]) over an explicit host
 * (e.g. a VM input) over the profile placement over extension config.
 */
function resolveTarget(input) {
    const { placement, config, env } = input;
    const override = env.SANDBOXER_HOST ? parseHostSpec(env.SANDBOXER_HOST) : undefined;
    const explicit = input.explicit ? parseHostSpec(input.explicit) : undefined;
    const host = override?.host ?? explicit?.host ?? placement?.host ?? config.host;
    if (!host) {
        throw (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_2__/* .usageError */ .Wp)('no placement host for this sandbox', "set placement.host in the profile, or SANDBOXER_HOST=[user@]host[:port] (e.g. from 'bash scripts/test-host/setup.sh')");
    }
    const known = placement?.known_hosts ?? env.SANDBOXER_KNOWN_HOSTS;
    const pinned = placement?.host_key_sha256 ?? env.SANDBOXER_HOST_KEY_SHA256;
    // Without a profile (list, inspect) the extension config names the key; the shipped profiles use the same ref.
    const keyRef = placement?.key_ref ?? (typeof config.key_ref === 'string' ? config.key_ref : undefined);
    return SshTarget.parse({
        host,
        port: override?.port ?? explicit?.port ?? placement?.port ?? Number(config.port ?? 22),
        user: override?.user ?? explicit?.user ?? env.SANDBOXER_SSH_USER ?? placement?.user ?? 'sandboxer',
        ...(pinned ? { host_key_sha256: pinned } : {}),
        known_hosts: known ?? (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)((0,node_os__WEBPACK_IMPORTED_MODULE_0__.homedir)(), '.ssh', 'known_hosts'),
        ...(keyRef ? { key_ref: keyRef } : {}),
        insecure_accept_any_host_key: truthy(config.insecure_accept_any_host_key) || truthy(env.SANDBOXER_SSH_INSECURE_ACCEPT_ANY_HOST_KEY),
    });
}
/** Handle fields for a target (prefixed ssh_ so they do not collide with the adapter's own). */
function targetHandle(t) {
    return {
        ssh_host: t.host,
        ssh_port: t.port,
        ssh_user: t.user,
        ...(t.host_key_sha256 ? { ssh_host_key_sha256: t.host_key_sha256 } : {}),
        ...(t.known_hosts ? { ssh_known_hosts: t.known_hosts } : {}),
        ...(t.key_ref ? { ssh_key_ref: t.key_ref } : {}),
        ...(t.insecure_accept_any_host_key ? { ssh_insecure: true } : {}),
    };
}
/** The target saved in a handle, or undefined when provisioning never got as far as choosing a host. */
function targetFromHandle(h) {
    if (typeof h.ssh_host !== 'string')
        return undefined;
    return SshTarget.parse({
        host: h.ssh_host,
        port: Number(h.ssh_port ?? 22),
        user: String(h.ssh_user ?? 'sandboxer'),
        ...(typeof h.ssh_host_key_sha256 === 'string' ? { host_key_sha256: h.ssh_host_key_sha256 } : {}),
        ...(typeof h.ssh_known_hosts === 'string' ? { known_hosts: h.ssh_known_hosts } : {}),
        ...(typeof h.ssh_key_ref === 'string' ? { key_ref: h.ssh_key_ref } : {}),
        insecure_accept_any_host_key: h.ssh_insecure === true,
    });
}


/***/ }),

/***/ 3998:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   NJ: () => (/* binding */ repoFingerprint),
/* harmony export */   O5: () => (/* binding */ repoExcludePatterns),
/* harmony export */   eu: () => (/* binding */ tarStream)
/* harmony export */ });
/* unused harmony export compileExcludes */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);



function globToRegex(glob) {
    let re = '';
    for (let i = 0; i < glob.length; i++) {
        const c = glob[i];
        if (c === '*') {
            if (glob[i + 1] === '*') {
                // `**/` any leading directories, `/**` everything inside, `**` anything.
                if (glob[i + 2] === '/') {
                    re += '(?:.*/)?';
                    i += 2;
                }
                else {
                    re += '.*';
                    i += 1;
                }
            }
            else
                re += '[^/]*';
        }
        else if (c === '?')
            re += '[^/]';
        else if (c === '[') {
            const end = glob.indexOf(']', i + 1);
            if (end < 0)
                re += '\\[';
            else {
                re += `[${glob
                    .slice(i + 1, end)
                    .replace(/^!/, '^')
                    .replace(/\\/g, '\\\\')}]`;
                i = end;
            }
        }
        else if (c === '\\' && i + 1 < glob.length)
            re += `\\${glob[++i]}`;
        else
            re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
    }
    return re;
}
/**
 * A .gitignore-like matcher: `#` comments, `!` negation (last match wins), trailing `/` for directories only,
 * a `/` inside a pattern anchors it to the repo root, `*`, `?`, `[…]` and `**`. Paths are repo-relative with `/`.
 */
function compileExcludes(patterns) {
    const rules = [];
    for (const raw of patterns) {
        let p = raw.replace(/\s+$/, '');
        if (!p || p.startsWith('#'))
            continue;
        const negate = p.startsWith('!');
        if (negate)
            p = p.slice(1);
        const dirOnly = p.endsWith('/');
        if (dirOnly)
            p = p.replace(/\/+$/, '');
        const anchored = p.includes('/');
        p = p.replace(/^\//, '');
        const body = globToRegex(p);
        rules.push({ re: new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`), negate, dirOnly });
    }
    return (path, isDir) => {
        let excluded = false;
        for (const r of rules) {
            if (r.dirOnly && !isDir)
                continue;
            if (r.re.test(path))
                excluded = !r.negate;
        }
        return excluded;
    };
}
function readLines(file) {
    try {
        return (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readFileSync)(file, 'utf8').split(/\r?\n/);
    }
    catch {
        return [];
    }
}
/** The exclude patterns for a repo: `.git/` always, the top-level .gitignore and .sandboxerignore, then extras. */
function repoExcludePatterns(dir, extra = []) {
    return [
        '.git/',
        ...readLines((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, '.gitignore')),
        ...readLines((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, '.sandboxerignore')),
        ...extra,
    ];
}
/** A tar stream of `dir` (paths relative to it, ownership dropped), skipping excluded paths and their subtrees. */
async function tarStream(dir, patterns) {
    const excluded = compileExcludes(patterns);
    // Loaded on first use, like ssh2: only verbs that transfer a repo pay for it.
    const { create: tarCreate } = await __webpack_require__.e(/* import() */ 697).then(__webpack_require__.bind(__webpack_require__, 98697));
    return tarCreate({
        cwd: dir,
        portable: true,
        filter: (path, entry) => {
            const rel = path.replace(/^\.\/?/, '');
            if (rel === '')
                return true;
            const isDir = 'isDirectory' in entry && typeof entry.isDirectory === 'function' && entry.isDirectory();
            return !excluded(rel, isDir);
        },
    }, ['.']);
}
/**
 * A cheap identity of what tarStream would send: the paths, sizes, modes and mtimes (the same quick check rsync
 * uses by default) of every included entry, plus the patterns. Equal fingerprints let a host reuse its cached tar.
 */
function repoFingerprint(dir, patterns) {
    const excluded = compileExcludes(patterns);
    const hash = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(patterns.join('\n')).update('\0');
    const walk = (rel) => {
        const entries = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readdirSync)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, rel), { withFileTypes: true }).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
        for (const e of entries) {
            const path = rel ? `${rel}/${e.name}` : e.name;
            if (excluded(path, e.isDirectory()))
                continue;
            const st = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.lstatSync)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, path));
            hash.update(`${path}\0${st.mode}\0${st.size}\0${Math.floor(st.mtimeMs)}\0`);
            if (e.isSymbolicLink())
                hash.update(`${(0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readlinkSync)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, path))}\0`);
            if (e.isDirectory())
                walk(path);
        }
    };
    walk('');
    return hash.digest('hex').slice(0, 32);
}


/***/ }),

/***/ 76453:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  i: () => (/* binding */ createManager)
});

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
// EXTERNAL MODULE: ./src/catalog/loader.ts + 1 modules
var loader = __webpack_require__(35766);
// EXTERNAL MODULE: ./src/core/labels.ts
var core_labels = __webpack_require__(96236);
// EXTERNAL MODULE: ./src/core/logger.ts
var logger = __webpack_require__(11227);
// EXTERNAL MODULE: ./src/credentials/index.ts + 4 modules
var src_credentials = __webpack_require__(28000);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(74296);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: ./src/core/sleep.ts
var sleep = __webpack_require__(56312);
// EXTERNAL MODULE: ./src/payments/pricing.ts
var pricing = __webpack_require__(21501);
;// CONCATENATED MODULE: ./src/state/paths.ts


/** Local state directory: SANDBOXER_STATE_DIR, else $XDG_DATA_HOME/sandboxer, else ~/.local/share/sandboxer. */
function stateDir(env = process.env) {
    if (env.SANDBOXER_STATE_DIR)
        return env.SANDBOXER_STATE_DIR;
    const base = env.XDG_DATA_HOME || (0,external_node_path_.join)((0,external_node_os_.homedir)(), '.local', 'share');
    return (0,external_node_path_.join)(base, 'sandboxer');
}

;// CONCATENATED MODULE: ./src/extensions/saas-stub/index.ts








const objectsDir = (env) => (0,external_node_path_.join)(env.SANDBOXER_STUB_DIR ?? (0,external_node_path_.join)(stateDir(env), 'saas-stub'), 'objects');
const snapshotsDir = (env) => (0,external_node_path_.join)(env.SANDBOXER_STUB_DIR ?? (0,external_node_path_.join)(stateDir(env), 'saas-stub'), 'snapshots');
function writeJson(file, value) {
    const tmp = `${file}.${process.pid}.${(0,external_node_crypto_.randomBytes)(4).toString('hex')}.tmp`;
    (0,external_node_fs_.writeFileSync)(tmp, JSON.stringify(value, null, 2));
    (0,external_node_fs_.renameSync)(tmp, file);
}
function readObject(env, backendId) {
    try {
        return JSON.parse((0,external_node_fs_.readFileSync)((0,external_node_path_.join)(objectsDir(env), `${backendId}.json`), 'utf8'));
    }
    catch {
        return undefined;
    }
}
function fault(ctx, op) {
    const spec = String(ctx.config.fault ?? ctx.env.SANDBOXER_STUB_FAULT ?? '');
    for (const part of spec.split(',').filter(Boolean)) {
        const [where, kind] = part.split(':');
        if (where === op) {
            throw new errors/* BackendError */.Jh(ctx.manifest.id, `injected ${kind ?? 'fatal'} fault in ${op}`, {
                retryable: kind === 'retryable',
                status: kind === 'retryable' ? 503 : 400,
            });
        }
    }
}
function saasStub(manifest) {
    return {
        id: manifest.id,
        async provision(ctx) {
            const dir = objectsDir(ctx.env);
            (0,external_node_fs_.mkdirSync)(dir, { recursive: true });
            const backend_id = `stub-${ctx.sandbox.id.slice(4)}`;
            const obj = {
                backend_id,
                labels: ctx.labels,
                created_at: new Date().toISOString(),
                status: 'starting',
                ...(ctx.sandbox.expires_at ? { expires_at: ctx.sandbox.expires_at } : {}),
            };
            writeJson((0,external_node_path_.join)(dir, `${backend_id}.json`), obj);
            await ctx.saveHandle({ backend_id });
            const delay = Number(ctx.config.provision_delay_ms ?? ctx.env.SANDBOXER_STUB_DELAY_MS ?? 0);
            if (delay > 0)
                await (0,sleep/* sleep */.y)(delay, ctx.signal);
            fault(ctx, 'provision');
            return { handle: { backend_id }, placement: { region: String(ctx.config.region ?? 'stub-local-1') } };
        },
        async waitReady(ctx, handle) {
            fault(ctx, 'ready');
            const id = String(handle.backend_id);
            const obj = readObject(ctx.env, id);
            if (!obj)
                throw new errors/* BackendError */.Jh(manifest.id, `object ${id} vanished before it was ready`, { retryable: true });
            writeJson((0,external_node_path_.join)(objectsDir(ctx.env), `${id}.json`), { ...obj, status: 'running' });
        },
        async teardown(ctx) {
            fault(ctx, 'teardown');
            const id = ctx.sandbox.handle.backend_id;
            if (typeof id !== 'string')
                return; // nothing was ever made
            (0,external_node_fs_.rmSync)((0,external_node_path_.join)(objectsDir(ctx.env), `${id}.json`), { force: true });
        },
        estimateCost: ({ resources, ttl_s }) => (0,pricing/* estimateFromPricing */.L4)(manifest.pricing, resources, ttl_s),
        meterActual: ({ sandbox, ended_at }) => (0,pricing/* meterFromPricing */.mw)(manifest.pricing, sandbox.resources, sandbox.ready_at ?? sandbox.created_at, ended_at),
        async list(ctx, filter) {
            const dir = objectsDir(ctx.env);
            if (!(0,external_node_fs_.existsSync)(dir))
                return [];
            const out = [];
            for (const f of (0,external_node_fs_.readdirSync)(dir)) {
                if (!f.endsWith('.json'))
                    continue;
                const obj = readObject(ctx.env, f.slice(0, -5));
                if (!obj)
                    continue;
                if (!(0,core_labels/* matchesLabels */.r1)(obj.labels, filter))
                    continue;
                out.push({
                    backend_id: obj.backend_id,
                    labels: obj.labels,
                    created_at: obj.created_at,
                    handle: { backend_id: obj.backend_id },
                    ...(obj.labels['io.sandboxer.sandbox-id']
                        ? { sandbox_id: obj.labels['io.sandboxer.sandbox-id'] }
                        : {}),
                });
            }
            return out;
        },
        async extendTtl(ctx, expiresAt) {
            const id = String(ctx.sandbox.handle.backend_id);
            const obj = readObject(ctx.env, id);
            if (!obj)
                throw new errors/* BackendError */.Jh(manifest.id, `object ${id} not found`, { retryable: false, status: 404 });
            writeJson((0,external_node_path_.join)(objectsDir(ctx.env), `${id}.json`), {
                ...obj,
                expires_at: expiresAt,
                labels: { ...obj.labels, 'io.sandboxer.expires-at': expiresAt },
            });
        },
        async snapshot(ctx, name) {
            const id = String(ctx.sandbox.handle.backend_id);
            const obj = readObject(ctx.env, id);
            if (!obj)
                throw new errors/* BackendError */.Jh(manifest.id, `object ${id} not found`, { retryable: false, status: 404 });
            const dir = snapshotsDir(ctx.env);
            (0,external_node_fs_.mkdirSync)(dir, { recursive: true });
            const snapshot_backend_id = `stubsnap-${(0,external_node_crypto_.randomBytes)(6).toString('hex')}`;
            writeJson((0,external_node_path_.join)(dir, `${snapshot_backend_id}.json`), {
                of: id,
                name: name ?? null,
                at: new Date().toISOString(),
            });
            return { handle: { snapshot_backend_id } };
        },
        async restore(ctx, snapshot) {
            const snapId = String(snapshot.handle.snapshot_backend_id);
            if (!(0,external_node_fs_.existsSync)((0,external_node_path_.join)(snapshotsDir(ctx.env), `${snapId}.json`))) {
                throw new errors/* BackendError */.Jh(manifest.id, `snapshot ${snapId} not found`, {
                    retryable: false,
                    status: 404,
                });
            }
            const result = await this.provision(ctx);
            return { ...result, handle: { ...result.handle, restored_from: snapId } };
        },
        async deleteSnapshot(ctx, snapshot) {
            (0,external_node_fs_.rmSync)((0,external_node_path_.join)(snapshotsDir(ctx.env), `${String(snapshot.handle.snapshot_backend_id)}.json`), {
                force: true,
            });
        },
    };
}

// EXTERNAL MODULE: ./src/extensions/compose-ssh/index.ts + 4 modules
var compose_ssh = __webpack_require__(17561);
// EXTERNAL MODULE: ./src/core/ids.ts
var ids = __webpack_require__(89921);
// EXTERNAL MODULE: ./src/extensions/ssh/connection.ts + 1 modules
var connection = __webpack_require__(49811);
// EXTERNAL MODULE: ./src/extensions/ssh/labels-files.ts
var labels_files = __webpack_require__(51130);
// EXTERNAL MODULE: ./src/extensions/ssh/quote.ts
var quote = __webpack_require__(54743);
// EXTERNAL MODULE: ./src/extensions/ssh/target.ts
var ssh_target = __webpack_require__(88058);
// EXTERNAL MODULE: ./src/extensions/ssh/upload.ts
var upload = __webpack_require__(3998);
;// CONCATENATED MODULE: ./src/extensions/vm-packer/index.ts











/**
 * ext.vm-packer in attach mode: an isolated workspace `<workspace_root>/<sandbox-id>/` on an existing build VM
 * (an alias from config.vm_aliases, or host[:port], e.g. a tunnel port), with an optional repo transfer.
 * Ownership labels live next to the workspaces in `<workspace_root>/.sandboxer/<sandbox-id>.json`. Teardown
 * removes only that workspace and its label file; the VM persists.
 */
const rootOf = (config, env) => String(env.SANDBOXER_VM_WORKSPACE_ROOT ?? config.workspace_root ?? '/build').replace(/\/+$/, '');
function paths(root, sandboxId) {
    if (!ids/* SANDBOX_ID_RE */.aY.test(sandboxId))
        throw new Error(`not a sandbox id: ${sandboxId}`);
    return { root, workspace: `${root}/${sandboxId}`, labels: `${root}/.sandboxer/${sandboxId}.json` };
}
function pathsFromHandle(h) {
    if (typeof h.workspace !== 'string' || typeof h.workspace_root !== 'string')
        return undefined;
    const id = h.workspace.slice(h.workspace.lastIndexOf('/') + 1);
    return ids/* SANDBOX_ID_RE */.aY.test(id) ? paths(h.workspace_root, id) : undefined;
}
function vmSpec(ctx) {
    const vm = ctx.sandbox.inputs.vm;
    if (!vm)
        return undefined;
    const aliases = (ctx.config.vm_aliases ?? {});
    return typeof aliases[vm] === 'string' ? aliases[vm] : vm;
}
const readyCheckOf = (config, env) => env.SANDBOXER_VM_READY_CHECK ?? (typeof config.ready_check === 'string' ? config.ready_check : undefined);
function vmPacker(manifest) {
    const missingHost = () => new errors/* BackendError */.Jh(manifest.id, 'no VM recorded for this sandbox', { retryable: false });
    async function begin(ctx, s, p) {
        await ctx.saveHandle({ ssh_host_key_sha256: s.hostKeySha256, connected: true });
        // Labels first: a workspace never exists without the file that lets `list` find it for reaping.
        await s.run((0,quote.sh) `mkdir -p -- ${`${p.root}/.sandboxer`} && umask 077 && cat > ${p.labels}`, {
            stdin: JSON.stringify(ctx.labels),
            what: 'writing labels',
        });
        await s.run((0,quote.sh) `mkdir -p -- ${p.workspace}`, { what: 'creating the workspace' });
    }
    async function start(ctx, explicit) {
        const target = (0,ssh_target/* resolveTarget */.u1)({
            placement: ctx.profile.placement,
            config: ctx.config,
            env: ctx.env,
            explicit,
        });
        const p = paths(rootOf(ctx.config, ctx.env), ctx.sandbox.id);
        await ctx.saveHandle({ ...(0,ssh_target/* targetHandle */.Es)(target), workspace: p.workspace, workspace_root: p.root });
        return { target, p };
    }
    const ext = {
        id: manifest.id,
        async provision(ctx) {
            const { target, p } = await start(ctx, vmSpec(ctx));
            const repo = ctx.sandbox.inputs.repo;
            await (0,connection/* inSession */.Cp)(ctx, target, async (s) => {
                await begin(ctx, s, p);
                if (repo) {
                    const excludes = Array.isArray(ctx.config.exclude) ? ctx.config.exclude.map(String) : [];
                    await s.run((0,quote.sh) `tar -xf - -C ${p.workspace}`, {
                        stdin: await (0,upload/* tarStream */.eu)(repo, (0,upload/* repoExcludePatterns */.O5)(repo, excludes)),
                        what: 'repo transfer',
                    });
                }
            });
            return { handle: {}, placement: { host: target.host, workspace: p.workspace } };
        },
        async waitReady(ctx, handle) {
            const target = (0,ssh_target/* targetFromHandle */.Mo)(handle);
            const p = pathsFromHandle(handle);
            if (!target || !p)
                throw missingHost();
            const check = readyCheckOf(ctx.config, ctx.env);
            await (0,connection/* inSession */.Cp)(ctx, target, async (s) => {
                const cmd = check
                    ? (0,quote.sh) `test -d ${p.workspace} && cd ${p.workspace} && sh -c ${check}`
                    : (0,quote.sh) `test -d ${p.workspace}`;
                for (let delay = 200;; delay = Math.min(delay * 2, 2000)) {
                    if ((await s.exec(cmd)).code === 0)
                        return;
                    if (!check)
                        throw new errors/* BackendError */.Jh(manifest.id, `workspace ${p.workspace} is missing`, { retryable: false });
                    await (0,sleep/* sleep */.y)(delay, ctx.signal);
                }
            });
        },
        async teardown(ctx) {
            const target = (0,ssh_target/* targetFromHandle */.Mo)(ctx.sandbox.handle);
            const p = pathsFromHandle(ctx.sandbox.handle);
            // Nothing was ever made: provisioning never got a connection to the VM.
            if (!target || !p || ctx.sandbox.handle.connected !== true)
                return;
            await (0,connection/* inSession */.Cp)(ctx, target, (s) => s.run((0,quote.sh) `rm -rf -- ${p.workspace} ${p.labels}`, { what: 'removing the workspace', retryable: true }));
        },
        estimateCost: ({ resources, ttl_s }) => (0,pricing/* estimateFromPricing */.L4)(manifest.pricing, resources, ttl_s),
        meterActual: ({ sandbox, ended_at }) => (0,pricing/* meterFromPricing */.mw)(manifest.pricing, sandbox.resources, sandbox.ready_at ?? sandbox.created_at, ended_at),
        async list(ctx, filter) {
            const target = (0,ssh_target/* resolveTarget */.u1)({ placement: ctx.placement, config: ctx.config, env: ctx.env });
            const root = rootOf(ctx.config, ctx.env);
            const out = [];
            await (0,connection/* inSession */.Cp)(ctx, target, async (s) => {
                const text = await s.run((0,labels_files/* catLabelFiles */._)(`${root}/.sandboxer`, 'sbx-*.json'), {
                    what: 'listing workspaces',
                });
                for (const { id, labels } of (0,labels_files/* parseLabelFiles */.t)(text)) {
                    const p = paths(root, id);
                    out.push({
                        backend_id: p.workspace,
                        sandbox_id: id,
                        labels,
                        handle: {
                            ...(0,ssh_target/* targetHandle */.Es)(target),
                            workspace: p.workspace,
                            workspace_root: root,
                            connected: true,
                        },
                    });
                }
            });
            return out.filter((o) => (0,core_labels/* matchesLabels */.r1)(o.labels, filter));
        },
        async snapshot(ctx, name) {
            const target = (0,ssh_target/* targetFromHandle */.Mo)(ctx.sandbox.handle);
            const p = pathsFromHandle(ctx.sandbox.handle);
            if (!target || !p)
                throw missingHost();
            const snapId = `snap-${(0,external_node_crypto_.randomBytes)(6).toString('hex')}`;
            const file = `${p.root}/.sandboxer/snapshots/${snapId}.tar`;
            await (0,connection/* inSession */.Cp)(ctx, target, (s) => s.run((0,quote.sh) `mkdir -p -- ${`${p.root}/.sandboxer/snapshots`} && tar -cf ${file} -C ${p.workspace} .`, {
                what: `snapshot${name ? ` ${name}` : ''}`,
            }));
            return { handle: { ...(0,ssh_target/* targetHandle */.Es)(target), snapshot_backend_id: snapId, snapshot_file: file } };
        },
        async restore(ctx, snapshot) {
            const file = snapshot.handle.snapshot_file;
            const snapTarget = (0,ssh_target/* targetFromHandle */.Mo)(snapshot.handle);
            if (!snapTarget || typeof file !== 'string')
                throw missingHost();
            const { target, p } = await start(ctx, `${snapTarget.user}@${snapTarget.host}:${snapTarget.port}`);
            await (0,connection/* inSession */.Cp)(ctx, target, async (s) => {
                if ((await s.exec((0,quote.sh) `test -f ${file}`)).code !== 0) {
                    throw new errors/* BackendError */.Jh(manifest.id, `snapshot ${snapshot.id} is gone from ${target.host}`, {
                        retryable: false,
                        status: 404,
                    });
                }
                await begin(ctx, s, p);
                if (ctx.signal.aborted)
                    throw new errors/* CancelledError */.cc();
                await s.run((0,quote.sh) `tar -xf ${file} -C ${p.workspace}`, { what: 'restoring the workspace' });
            });
            return {
                handle: { restored_from: String(snapshot.handle.snapshot_backend_id) },
                placement: { host: target.host, workspace: p.workspace },
            };
        },
        async deleteSnapshot(ctx, snapshot) {
            const target = (0,ssh_target/* targetFromHandle */.Mo)(snapshot.handle);
            const file = snapshot.handle.snapshot_file;
            if (!target ||
                typeof file !== 'string' ||
                !/\/\.sandboxer\/snapshots\/snap-[a-f0-9]{12}\.tar$/.test(file))
                return;
            await (0,connection/* inSession */.Cp)(ctx, target, (s) => s.run((0,quote.sh) `rm -f -- ${file}`, { what: 'deleting the snapshot' }));
        },
    };
    return ext;
}

;// CONCATENATED MODULE: ./src/extensions/cloud-common.ts


/** Helpers shared by the metered cloud adapters (ext.e2b, ext.modal). */
const NETWORK_CODES = new Set([
    'ECONNREFUSED',
    'ECONNRESET',
    'ENOTFOUND',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'EPIPE',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
]);
/** The errno-like code of a network failure anywhere in the cause chain (fetch wraps it in a TypeError). */
function networkCode(err) {
    for (let e = err, depth = 0; e && depth < 5; depth++) {
        const code = e.code;
        if (typeof code === 'string' && NETWORK_CODES.has(code))
            return code;
        e = e.cause;
    }
    return undefined;
}
/** Remove secret values from a provider message before it reaches a user, a log or the state store. */
function redact(message, secrets) {
    let out = message;
    for (const s of secrets)
        if (s && s.length >= 4)
            out = out.split(s).join('***');
    return out;
}
/** Race a call that takes no AbortSignal against one; the call itself keeps running but we stop waiting. */
function abortable(promise, signal) {
    if (signal.aborted) {
        promise.catch(() => undefined);
        return Promise.reject(new errors/* CancelledError */.cc());
    }
    return new Promise((resolve, reject) => {
        const onAbort = () => reject(new errors/* CancelledError */.cc());
        signal.addEventListener('abort', onAbort, { once: true });
        promise.then((v) => {
            signal.removeEventListener('abort', onAbort);
            resolve(v);
        }, (e) => {
            signal.removeEventListener('abort', onAbort);
            reject(e instanceof Error ? e : new Error(String(e)));
        });
    });
}
/**
 * The provider-side timeout for a sandbox, in whole seconds (rounded down, so the provider never keeps it past the
 * recorded expiry): what is left of its TTL, or `config.default_timeout_s`
 * when it has none. Beyond the provider's maximum (`config.max_timeout_s`) the create is refused rather than
 * silently shortened, so the recorded expiry stays true.
 */
function providerTimeoutSeconds(extId, sandbox, config, now = Date.now()) {
    const max = Number(config.max_timeout_s ?? 86_400);
    const seconds = sandbox.expires_at
        ? Math.floor((Date.parse(sandbox.expires_at) - now) / 1000)
        : Number(config.default_timeout_s ?? 3600);
    if (seconds <= 0) {
        throw new errors/* BackendError */.Jh(extId, `the sandbox's TTL has already run out (expired at ${sandbox.expires_at})`, {
            retryable: false,
            hint: 'create it again with a longer --ttl',
        });
    }
    if (seconds > max) {
        throw new errors/* BackendError */.Jh(extId, `a lifetime of ${seconds}s exceeds this backend's maximum of ${max}s`, {
            retryable: false,
            hint: `use --ttl ${Math.floor(max / 60)}m or less, or raise config.max_timeout_s if your plan allows longer sessions`,
        });
    }
    return seconds;
}
/** String-valued entries of `config.env` (the environment variables a profile asks for inside the sandbox). */
function configEnv(config) {
    const env = config.env;
    if (!env || typeof env !== 'object')
        return {};
    const out = {};
    for (const [k, v] of Object.entries(env)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
            out[k] = String(v);
    }
    return out;
}
/**
 * The actual meter of a cloud sandbox: per-second pricing over the provider's own start time (recorded in the
 * handle as `started_at`) to the end, on the resources the provider really allocated when it reported them.
 */
function cloudMeter(manifest, sandbox, ended_at) {
    const h = sandbox.handle;
    const resources = {
        ...sandbox.resources,
        ...(typeof h.cpu_count === 'number' ? { cpu: h.cpu_count } : {}),
        ...(typeof h.memory_mb === 'number' ? { memory_mib: h.memory_mb } : {}),
    };
    const started = typeof h.started_at === 'string' ? h.started_at : (sandbox.ready_at ?? sandbox.created_at);
    return (0,pricing/* meterFromPricing */.mw)(manifest.pricing, resources, started, ended_at);
}
/**
 * The common start of mapping an SDK error: our own errors pass through, a cancelled caller wins over whatever
 * the SDK made of the abort, and the message is prefixed with the operation and scrubbed of secret values.
 */
function sdkFailure(extId, op, err, opts) {
    if (err instanceof errors/* SandboxerError */.j8)
        return err;
    if (opts.signal?.aborted)
        return new errors/* CancelledError */.cc(`${extId}: ${op} cancelled`);
    const e = err instanceof Error ? err : new Error(String(err));
    return { e, message: `${op} failed: ${redact(e.message, opts.secrets ?? [])}` };
}

;// CONCATENATED MODULE: ./src/extensions/e2b/errors.ts


/**
 * Map whatever the e2b SDK threw into a SandboxerError: 429, 5xx, capacity and network failures are retryable
 * (routing may fall back, the caller may retry); authentication, unknown templates and bad input are not.
 */
function mapE2bError(extId, op, err, opts = {}) {
    const started = sdkFailure(extId, op, err, opts);
    if (started instanceof errors/* SandboxerError */.j8)
        return started;
    const { e, message } = started;
    const statusCode = e.statusCode;
    // envd errors carry the status only in the message ("503: …").
    const fromMessage = e.name === 'SandboxError' ? /^(\d{3}): /.exec(e.message)?.[1] : undefined;
    const status = typeof statusCode === 'number' ? statusCode : fromMessage ? Number(fromMessage) : undefined;
    const fail = (retryable, s, hint) => new errors/* BackendError */.Jh(extId, message, {
        retryable,
        ...(s !== undefined ? { status: s } : {}),
        ...(hint ? { hint } : {}),
    });
    switch (e.name) {
        case 'AuthenticationError':
            return fail(false, 401, 'check the E2B API key (secret_ref env:E2B_API_KEY) and the API URL (E2B_API_URL)');
        case 'RateLimitError':
            return fail(true, 429, 'E2B rate-limited the request; retry later or lower concurrency');
        case 'ServiceBusyError':
            return fail(true, 503, 'E2B has no capacity right now; retry, or route to another backend');
        case 'TemplateError':
            return fail(false, status, 'rebuild the E2B template with a current envd, or choose another config.template');
        case 'SandboxNotFoundError':
        case 'NotFoundError':
            return fail(false, 404);
        case 'TimeoutError':
        case 'AbortError':
            return fail(true, status, 'the E2B API did not answer in time; retry');
        case 'InvalidArgumentError':
            return fail(false, undefined);
    }
    if (status !== undefined) {
        if (status === 429 || status >= 500)
            return fail(true, status);
        if (status === 404 && op === 'create')
            return fail(false, status, "the template does not exist: check the profile's config.template");
        return fail(false, status);
    }
    const net = networkCode(e);
    if (net)
        return fail(true, undefined, `cannot reach the E2B API (${net}); check the network and E2B_API_URL`);
    return fail(false, undefined);
}

;// CONCATENATED MODULE: ./src/extensions/e2b/index.ts






/**
 * ext.e2b: metered cloud sandboxes on E2B through the official `e2b` SDK (loaded lazily, so the CLI starts fast).
 *
 * - provision: `Sandbox.create(template)` with the remaining TTL as the E2B timeout, `config.env` as envs and the
 *   ownership labels as metadata; the sandbox id is saved as soon as E2B returns it.
 * - waitReady: connect, then poll envd's health until the sandbox answers; the real allocation (vCPU, MiB) and
 *   E2B's start time go into the handle for metering.
 * - teardown: kill (404 = already gone = success); without a saved id, kill whatever carries our sandbox id.
 * - extend TTL: set-timeout. Snapshot: the snapshots API (the snapshot outlives the sandbox); restore: create from
 *   the snapshot id. List: the metadata filter over every page.
 *
 * Connection: `config.api_url` or `E2B_API_URL` (else the SDK's default from `E2B_DOMAIN`), `E2B_SANDBOX_URL` for
 * envd. The API key arrives as the `api_key` secret and goes nowhere but the SDK's header.
 */
const importSdk = () => __webpack_require__.e(/* import() */ 980).then(__webpack_require__.t.bind(__webpack_require__, 72980, 23));
let sdk;
const loadSdk = () => (sdk ??= importSdk());
function e2b_connection(ctx) {
    const apiKey = ctx.secrets.get('api_key');
    if (!apiKey) {
        throw new errors/* SandboxerError */.j8('credentials', `${ctx.manifest.id}: no E2B API key was resolved`, {
            hint: 'set E2B_API_KEY (the secret_ref of the api_key credential in extensions/ext.e2b.yaml)',
        });
    }
    const str = (v) => (typeof v === 'string' && v !== '' ? v : undefined);
    const apiUrl = str(ctx.config.api_url) ?? str(ctx.env.E2B_API_URL);
    const domain = str(ctx.config.domain) ?? str(ctx.env.E2B_DOMAIN);
    const sandboxUrl = str(ctx.config.sandbox_url) ?? str(ctx.env.E2B_SANDBOX_URL);
    return {
        apiKey,
        ...(apiUrl ? { apiUrl } : {}),
        ...(domain ? { domain } : {}),
        ...(sandboxUrl ? { sandboxUrl } : {}),
        // E2B_DEBUG makes the SDK skip the API entirely; never let the environment turn that on.
        debug: false,
        requestTimeoutMs: Number(ctx.config.request_timeout_ms ?? 30_000),
        signal: ctx.signal,
    };
}
function e2b(manifest) {
    const id = manifest.id;
    async function call(ctx, op, fn) {
        const conn = e2b_connection(ctx);
        try {
            return await fn(conn, await loadSdk());
        }
        catch (err) {
            throw mapE2bError(id, op, err, { signal: ctx.signal, secrets: [conn.apiKey] });
        }
    }
    async function kill(ctx, sandboxId) {
        // false = 404: already gone, which is what teardown wants.
        await call(ctx, 'kill', (conn, { Sandbox }) => Sandbox.kill(sandboxId, conn));
    }
    async function listObjects(ctx, filter) {
        return call(ctx, 'list', async (conn, { Sandbox }) => {
            const pager = Sandbox.list({
                ...conn,
                query: { metadata: { [core_labels/* LABEL */.d_.managed]: 'true', ...filter }, state: ['running', 'paused'] },
                limit: Number(ctx.config.list_page_size ?? 100),
            });
            const out = [];
            while (pager.hasNext) {
                for (const sb of await pager.nextItems()) {
                    const sandboxId = sb.metadata[core_labels/* LABEL */.d_.sandboxId];
                    out.push({
                        backend_id: sb.sandboxId,
                        labels: sb.metadata,
                        created_at: sb.startedAt.toISOString(),
                        handle: { backend_id: sb.sandboxId, state: sb.state },
                        ...(sandboxId ? { sandbox_id: sandboxId } : {}),
                    });
                }
            }
            return out;
        });
    }
    async function create(ctx, template, extra = {}) {
        const timeout_s = providerTimeoutSeconds(id, ctx.sandbox, ctx.config);
        const sandboxId = await call(ctx, 'create', async (conn, { Sandbox }) => {
            const sb = await Sandbox.create(template, {
                ...conn,
                timeoutMs: timeout_s * 1000,
                metadata: ctx.labels,
                envs: configEnv(ctx.config),
            });
            return sb.sandboxId;
        });
        const handle = {
            backend_id: sandboxId,
            template,
            started_at: new Date().toISOString(),
            ...extra,
        };
        await ctx.saveHandle(handle);
        return { handle, placement: { provider: 'e2b', template } };
    }
    return {
        id,
        provision: (ctx) => create(ctx, String(ctx.config.template ?? 'base')),
        async waitReady(ctx, handle) {
            const sandboxId = String(handle.backend_id);
            const timeout_s = providerTimeoutSeconds(id, ctx.sandbox, ctx.config);
            const sb = await call(ctx, 'connect', (conn, { Sandbox }) => Sandbox.connect(sandboxId, { ...conn, timeoutMs: timeout_s * 1000 }));
            // envd answers 502 until the sandbox is up; a transient failure of the probe itself is also "not yet".
            // The manager bounds the whole wait (ready_timeout_s) through ctx.signal.
            for (let delay = 200;; delay = Math.min(delay * 2, 2000)) {
                const healthy = await call(ctx, 'health', (conn) => sb.isRunning({ requestTimeoutMs: 5000, signal: conn.signal })).catch((err) => {
                    if (err instanceof errors/* SandboxerError */.j8 && err.retryable && !ctx.signal.aborted)
                        return false;
                    throw err;
                });
                if (healthy)
                    break;
                await (0,sleep/* sleep */.y)(delay, ctx.signal);
            }
            const info = await call(ctx, 'get', (conn, { Sandbox }) => Sandbox.getInfo(sandboxId, conn));
            await ctx.saveHandle({
                cpu_count: info.cpuCount,
                memory_mb: info.memoryMB,
                started_at: info.startedAt.toISOString(),
            });
        },
        async teardown(ctx) {
            const sandboxId = ctx.sandbox.handle.backend_id;
            if (typeof sandboxId === 'string')
                return kill(ctx, sandboxId);
            // No id was saved (create was cut short): find anything E2B made for this sandbox by its label.
            for (const obj of await listObjects(ctx, { [core_labels/* LABEL */.d_.sandboxId]: ctx.sandbox.id })) {
                await kill(ctx, obj.backend_id);
            }
        },
        estimateCost: ({ resources, ttl_s }) => (0,pricing/* estimateFromPricing */.L4)(manifest.pricing, resources, ttl_s),
        meterActual: ({ sandbox, ended_at }) => cloudMeter(manifest, sandbox, ended_at),
        list: listObjects,
        async extendTtl(ctx, _expiresAt, ttlFromNow_s) {
            const sandboxId = String(ctx.sandbox.handle.backend_id);
            const max = Number(ctx.config.max_timeout_s ?? 86_400);
            if (ttlFromNow_s > max) {
                throw new errors/* BackendError */.Jh(id, `E2B cannot keep a sandbox for another ${ttlFromNow_s}s (maximum ${max}s)`, {
                    retryable: false,
                    hint: 'extend by less, or raise config.max_timeout_s if your E2B plan allows longer sessions',
                });
            }
            await call(ctx, 'set-timeout', (conn, { Sandbox }) => Sandbox.setTimeout(sandboxId, ttlFromNow_s * 1000, conn));
        },
        async snapshot(ctx) {
            const sandboxId = String(ctx.sandbox.handle.backend_id);
            // Our snapshot name stays in our record: E2B names are team-wide and would collide on reuse.
            const snap = await call(ctx, 'snapshot', (conn, { Sandbox }) => Sandbox.createSnapshot(sandboxId, conn));
            return { handle: { snapshot_backend_id: snap.snapshotId, of: sandboxId } };
        },
        restore: (ctx, snapshot) => {
            const snapId = String(snapshot.handle.snapshot_backend_id);
            return create(ctx, snapId, { restored_from: snapId });
        },
        async deleteSnapshot(ctx, snapshot) {
            const snapId = String(snapshot.handle.snapshot_backend_id);
            await call(ctx, 'delete-snapshot', (conn, { Sandbox }) => Sandbox.deleteSnapshot(snapId, conn));
        },
    };
}

;// CONCATENATED MODULE: ./src/extensions/modal/api.ts
/** The official SDK, imported on first use. It reads the control-plane URL from MODAL_SERVER_URL itself. */
const realModalApi = async (creds) => {
    const { ModalClient } = await __webpack_require__.e(/* import() */ 442).then(__webpack_require__.bind(__webpack_require__, 34442));
    const client = new ModalClient({
        tokenId: creds.tokenId,
        tokenSecret: creds.tokenSecret,
        ...(creds.environment ? { environment: creds.environment } : {}),
    });
    return client;
};

;// CONCATENATED MODULE: ./src/extensions/modal/errors.ts


/** gRPC status codes (as nice-grpc's ClientError carries them in `code`). */
const GrpcStatus = {
    CANCELLED: 1,
    UNKNOWN: 2,
    INVALID_ARGUMENT: 3,
    DEADLINE_EXCEEDED: 4,
    NOT_FOUND: 5,
    ALREADY_EXISTS: 6,
    PERMISSION_DENIED: 7,
    RESOURCE_EXHAUSTED: 8,
    FAILED_PRECONDITION: 9,
    ABORTED: 10,
    INTERNAL: 13,
    UNAVAILABLE: 14,
    UNAUTHENTICATED: 16,
};
const RETRYABLE_GRPC = new Set([
    GrpcStatus.CANCELLED,
    GrpcStatus.UNKNOWN,
    GrpcStatus.DEADLINE_EXCEEDED,
    GrpcStatus.RESOURCE_EXHAUSTED,
    GrpcStatus.ABORTED,
    GrpcStatus.INTERNAL,
    GrpcStatus.UNAVAILABLE,
]);
/** True when Modal says the object does not exist (a terminated sandbox, a deleted image). */
function isModalNotFound(err) {
    if (!(err instanceof Error))
        return false;
    return err.name === 'NotFoundError' || err.code === GrpcStatus.NOT_FOUND;
}
/**
 * Map what the modal SDK threw into a SandboxerError: capacity (ResourceExhausted), transient gRPC statuses,
 * timeouts and network failures are retryable; authentication, bad images and bad input are not.
 */
function mapModalError(extId, op, err, opts = {}) {
    const started = sdkFailure(extId, op, err, opts);
    if (started instanceof errors/* SandboxerError */.j8)
        return started;
    const { e, message } = started;
    const fail = (retryable, hint) => new errors/* BackendError */.Jh(extId, message, { retryable, ...(hint ? { hint } : {}) });
    switch (e.name) {
        case 'ResourceExhaustedError':
            return fail(true, 'Modal has no capacity for this request right now; retry, or route to another backend');
        case 'TimeoutError':
        case 'InternalFailure':
        case 'SandboxTimeoutError':
            return fail(true);
        case 'NotFoundError':
            return fail(false);
        case 'InvalidError':
            return fail(false, "Modal rejected the request: check the profile's config.image, gpu and resources");
        case 'AlreadyExistsError':
        case 'ConflictError':
            return fail(false);
    }
    const code = e.code;
    if (typeof code === 'number') {
        if (code === GrpcStatus.UNAUTHENTICATED || code === GrpcStatus.PERMISSION_DENIED) {
            return fail(false, 'check MODAL_TOKEN_ID / MODAL_TOKEN_SECRET (the token_id and token_secret credentials)');
        }
        return fail(RETRYABLE_GRPC.has(code));
    }
    const net = networkCode(e);
    if (net)
        return fail(true, `cannot reach Modal (${net}); check the network and MODAL_SERVER_URL`);
    return fail(false);
}

;// CONCATENATED MODULE: ./src/extensions/modal/index.ts






/**
 * ext.modal: metered cloud sandboxes on Modal through the official `modal` SDK (^0.11), behind the narrow
 * `ModalApi` edge so tests can run the adapter against an in-memory Modal.
 *
 * - provision: `sandboxes.create` in the app `config.app` (created if missing) from `config.image` (a registry
 *   ref), with the profile's resources (vCPU → physical cores: Modal counts 1 core = 2 vCPU), GPU, `config.env`,
 *   the remaining TTL as Modal's timeout and the ownership labels as tags.
 * - waitReady: the sandbox is running (poll() = null); an exit before ready is a failure.
 * - teardown: terminate (not found = already gone = success); without a saved id, terminate whatever carries
 *   our sandbox id tag.
 * - extend TTL: not possible on Modal (the timeout is fixed at create): a clear `unsupported` error.
 * - snapshot: snapshotFilesystem (an Image); restore: create from that image.
 */
function modalExtension(deps = {}) {
    const factory = deps.api ?? realModalApi;
    return (manifest) => {
        const id = manifest.id;
        async function withApi(ctx, op, fn) {
            const tokenId = ctx.secrets.get('token_id');
            const tokenSecret = ctx.secrets.get('token_secret');
            if (!tokenId || !tokenSecret) {
                throw new errors/* SandboxerError */.j8('credentials', `${id}: no Modal token was resolved`, {
                    hint: 'set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET (the token_id / token_secret credentials of ext.modal)',
                });
            }
            const environment = typeof ctx.config.environment === 'string' ? ctx.config.environment : undefined;
            let api;
            try {
                api = await factory({ tokenId, tokenSecret, ...(environment ? { environment } : {}) });
                // Modal's calls take no AbortSignal: stop waiting on cancellation; teardown deals with what was made.
                return await abortable(fn(api), ctx.signal);
            }
            catch (err) {
                throw mapModalError(id, op, err, { signal: ctx.signal, secrets: [tokenId, tokenSecret] });
            }
            finally {
                api?.close();
            }
        }
        async function terminate(api, sandboxId) {
            try {
                const sb = await api.sandboxes.fromId(sandboxId);
                await sb.terminate();
            }
            catch (err) {
                if (!isModalNotFound(err))
                    throw err;
            }
        }
        async function listObjects(ctx, filter) {
            return withApi(ctx, 'list', async (api) => {
                const out = [];
                for await (const sb of api.sandboxes.list({ tags: { [core_labels/* LABEL */.d_.managed]: 'true', ...filter } })) {
                    const labels = await sb.getTags();
                    const sandboxId = labels[core_labels/* LABEL */.d_.sandboxId];
                    out.push({
                        backend_id: sb.sandboxId,
                        labels,
                        handle: { backend_id: sb.sandboxId },
                        ...(sandboxId ? { sandbox_id: sandboxId } : {}),
                    });
                }
                return out;
            });
        }
        async function create(ctx, image, extra) {
            const timeout_s = providerTimeoutSeconds(id, ctx.sandbox, ctx.config);
            const appName = String(ctx.config.app ?? 'sandboxer');
            const params = {
                ...modalResources(ctx.profile.resources),
                timeoutMs: timeout_s * 1000,
                env: configEnv(ctx.config),
                tags: ctx.labels,
                ...(Array.isArray(ctx.config.regions) ? { regions: ctx.config.regions.map(String) } : {}),
            };
            const sandboxId = await withApi(ctx, 'create', async (api) => {
                const app = await api.apps.fromName(appName, { createIfMissing: true });
                const sb = await api.sandboxes.create(app, await image(api), params);
                return sb.sandboxId;
            });
            const handle = {
                backend_id: sandboxId,
                app: appName,
                started_at: new Date().toISOString(),
                ...extra,
            };
            await ctx.saveHandle(handle);
            return { handle, placement: { provider: 'modal', app: appName } };
        }
        return {
            id,
            provision: (ctx) => {
                const ref = String(ctx.config.image ?? 'python:3.12-slim');
                return create(ctx, async (api) => api.images.fromRegistry(ref), { image: ref });
            },
            async waitReady(ctx, handle) {
                const sandboxId = String(handle.backend_id);
                const exit = await withApi(ctx, 'wait-ready', async (api) => (await api.sandboxes.fromId(sandboxId)).poll());
                if (exit !== null) {
                    throw new errors/* BackendError */.Jh(id, `sandbox ${sandboxId} exited (code ${exit}) before it was ready`, {
                        retryable: false,
                        hint: "check that config.image keeps running (Modal runs the image's default command)",
                    });
                }
            },
            async teardown(ctx) {
                const sandboxId = ctx.sandbox.handle.backend_id;
                if (typeof sandboxId === 'string') {
                    return withApi(ctx, 'terminate', (api) => terminate(api, sandboxId));
                }
                // No id was saved (create was cut short): find what Modal made for this sandbox by its tag.
                const leftovers = await listObjects(ctx, { [core_labels/* LABEL */.d_.sandboxId]: ctx.sandbox.id });
                if (leftovers.length === 0)
                    return;
                await withApi(ctx, 'terminate', async (api) => {
                    for (const o of leftovers)
                        await terminate(api, o.backend_id);
                });
            },
            estimateCost: ({ resources, ttl_s }) => (0,pricing/* estimateFromPricing */.L4)(manifest.pricing, resources, ttl_s),
            meterActual: ({ sandbox, ended_at }) => cloudMeter(manifest, sandbox, ended_at),
            list: listObjects,
            async extendTtl() {
                throw new errors/* SandboxerError */.j8('unsupported', `${id}: extending a running sandbox's TTL is not supported by this backend (Modal fixes the timeout when the sandbox is created)`, {
                    hint: 'create the sandbox with a longer --ttl, or snapshot it and restore the snapshot with a new --ttl',
                });
            },
            async snapshot(ctx) {
                const sandboxId = String(ctx.sandbox.handle.backend_id);
                const imageId = await withApi(ctx, 'snapshot', async (api) => {
                    const sb = await api.sandboxes.fromId(sandboxId);
                    return (await sb.snapshotFilesystem()).imageId;
                });
                return { handle: { snapshot_backend_id: imageId, of: sandboxId } };
            },
            restore: (ctx, snapshot) => {
                const imageId = String(snapshot.handle.snapshot_backend_id);
                return create(ctx, (api) => api.images.fromId(imageId), { image: imageId, restored_from: imageId });
            },
            async deleteSnapshot(ctx, snapshot) {
                const imageId = String(snapshot.handle.snapshot_backend_id);
                await withApi(ctx, 'delete-snapshot', async (api) => {
                    try {
                        await api.images.delete(imageId);
                    }
                    catch (err) {
                        if (!isModalNotFound(err))
                            throw err;
                    }
                });
            },
        };
    };
}
/** Profile resources (vCPU, MiB, GPU type × count) in Modal's terms (physical cores, MiB, "T4:2"). */
function modalResources(r) {
    const gpu = r.gpu && r.gpu_count > 0 ? (r.gpu_count > 1 ? `${r.gpu}:${r.gpu_count}` : r.gpu) : undefined;
    return { cpu: r.cpu / 2, memoryMiB: r.memory_mib, ...(gpu ? { gpu } : {}) };
}
const modal = modalExtension();

;// CONCATENATED MODULE: ./src/extensions/registry.ts






/** Maps ext.* ids to implementations. Adapters register here; tests may register fakes on their own instance. */
class ExtensionRegistry {
    factories = new Map();
    instances = new Map();
    register(id, factory) {
        this.factories.set(id, factory);
        this.instances.delete(id);
        return this;
    }
    has(id) {
        return this.factories.has(id);
    }
    ids() {
        return [...this.factories.keys()].sort();
    }
    get(manifest) {
        const cached = this.instances.get(manifest.id);
        if (cached)
            return cached;
        const factory = this.factories.get(manifest.id);
        if (!factory) {
            throw new errors/* SandboxerError */.j8('not_found', `no implementation registered for extension '${manifest.id}'`, {
                hint: `implemented: ${this.ids().join(', ')}`,
            });
        }
        const ext = factory(manifest);
        this.instances.set(manifest.id, ext);
        return ext;
    }
}
function defaultRegistry() {
    return new ExtensionRegistry()
        .register('ext.saas-stub', saasStub)
        .register('ext.e2b', e2b)
        .register('ext.modal', modal)
        .register('ext.compose-ssh', compose_ssh/* composeSsh */.z)
        .register('ext.vm-packer', vmPacker);
}

;// CONCATENATED MODULE: ./src/events/state-hub.ts

const LIFECYCLE_EVENT_TYPE = 'io.sandboxer.sandbox.lifecycle.v1';
const METER_EVENT_TYPE = 'io.sandboxer.sandbox.meter.v1';
const REAP_EVENT_TYPE = 'io.sandboxer.reaper.action.v1';
/** State Hub is off unless SANDBOXER_STATE_HUB_URL is set; a malformed URL disables it with a warning. */
function stateHubConfig(env) {
    const url = env.SANDBOXER_STATE_HUB_URL?.trim();
    if (!url)
        return undefined;
    const timeout = Number(env.SANDBOXER_STATE_HUB_TIMEOUT_MS ?? 2000);
    return {
        url,
        ...(env.SANDBOXER_STATE_HUB_TOKEN ? { token: env.SANDBOXER_STATE_HUB_TOKEN } : {}),
        timeout_ms: Number.isFinite(timeout) && timeout > 0 ? Math.min(timeout, 10_000) : 2000,
        cooldown_ms: 30_000,
    };
}
function owner(record) {
    return {
        scope: record.owner.scope,
        ...(record.owner.repository ? { repository: record.owner.repository } : {}),
        ...(record.owner.run_id ? { run_id: record.owner.run_id } : {}),
    };
}
/** A lifecycle event; `extension_id` is the discriminator consumers route on. Only non-secret record facts. */
function lifecycleEvent(record, from, to) {
    const last = record.history.at(-1);
    return {
        specversion: '1.0',
        id: `${record.id}-r${record.revision}`,
        source: 'sandboxer',
        type: LIFECYCLE_EVENT_TYPE,
        subject: record.id,
        time: last?.to === to ? last.at : new Date().toISOString(),
        datacontenttype: 'application/json',
        data: {
            sandbox_id: record.id,
            extension_id: record.extension_id,
            profile_id: record.profile_id,
            from,
            to,
            ...(last?.to === to && last.reason ? { reason: last.reason } : {}),
            ...(record.expires_at ? { expires_at: record.expires_at } : {}),
            ...(record.estimate_usd ? { estimate_usd: record.estimate_usd } : {}),
            ...(record.error ? { error_code: record.error.code } : {}),
            owner: owner(record),
        },
    };
}
function meterEvent(record) {
    if (!record.meter)
        return undefined;
    return {
        specversion: '1.0',
        id: `meter-${record.id}`,
        source: 'sandboxer',
        type: METER_EVENT_TYPE,
        subject: record.id,
        time: record.meter.ended_at,
        datacontenttype: 'application/json',
        data: {
            sandbox_id: record.id,
            extension_id: record.extension_id,
            profile_id: record.profile_id,
            ...record.meter,
            owner: owner(record),
        },
    };
}
/** An applied reaper action (record closed, orphan torn down, or a failure to), keyed by object and time. */
function reapEvent(action) {
    const subject = action.sandbox_id ?? action.backend_id ?? 'unknown';
    return {
        specversion: '1.0',
        id: `reap-${subject}-${action.at}`,
        source: 'sandboxer',
        type: REAP_EVENT_TYPE,
        subject,
        time: action.at,
        datacontenttype: 'application/json',
        data: action,
    };
}
/**
 * Best-effort State Hub emitter: each event is one POST bounded by a short timeout; a failure is logged once
 * and opens a cooldown during which events are dropped. It never throws, so it can never fail the lifecycle.
 */
class StateHubHooks {
    cfg;
    log;
    name = 'state-hub';
    downUntil = 0;
    /** Events sent and dropped by this process (for status output and tests). */
    stats = { sent: 0, dropped: 0 };
    constructor(cfg, log = logger/* silentLogger */.q) {
        this.cfg = cfg;
        this.log = log;
    }
    async onTransition({ record, from, to }) {
        if (from === to)
            return; // snapshots re-announce the current state; not a transition
        await this.post(lifecycleEvent(record, from, to));
    }
    async onSettled({ record }) {
        const event = meterEvent(record);
        if (event)
            await this.post(event);
    }
    async onReaped({ action }) {
        await this.post(reapEvent(action));
    }
    async post(event) {
        if (Date.now() < this.downUntil) {
            this.stats.dropped++;
            return;
        }
        try {
            const res = await fetch(this.cfg.url, {
                method: 'POST',
                headers: {
                    'content-type': 'application/cloudevents+json',
                    ...(this.cfg.token ? { authorization: `Bearer ${this.cfg.token}` } : {}),
                },
                body: JSON.stringify(event),
                signal: AbortSignal.timeout(this.cfg.timeout_ms),
            });
            await res.body?.cancel().catch(() => undefined);
            if (!res.ok)
                throw new Error(`answered ${res.status}`);
            this.stats.sent++;
        }
        catch (err) {
            this.stats.dropped++;
            this.downUntil = Date.now() + this.cfg.cooldown_ms;
            const e = err;
            const why = e.name === 'TimeoutError'
                ? `no answer within ${this.cfg.timeout_ms} ms`
                : (e.cause?.code ?? e.cause?.message ?? e.message);
            this.log.warn(`State Hub event ${event.id} dropped (${why}); events are skipped for ${this.cfg.cooldown_ms / 1000} s — the lifecycle is not affected`);
        }
    }
}

// EXTERNAL MODULE: ./src/export/config.ts
var config = __webpack_require__(24214);
// EXTERNAL MODULE: ./src/export/deliver.ts
var deliver = __webpack_require__(99087);
// EXTERNAL MODULE: ./src/export/envelope.ts
var envelope = __webpack_require__(26820);
// EXTERNAL MODULE: ./src/export/outbox.ts
var outbox = __webpack_require__(48025);
;// CONCATENATED MODULE: ./src/export/fin-hub-hooks.ts




/** How many queued records a teardown sends besides its own, so one teardown never drains a long backlog. */
const TEARDOWN_REPLAY_BOUND = 5;
/**
 * On a metered sandbox's settlement: queue its usage record in the outbox (persisted with the state), then send
 * it and a few older queued ones. A fin-hub failure never fails the destroy: the record stays queued and the
 * next teardown, `reap-stale` or `sandboxer export replay` sends it.
 */
class FinHubHooks {
    store;
    cfg;
    opts;
    name = 'fin-hub';
    constructor(store, cfg, opts = {}) {
        this.store = store;
        this.cfg = cfg;
        this.opts = opts;
    }
    async onSettled({ record }) {
        const event = (0,envelope/* usageEvent */.EJ)(record, this.cfg.source);
        if (!event)
            return;
        const queued = await (0,outbox/* enqueue */.Z2)(this.store, event);
        // Not queued: another process settling the same sandbox has it; the flush below still sends the backlog.
        await (0,outbox/* flushOutbox */.kT)(this.store, this.cfg, {
            first: queued ? [event.id] : [],
            limit: 1 + TEARDOWN_REPLAY_BOUND,
            policy: this.opts.policy ?? deliver/* TEARDOWN_POLICY */.c7,
            log: this.opts.log ?? logger/* silentLogger */.q,
        });
    }
}

// EXTERNAL MODULE: ./src/core/money.ts
var money = __webpack_require__(34247);
// EXTERNAL MODULE: ./src/payments/ledger.ts
var ledger = __webpack_require__(31474);
;// CONCATENATED MODULE: ./src/payments/credits-hooks.ts



/**
 * Credits around the lifecycle: hold the estimate before provisioning (refusing when the balance cannot cover
 * it), debit the actual meter and release the hold once the sandbox settles. Only checked when credits are
 * configured (a grant exists or SANDBOXER_BUDGET_USD is set); otherwise spend is recorded but never refused.
 */
class CreditsHooks {
    env;
    name = 'credits';
    ledger;
    constructor(store, env = {}) {
        this.env = env;
        this.ledger = new ledger/* Ledger */.Oc(store);
    }
    async beforeProvision({ record }) {
        const estimate = record.estimate_usd ? (0,money/* toMicros */.tO)(record.estimate_usd) : 0n;
        if (estimate === 0n)
            return;
        // Reserve first, then verify: two creates racing for the last credits cannot both pass.
        const added = await this.ledger.hold(record, (0,money/* fromMicros */.SQ)(estimate));
        const balance = await this.ledger.balance(this.env);
        if (balance.balance_usd === undefined)
            return;
        const existing = added ? estimate : await this.heldFor(record.id);
        const before = (0,money/* toMicros */.tO)(balance.balance_usd) + existing;
        if (before >= estimate)
            return;
        if (added)
            await this.ledger.release(record, (0,money/* fromMicros */.SQ)(estimate), 'refused: insufficient credits');
        throw new errors/* SandboxerError */.j8('insufficient_credits', `credits balance $${(0,money/* fromMicros */.SQ)(before)} cannot cover the estimate $${(0,money/* fromMicros */.SQ)(estimate)} for ${record.id} on ${record.extension_id}`, {
            hint: "add credits with 'sandboxer credits add AMOUNT', raise SANDBOXER_BUDGET_USD, or ask for a shorter --ttl",
        });
    }
    async onSettled({ record }) {
        if (record.meter)
            await this.ledger.debit(record, record.meter.actual_usd);
        const held = await this.heldFor(record.id);
        if (held > 0n)
            await this.ledger.release(record, (0,money/* fromMicros */.SQ)(held), 'settled');
    }
    async heldFor(sandboxId) {
        const rows = await this.ledger.entries();
        const hold = rows.find((r) => r.key === (0,ledger/* entryKey */.k2)('hold', sandboxId));
        return hold ? (0,money/* toMicros */.tO)(hold.entry.amount_usd) : 0n;
    }
}

;// CONCATENATED MODULE: ./src/payments/default-hooks.ts





/**
 * The production hooks, in order: credits (a local write: hold, then debit/release), fin-hub export (queue, then
 * send), State Hub (best effort). Export and State Hub are on only when their URL is set.
 */
function defaultHooks(input) {
    const log = input.log ?? logger/* silentLogger */.q;
    const hooks = [new CreditsHooks(input.store, input.env)];
    const finHub = (0,config/* finHubConfig */.r)(input.env);
    if (finHub)
        hooks.push(new FinHubHooks(input.store, finHub, { log }));
    const hub = stateHubConfig(input.env);
    if (hub)
        hooks.push(new StateHubHooks(hub, log));
    return hooks;
}

// EXTERNAL MODULE: ./src/routing/latency.ts
var latency = __webpack_require__(12020);
// EXTERNAL MODULE: ./src/state/file/file-store.ts + 3 modules
var file_store = __webpack_require__(80064);
// EXTERNAL MODULE: ./src/manager/manager.ts + 1 modules
var manager = __webpack_require__(18067);
;// CONCATENATED MODULE: ./src/manager/factory.ts











/** The production wiring of a manager from the environment; CLI, actions and HTTP API all start here. */
function createManager(opts = {}) {
    const env = opts.env ?? process.env;
    const catalog = opts.catalog ?? (0,loader/* loadCatalog */.ak)((0,loader/* catalogRoots */.X3)(env), env);
    const credentials = opts.credentials ?? (0,src_credentials/* createCredentialResolver */.s)(env);
    const store = opts.store ?? new file_store/* FileStateStore */.n(stateDir(env));
    const log = opts.log ?? logger/* silentLogger */.q;
    return new manager/* SandboxManager */.N({
        catalog,
        registry: defaultRegistry(),
        store,
        owner: (0,core_labels/* ownerFromEnv */.J1)(env, (0,external_node_os_.hostname)()),
        credentials,
        // Credits, fin-hub export and State Hub always run; callers' hooks come after them.
        hooks: [...defaultHooks({ store, env, log }), new latency/* LatencyRecorder */.BJ(store), ...(opts.hooks ?? [])],
        log,
        env,
    });
}


/***/ }),

/***/ 18067:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  w: () => (/* binding */ DEFAULT_TTL_FOR_ESTIMATE_S),
  N: () => (/* binding */ SandboxManager)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./src/catalog/loader.ts + 1 modules
var loader = __webpack_require__(35766);
// EXTERNAL MODULE: ./src/core/clock.ts
var clock = __webpack_require__(32257);
// EXTERNAL MODULE: ./src/core/duration.ts
var core_duration = __webpack_require__(98571);
// EXTERNAL MODULE: ./src/core/errors.ts
var core_errors = __webpack_require__(74296);
// EXTERNAL MODULE: ./src/core/ids.ts
var ids = __webpack_require__(89921);
// EXTERNAL MODULE: ./src/core/labels.ts
var labels = __webpack_require__(96236);
// EXTERNAL MODULE: ./src/core/lifecycle.ts
var lifecycle = __webpack_require__(62043);
// EXTERNAL MODULE: ./src/core/logger.ts
var logger = __webpack_require__(11227);
// EXTERNAL MODULE: ./src/credentials/index.ts + 4 modules
var credentials = __webpack_require__(28000);
// EXTERNAL MODULE: ./src/credentials/resolver.ts
var resolver = __webpack_require__(2894);
;// CONCATENATED MODULE: ./src/routing/errors.ts

/** One line per candidate: what happened to it and why. */
function describeRoute(route) {
    return (route?.candidates ?? [])
        .map((c) => {
        const outcome = c.outcome ?? (c.eligible ? 'not_tried' : 'skipped');
        const why = c.error ?? c.reason.replace(/^(skipped|picked|fallback): /, '');
        return `${c.extension_id} ${outcome.replace('_', ' ')} (${why})`;
    })
        .join('; ');
}
/** The one error of a route where no candidate produced a sandbox: it names every candidate and why. */
function routeExhausted(profileId, route, last) {
    return new core_errors/* SandboxerError */.j8('routing', `every candidate failed for ${profileId}: ${describeRoute(route)}`, {
        retryable: last.retryable,
        hint: `run 'sandboxer route explain --profile ${profileId}' for details`,
        cause: last,
    });
}

// EXTERNAL MODULE: ./src/routing/router.ts + 1 modules
var router = __webpack_require__(9496);
;// CONCATENATED MODULE: ./src/manager/manager.ts














const DEFAULT_TTL_FOR_ESTIMATE_S = 3600;
/**
 * The one place a lifecycle transition happens. Every transition is persisted before the backend is touched;
 * hooks (events, payments) fan out after each persisted transition.
 */
class SandboxManager {
    catalog;
    registry;
    store;
    credentials;
    router;
    owner;
    hooks;
    clock;
    log;
    env;
    readyTimeout_s;
    teardownTimeout_s;
    constructor(deps) {
        this.catalog = deps.catalog;
        this.registry = deps.registry;
        this.store = deps.store;
        this.owner = deps.owner;
        this.credentials = deps.credentials ?? (0,credentials/* createCredentialResolver */.s)(deps.env ?? process.env);
        this.router =
            deps.router ??
                new router/* StrategyRouter */.h({
                    catalog: deps.catalog,
                    registry: deps.registry,
                    credentials: this.credentials,
                    store: deps.store,
                });
        this.hooks = deps.hooks ?? [];
        this.clock = deps.clock ?? clock/* systemClock */.m;
        this.log = deps.log ?? logger/* silentLogger */.q;
        this.env = deps.env ?? process.env;
        this.readyTimeout_s = deps.readyTimeout_s;
        this.teardownTimeout_s = deps.teardownTimeout_s ?? 180;
    }
    now() {
        return this.clock.now().toISOString();
    }
    // ---------------------------------------------------------------- queries
    async get(id) {
        const r = await this.store.getSandbox(id);
        if (!r)
            throw (0,core_errors/* notFound */.mX)('sandbox', id, "run 'sandboxer list' to see known sandboxes");
        return r;
    }
    async list(filter = {}) {
        const all = await this.store.listSandboxes();
        return all.filter((r) => (!filter.state || filter.state.includes(r.state)) &&
            (!filter.profileId || r.profile_id === filter.profileId));
    }
    extensionFor(record) {
        const manifest = (0,loader/* getExtensionManifest */.Vq)(this.catalog, record.extension_id);
        return { ext: this.registry.get(manifest), manifest };
    }
    // ---------------------------------------------------------------- create
    /** Validate inputs against the profile: unknown names, missing required ones, defaults, paths. */
    resolveInputs(profile, given) {
        const out = {};
        for (const name of Object.keys(given)) {
            if (!(name in profile.inputs)) {
                const known = Object.keys(profile.inputs);
                throw (0,core_errors/* usageError */.Wp)(`profile ${profile.id} has no input '${name}'`, known.length ? `its inputs are: ${known.join(', ')}` : 'this profile takes no inputs');
            }
        }
        for (const [name, spec] of Object.entries(profile.inputs)) {
            let value = given[name] ?? spec.default;
            if (value === undefined) {
                if (spec.required)
                    throw (0,core_errors/* usageError */.Wp)(`profile ${profile.id} requires input '${name}'`, `pass --input ${name}=<value>${spec.description ? ` (${spec.description})` : ''}`);
                continue;
            }
            if (spec.kind === 'path') {
                value = (0,external_node_path_.resolve)(value);
                if (!(0,external_node_fs_.existsSync)(value) || !(0,external_node_fs_.statSync)(value).isDirectory()) {
                    throw (0,core_errors/* usageError */.Wp)(`input '${name}': directory '${value}' does not exist`);
                }
            }
            out[name] = value;
        }
        return out;
    }
    resolveTtl(profile, ttl) {
        const raw = ttl ?? profile.ttl.default;
        if (raw === undefined)
            return undefined;
        const seconds = (0,core_duration/* parseDurationSeconds */.l)(raw, 'TTL');
        if (profile.ttl.max !== undefined && seconds > (0,core_duration/* parseDurationSeconds */.l)(profile.ttl.max)) {
            throw (0,core_errors/* usageError */.Wp)(`TTL ${raw} exceeds the maximum of ${profile.ttl.max} for ${profile.id}`, `use --ttl ${profile.ttl.max} or less`);
        }
        return seconds;
    }
    async resolveSecrets(manifest, profile, signal) {
        const specs = (0,credentials/* credentialSpecsFor */.F)(manifest, profile);
        if (specs.length === 0)
            return resolver/* emptySecrets */.dF;
        const { secrets, missing } = await this.credentials.resolve(specs, {
            env: this.env,
            ...(signal ? { signal } : {}),
        });
        if (missing.length)
            throw (0,resolver/* missingCredentialsError */.D8)(manifest.id, missing);
        return secrets;
    }
    baseContext(manifest, config, secrets, signal) {
        return { manifest, config, secrets, signal, log: this.log, env: this.env };
    }
    profileOrUndefined(id) {
        return this.catalog.profiles.get(id)?.value;
    }
    /** The route for a new sandbox; no eligible candidate at all is one routing error naming each and why. */
    async planOrThrow(profile, ttl_s, opts) {
        const plan = await this.router.plan({
            profile,
            ttl_s: ttl_s ?? DEFAULT_TTL_FOR_ESTIMATE_S,
            env: this.env,
            ...(opts.route ? { strategy: opts.route } : {}),
            ...(opts.signal ? { signal: opts.signal } : {}),
        });
        if (plan.order.length === 0) {
            throw new core_errors/* SandboxerError */.j8('routing', `no candidate backend can serve ${profile.id}: ${describeCandidates(plan.decision.candidates)}`, { hint: `run 'sandboxer route explain --profile ${profile.id}' for details` });
        }
        return plan;
    }
    async create(opts = {}) {
        const profile = (0,loader/* getProfile */.E$)(this.catalog, opts.profileId);
        const inputs = this.resolveInputs(profile, opts.inputs ?? {});
        const ttl_s = this.resolveTtl(profile, opts.ttl);
        const plan = await this.planOrThrow(profile, ttl_s, pick(opts, 'route', 'signal'));
        return this.provisionNew({
            profile,
            inputs,
            ttl_s,
            plan: plan.decision,
            order: plan.order,
            ...pick(opts, 'signal', 'labels', 'onCreated'),
        });
    }
    async provisionNew(args) {
        const { profile } = args;
        const signal = args.signal ?? new AbortController().signal;
        const id = (0,ids/* newSandboxId */.Dp)();
        const created_at = this.now();
        const expires_at = args.ttl_s
            ? new Date(Date.parse(created_at) + args.ttl_s * 1000).toISOString()
            : undefined;
        const firstManifest = (0,loader/* getExtensionManifest */.Vq)(this.catalog, args.order[0]);
        const candidates = args.plan.candidates.map((c) => ({
            ...c,
            outcome: c.outcome ?? (c.eligible ? 'not_tried' : 'skipped'),
        }));
        let record = {
            id,
            revision: 0,
            profile_id: profile.id,
            profile_version: profile.version,
            extension_id: firstManifest.id,
            state: 'requested',
            placement: {},
            handle: {},
            inputs: args.inputs,
            resources: profile.resources,
            labels: (0,labels/* ownershipLabels */.Hv)({
                sandboxId: id,
                profileId: profile.id,
                owner: this.owner,
                ...(expires_at ? { expiresAt: expires_at } : {}),
                extra: { ...profile.labels, ...(args.labels ?? {}) },
            }),
            owner: this.owner,
            created_at,
            ...(args.ttl_s ? { ttl_s: args.ttl_s, expires_at } : {}),
            route: { ...args.plan, candidates },
            config: { ...firstManifest.config, ...profile.config },
            ...(args.recreated_from ? { recreated_from: args.recreated_from } : {}),
            ...(args.restore ? { restored_from: args.restore.id } : {}),
            history: [{ from: null, to: 'requested', at: created_at }],
        };
        await this.store.createSandbox(record);
        await this.fire(record, null, 'requested');
        await args.onCreated?.(record);
        for (let i = 0; i < args.order.length; i++) {
            const extId = args.order[i];
            const manifest = (0,loader/* getExtensionManifest */.Vq)(this.catalog, extId);
            const ext = this.registry.get(manifest);
            const estimate = ext.estimateCost({
                resources: profile.resources,
                ttl_s: args.ttl_s ?? DEFAULT_TTL_FOR_ESTIMATE_S,
                manifest,
            });
            record = await this.store.updateSandbox(id, (r) => ({
                ...r,
                extension_id: extId,
                estimate_usd: estimate.usd,
                config: { ...manifest.config, ...profile.config },
                handle: {},
                placement: {},
            }));
            try {
                for (const h of this.hooks)
                    if (h.beforeProvision)
                        await h.beforeProvision({ record, profile, manifest });
                record = await this.transition(id, 'provisioning', {
                    reason: i === 0 ? undefined : `fallback to ${extId}`,
                });
                record = await this.attempt(record, profile, manifest, ext, signal, args.restore);
                record = await this.store.updateSandbox(id, (r) => ({
                    ...r,
                    route: markOutcome(r.route, extId, 'chosen', undefined, extId),
                }));
                return record;
            }
            catch (err) {
                const e = (0,core_errors/* toSandboxerError */.Sb)(err);
                const cancelled = (0,core_errors/* isCancellation */.iB)(err, signal);
                record = await this.store.updateSandbox(id, (r) => ({
                    ...r,
                    route: markOutcome(r.route, extId, 'failed', e.message),
                }));
                const last = i === args.order.length - 1;
                // Credentials that do not resolve disqualify a candidate just as a retryable backend failure does.
                const fallback = !cancelled && (e.retryable || e.code === 'credentials') && !last;
                await this.cleanupAttempt(id, profile, manifest, ext, fallback ? undefined : e);
                if (fallback) {
                    this.log.warn(`${extId} failed (${e.message}); falling back to ${args.order[i + 1]}`);
                    // provisioning → (cleanup) → provisioning on the next candidate is bookkept without a state change:
                    record = await this.store.getSandbox(id).then((r) => r);
                    continue;
                }
                if (cancelled)
                    throw new core_errors/* CancelledError */.cc(`create of ${id} cancelled; what was made has been torn down`);
                // A route that ran out of candidates fails with one error naming every candidate and why.
                if (last && args.plan.candidates.length > 1) {
                    throw routeExhausted(profile.id, (await this.get(id)).route, e);
                }
                throw e;
            }
        }
        throw new core_errors/* SandboxerError */.j8('internal', 'unreachable: no candidate attempted');
    }
    /** Provision + wait ready on one candidate, bounded by a timeout and the caller's signal. */
    async attempt(record, profile, manifest, ext, signal, restore) {
        const timeout_s = Number(record.config.ready_timeout_s ?? this.readyTimeout_s ?? 600);
        const bounded = AbortSignal.any([signal, AbortSignal.timeout(timeout_s * 1000)]);
        const secrets = await this.resolveSecrets(manifest, profile, bounded);
        const id = record.id;
        const ctx = {
            ...this.baseContext(manifest, record.config, secrets, bounded),
            sandbox: record,
            profile,
            labels: record.labels,
            saveHandle: async (patch) => {
                const r = await this.store.updateSandbox(id, (cur) => ({
                    ...cur,
                    handle: { ...cur.handle, ...patch },
                }));
                ctx.sandbox = r;
            },
        };
        try {
            const result = await this.log.group(`provision ${id} on ${manifest.id}`, async () => {
                const res = restore && ext.restore ? await ext.restore(ctx, restore) : await ext.provision(ctx);
                await ctx.saveHandle(res.handle);
                if (res.placement)
                    await this.store.updateSandbox(id, (cur) => ({ ...cur, placement: res.placement }));
                await ext.waitReady(ctx, { ...ctx.sandbox.handle, ...res.handle });
                return res;
            });
            void result;
        }
        catch (err) {
            if (bounded.aborted && !signal.aborted) {
                throw new core_errors/* BackendError */.Jh(manifest.id, `not ready within ${timeout_s}s`, {
                    retryable: true,
                    cause: err,
                });
            }
            throw err;
        }
        return this.transition(id, 'ready', { patch: (r) => ({ ...r, ready_at: this.now() }) });
    }
    /** After a failed attempt: tear down whatever was made. On a final failure the record ends `failed`. */
    async cleanupAttempt(id, profile, manifest, ext, finalError) {
        let cleaned = false;
        try {
            const current = await this.get(id);
            const secrets = await this.resolveSecrets(manifest, profile).catch(() => resolver/* emptySecrets */.dF);
            await this.log.group(`clean up ${id} on ${manifest.id}`, () => ext.teardown({
                ...this.baseContext(manifest, current.config, secrets, AbortSignal.timeout(this.teardownTimeout_s * 1000)),
                sandbox: current,
            }));
            cleaned = true;
        }
        catch (err) {
            this.log.warn(`cleanup of ${id} on ${manifest.id} failed: ${(0,core_errors/* toSandboxerError */.Sb)(err).message}; 'sandboxer reap-stale --apply' will retry`);
        }
        if (finalError) {
            const current = await this.get(id);
            if (current.state === 'destroying' || (0,lifecycle/* isTerminal */.Hd)(current.state))
                return; // someone else took over
            await this.transition(id, 'failed', {
                reason: finalError.code,
                patch: (r) => ({
                    ...r,
                    error: { code: finalError.code, message: finalError.message },
                    cleanup_pending: !cleaned,
                    ...this.meterPatch(r, manifest, ext),
                }),
            });
            await this.settle(id, manifest);
        }
        else if (!cleaned) {
            // Falling back while the first backend's object may still exist: remember it for the reaper.
            await this.store.updateSandbox(id, (r) => ({
                ...r,
                route: markOutcome(r.route, manifest.id, 'failed', 'cleanup pending: reap-stale will retry'),
            }));
        }
    }
    // ---------------------------------------------------------------- destroy
    async destroy(id, opts = {}) {
        let record = await this.get(id);
        if (record.state === 'destroyed' || record.state === 'expired')
            return record;
        if (record.state === 'failed' && !record.cleanup_pending)
            return record;
        if (record.state === 'requested') {
            // Nothing was made yet (the creator died before provisioning started).
            return this.transition(id, 'failed', {
                reason: historyReason(opts, 'destroyed before provisioning'),
                patch: (r) => ({
                    ...r,
                    error: { code: 'cancelled', message: 'destroyed before provisioning' },
                    ...(opts.requestedBy ? { teardown_requested_by: opts.requestedBy } : {}),
                }),
            });
        }
        const { ext, manifest } = this.extensionFor(record);
        const profile = this.profileOrUndefined(record.profile_id);
        const wasFailed = record.state === 'failed';
        if (record.state !== 'destroying') {
            try {
                record = await this.transition(id, 'destroying', {
                    reason: historyReason(opts),
                    patch: (r) => ({ ...r, ...(opts.requestedBy ? { teardown_requested_by: opts.requestedBy } : {}) }),
                });
            }
            catch (err) {
                // Another process finished the teardown between our read and our write: that is success.
                const current = await this.get(id);
                if ((0,lifecycle/* isTerminal */.Hd)(current.state) && !current.cleanup_pending)
                    return current;
                throw err;
            }
        }
        await opts.onDestroying?.(record);
        const secrets = await this.resolveSecrets(manifest, profile, opts.signal);
        const signal = AbortSignal.any([
            opts.signal ?? new AbortController().signal,
            AbortSignal.timeout(this.teardownTimeout_s * 1000),
        ]);
        try {
            await this.log.group(`teardown ${id} on ${manifest.id}`, () => ext.teardown({ ...this.baseContext(manifest, record.config, secrets, signal), sandbox: record }));
        }
        catch (err) {
            const e = (0,core_errors/* toSandboxerError */.Sb)(err);
            await this.store.updateSandbox(id, (r) => ({
                ...r,
                error: { code: e.code, message: `teardown: ${e.message}` },
            }));
            throw new core_errors/* SandboxerError */.j8(e.code, `teardown of ${id} failed: ${e.message}`, {
                retryable: true,
                hint: `the sandbox stays in 'destroying'; run 'sandboxer destroy ${id}' again or 'sandboxer reap-stale --apply'`,
                cause: err,
            });
        }
        const final = wasFailed ? 'failed' : opts.reason === 'ttl' ? 'expired' : 'destroyed';
        const settled = await this.get(id);
        if (settled.state !== final && (0,lifecycle/* isTerminal */.Hd)(settled.state) && !settled.cleanup_pending)
            return settled;
        record = await this.transition(id, final, {
            reason: historyReason(opts),
            patch: (r) => ({
                ...r,
                destroyed_at: r.destroyed_at ?? this.now(),
                cleanup_pending: wasFailed ? false : r.cleanup_pending,
                ...this.meterPatch(r, manifest, ext),
            }),
        });
        await this.settle(id, manifest);
        return this.get(id);
    }
    /** Meter once, when the record reaches a terminal state after a backend object existed. */
    meterPatch(r, manifest, ext) {
        if (r.meter || manifest.pricing.model !== 'metered' || Object.keys(r.handle).length === 0)
            return {};
        return { meter: ext.meterActual({ sandbox: r, manifest, ended_at: this.now() }) };
    }
    async settle(id, manifest) {
        const record = await this.get(id);
        for (const h of this.hooks) {
            if (!h.onSettled)
                continue;
            try {
                await h.onSettled({ record, manifest });
            }
            catch (err) {
                this.log.warn(`${h.name}: ${(0,core_errors/* toSandboxerError */.Sb)(err).message}`);
            }
        }
    }
    async recreate(id, opts = {}) {
        const old = await this.get(id);
        const profile = (0,loader/* getProfile */.E$)(this.catalog, old.profile_id);
        if (!(0,lifecycle/* isTerminal */.Hd)(old.state))
            await this.destroy(id, { reason: 'recreate', ...pick(opts, 'signal') });
        const ttl_s = old.ttl_s;
        const plan = await this.planOrThrow(profile, ttl_s, pick(opts, 'signal'));
        return this.provisionNew({
            profile,
            inputs: this.resolveInputs(profile, old.inputs),
            ttl_s,
            plan: plan.decision,
            order: plan.order,
            recreated_from: id,
            ...pick(opts, 'signal', 'onCreated'),
        });
    }
    // ---------------------------------------------------------------- TTL
    async extendTtl(id, duration) {
        const add_s = (0,core_duration/* parseDurationSeconds */.l)(duration, 'duration'); // a usage error before anything is read
        const record = await this.get(id);
        if (record.state !== 'ready' && record.state !== 'provisioning') {
            throw new core_errors/* SandboxerError */.j8('illegal_transition', `sandbox ${id} is ${record.state}; only a live sandbox can be extended`);
        }
        const base = Math.max(Date.parse(record.expires_at ?? this.now()), this.clock.now().getTime());
        const expires_at = new Date(base + add_s * 1000).toISOString();
        const profile = this.profileOrUndefined(record.profile_id);
        if (profile?.ttl.max) {
            const max_s = (0,core_duration/* parseDurationSeconds */.l)(profile.ttl.max);
            if (Date.parse(expires_at) - Date.parse(record.created_at) > max_s * 1000) {
                throw (0,core_errors/* usageError */.Wp)(`extending by ${duration} would exceed the maximum lifetime of ${profile.ttl.max} for ${profile.id}`);
            }
        }
        const { ext, manifest } = this.extensionFor(record);
        if (!manifest.capabilities.extend_ttl && manifest.capabilities.host_expiry) {
            // The backend enforces the lifetime fixed at create: recording a later expiry would be a lie.
            throw new core_errors/* SandboxerError */.j8('unsupported', `extend-ttl is not supported by this backend: ${manifest.id} fixes a sandbox's lifetime at create`, {
                exitCode: 2,
                hint: `snapshot it and restore with a longer --ttl ('sandboxer snapshot ${id}', then 'sandboxer restore SNAPSHOT_ID --ttl DUR')`,
            });
        }
        let pushed = false;
        let note;
        if (ext.extendTtl && manifest.capabilities.extend_ttl) {
            const secrets = await this.resolveSecrets(manifest, profile);
            const fromNow_s = Math.ceil((Date.parse(expires_at) - this.clock.now().getTime()) / 1000);
            await ext.extendTtl({
                ...this.baseContext(manifest, record.config, secrets, AbortSignal.timeout(60_000)),
                sandbox: record,
            }, expires_at, fromNow_s);
            pushed = true;
        }
        else {
            note = `${manifest.id} cannot extend a running sandbox's lifetime (not supported by this backend); the new expiry is recorded and enforced by 'sandboxer expire' and reap-stale only`;
        }
        const updated = await this.store.updateSandbox(id, (r) => ({
            ...r,
            expires_at,
            ttl_s: Math.round((Date.parse(expires_at) - Date.parse(r.created_at)) / 1000),
            labels: { ...r.labels, 'io.sandboxer.expires-at': expires_at },
        }));
        return { record: updated, pushed, ...(note ? { note } : {}) };
    }
    /** Live sandboxes whose TTL has lapsed. With apply, each is torn down and ends `expired`. */
    async expire(opts = {}) {
        const now = this.clock.now().getTime();
        const due = (await this.list({ state: ['ready', 'provisioning', 'destroying'] })).filter((r) => r.expires_at && Date.parse(r.expires_at) <= now);
        if (!opts.apply)
            return { expired: due, errors: [] };
        const expired = [];
        const errors = [];
        for (const r of due) {
            try {
                expired.push(await this.destroy(r.id, { reason: 'ttl', ...pick(opts, 'signal') }));
            }
            catch (err) {
                errors.push({ id: r.id, error: (0,core_errors/* toSandboxerError */.Sb)(err).message });
            }
        }
        return { expired, errors };
    }
    // ---------------------------------------------------------------- snapshots
    async snapshot(id, name) {
        const record = await this.get(id);
        if (record.state !== 'ready')
            throw new core_errors/* SandboxerError */.j8('illegal_transition', `sandbox ${id} is ${record.state}; only a ready sandbox can be snapshotted`);
        const { ext, manifest } = this.extensionFor(record);
        if (!ext.snapshot || !manifest.capabilities.snapshot) {
            throw new core_errors/* SandboxerError */.j8('unsupported', `${manifest.id} does not support snapshots`, {
                hint: 'use a profile whose extension declares capabilities.snapshot',
            });
        }
        const secrets = await this.resolveSecrets(manifest, this.profileOrUndefined(record.profile_id));
        const result = await this.log.group(`snapshot ${id}`, () => ext.snapshot({
            ...this.baseContext(manifest, record.config, secrets, AbortSignal.timeout(this.teardownTimeout_s * 1000 * 5)),
            sandbox: record,
        }, name));
        const snap = {
            id: (0,ids/* newSnapshotId */.qc)(),
            sandbox_id: id,
            profile_id: record.profile_id,
            extension_id: record.extension_id,
            ...(name ? { name } : {}),
            created_at: this.now(),
            state: 'available',
            handle: result.handle,
        };
        await this.store.putSnapshot(snap);
        for (const h of this.hooks)
            await h.onTransition?.({ record, from: record.state, to: record.state }).catch(() => undefined);
        return snap;
    }
    async listSnapshots(filter = {}) {
        return (await this.store.listSnapshots()).filter((s) => (filter.all || s.state === 'available') && (!filter.sandboxId || s.sandbox_id === filter.sandboxId));
    }
    /** Delete the backend copy (where the extension can) and mark the index entry `deleted`; idempotent. */
    async deleteSnapshot(snapshotId, opts = {}) {
        const snap = await this.getSnapshot(snapshotId);
        if (snap.state === 'deleted')
            return snap;
        const manifest = (0,loader/* getExtensionManifest */.Vq)(this.catalog, snap.extension_id);
        const ext = this.registry.get(manifest);
        if (!ext.deleteSnapshot) {
            throw new core_errors/* SandboxerError */.j8('unsupported', `${manifest.id} cannot delete snapshots`, {
                hint: "remove it with the backend's own tools; the snapshot index keeps the entry",
            });
        }
        const profile = this.profileOrUndefined(snap.profile_id);
        const ctx = await this.contextFor(manifest, {
            ...(profile ? { profile } : {}),
            ...(opts.signal ? { signal: opts.signal } : {}),
        });
        await this.log.group(`delete snapshot ${snapshotId}`, () => ext.deleteSnapshot(ctx, snap));
        const deleted = { ...snap, state: 'deleted' };
        await this.store.putSnapshot(deleted);
        return deleted;
    }
    async getSnapshot(snapshotId) {
        const s = await this.store.getSnapshot(snapshotId);
        if (!s)
            throw (0,core_errors/* notFound */.mX)('snapshot', snapshotId, "run 'sandboxer snapshots list'");
        return s;
    }
    async restore(snapshotId, opts = {}) {
        const snap = await this.getSnapshot(snapshotId);
        if (snap.state !== 'available')
            throw new core_errors/* SandboxerError */.j8('illegal_transition', `snapshot ${snapshotId} is ${snap.state}`);
        const source = await this.store.getSandbox(snap.sandbox_id);
        const profile = (0,loader/* getProfile */.E$)(this.catalog, snap.profile_id);
        const manifest = (0,loader/* getExtensionManifest */.Vq)(this.catalog, snap.extension_id);
        const ext = this.registry.get(manifest);
        if (!ext.restore || !manifest.capabilities.restore)
            throw new core_errors/* SandboxerError */.j8('unsupported', `${manifest.id} does not support restore`);
        const ttl_s = this.resolveTtl(profile, opts.ttl);
        const estimate = ext.estimateCost({
            resources: profile.resources,
            ttl_s: ttl_s ?? DEFAULT_TTL_FOR_ESTIMATE_S,
            manifest,
        });
        return this.provisionNew({
            profile,
            inputs: source?.inputs ?? {},
            ttl_s,
            plan: {
                strategy: 'explicit',
                chosen: manifest.id,
                candidates: [
                    {
                        extension_id: manifest.id,
                        eligible: true,
                        reason: `restore of ${snapshotId}`,
                        estimate_usd: estimate.usd,
                    },
                ],
            },
            order: [manifest.id],
            restore: snap,
            ...pick(opts, 'signal', 'onCreated'),
        });
    }
    // ---------------------------------------------------------------- transitions
    /**
     * The only write path for `state`. Checks the lifecycle machine inside the store's atomic update, so two
     * processes racing on one sandbox cannot both make the same transition; a repeat of the current state is a no-op.
     */
    async transition(id, to, opts = {}) {
        let from = null;
        const record = await this.store.updateSandbox(id, (r) => {
            from = r.state;
            if (r.state === to)
                return opts.patch ? opts.patch(r) : r;
            (0,lifecycle/* assertTransition */.QJ)(id, r.state, to);
            const next = opts.patch ? opts.patch(r) : r;
            return {
                ...next,
                state: to,
                history: [
                    ...r.history,
                    { from: r.state, to, at: this.now(), ...(opts.reason ? { reason: opts.reason } : {}) },
                ],
            };
        });
        if (from !== to)
            await this.fire(record, from, to);
        return record;
    }
    async fire(record, from, to) {
        for (const h of this.hooks) {
            if (!h.onTransition)
                continue;
            try {
                await h.onTransition({ record, from, to });
            }
            catch (err) {
                this.log.warn(`${h.name}: ${(0,core_errors/* toSandboxerError */.Sb)(err).message}`);
            }
        }
    }
    /** Fan an applied reaper action out to the hooks (State Hub); best effort, never throws. */
    async announceReaped(action) {
        for (const h of this.hooks) {
            if (!h.onReaped)
                continue;
            try {
                await h.onReaped({ action });
            }
            catch (err) {
                this.log.warn(`${h.name}: ${(0,core_errors/* toSandboxerError */.Sb)(err).message}`);
            }
        }
    }
    /** Context for callers outside the lifecycle (reaper, inspect) that need to talk to an extension. */
    async contextFor(manifest, opts = {}) {
        const secrets = await this.resolveSecrets(manifest, opts.profile, opts.signal);
        const ctx = this.baseContext(manifest, opts.config ?? { ...manifest.config, ...(opts.profile?.config ?? {}) }, secrets, opts.signal ?? AbortSignal.timeout(this.teardownTimeout_s * 1000));
        return opts.profile ? { ...ctx, placement: opts.profile.placement } : ctx;
    }
}
function markOutcome(route, extId, outcome, error, chosen) {
    if (!route)
        return route;
    return {
        ...route,
        ...(chosen ? { chosen } : {}),
        candidates: route.candidates.map((c) => c.extension_id === extId ? { ...c, outcome, ...(error ? { error } : {}) } : c),
    };
}
function historyReason(opts, fallback) {
    const base = fallback ?? opts.reason ?? 'user';
    return opts.detail ? `${opts.reason ?? base}: ${opts.detail}` : base;
}
function describeCandidates(cands) {
    return cands.map((c) => `${c.extension_id} (${c.reason})`).join('; ');
}
function pick(obj, ...keys) {
    const out = {};
    for (const k of keys)
        if (obj[k] !== undefined)
            out[k] = obj[k];
    return out;
}


/***/ }),

/***/ 31474:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Oc: () => (/* binding */ Ledger),
/* harmony export */   k2: () => (/* binding */ entryKey)
/* harmony export */ });
/* unused harmony exports LEDGER_COLLECTION, LedgerKind, LedgerEntry, BalanceMode, Balance, budgetFromEnv, parseAmount, computeBalance */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(12311);
/* harmony import */ var _core_errors_ts__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(74296);
/* harmony import */ var _core_money_ts__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(34247);
/* harmony import */ var _core_lifecycle_ts__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(62043);





const LEDGER_COLLECTION = 'ledger';
const LedgerKind = zod__WEBPACK_IMPORTED_MODULE_3__/* ["enum"] */ .k5n(['grant', 'hold', 'debit', 'release']);
/**
 * One immutable ledger entry. Holds, debits and releases are keyed by (kind, sandbox id), grants by their own id,
 * so a retried or concurrent write of the same fact is a no-op (the store's appendOnce refuses the second).
 */
const LedgerEntry = zod__WEBPACK_IMPORTED_MODULE_3__/* .object */ .Ikc({
    kind: LedgerKind,
    amount_usd: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().regex(_core_money_ts__WEBPACK_IMPORTED_MODULE_4__/* .DECIMAL_RE */ .sd),
    at: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().datetime({ offset: true }),
    sandbox_id: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().optional(),
    extension_id: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().optional(),
    grant_id: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().optional(),
    note: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().optional(),
})
    .strict();
const BalanceMode = zod__WEBPACK_IMPORTED_MODULE_3__/* ["enum"] */ .k5n(['unlimited', 'budget', 'ledger']);
const Balance = zod__WEBPACK_IMPORTED_MODULE_3__/* .object */ .Ikc({
    /** `unlimited` until a grant exists or SANDBOXER_BUDGET_USD is set: then creates are checked. */
    mode: BalanceMode,
    granted_usd: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP(),
    budget_usd: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().optional(),
    debited_usd: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP(),
    held_usd: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP(),
    live_holds: zod__WEBPACK_IMPORTED_MODULE_3__/* .number */ .aig().int().nonnegative(),
    /** grants + budget − debits − live holds; absent when unlimited. */
    balance_usd: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().optional(),
})
    .strict();
const GRANT_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const entryKey = (kind, sandboxId) => `${kind}.${sandboxId}`;
/** SANDBOXER_BUDGET_USD: a spending ceiling added to the grants of this state store (per run in Actions). */
function budgetFromEnv(env) {
    const raw = env.SANDBOXER_BUDGET_USD?.trim();
    if (!raw)
        return undefined;
    if (!_core_money_ts__WEBPACK_IMPORTED_MODULE_4__/* .DECIMAL_RE */ .sd.test(raw))
        throw new _core_errors_ts__WEBPACK_IMPORTED_MODULE_1__/* .SandboxerError */ .j8('validation', `SANDBOXER_BUDGET_USD '${raw}' is not a decimal amount`, {
            hint: 'set it to a non-negative amount in dollars, e.g. SANDBOXER_BUDGET_USD=5 or 0.50',
        });
    return (0,_core_money_ts__WEBPACK_IMPORTED_MODULE_4__/* .toMicros */ .tO)(raw);
}
/** Parse a user-given positive dollar amount (`credits add 10`, `$2.50`). */
function parseAmount(input) {
    const raw = input.trim().replace(/^\$/, '');
    if (!_core_money_ts__WEBPACK_IMPORTED_MODULE_4__/* .DECIMAL_RE */ .sd.test(raw) || (0,_core_money_ts__WEBPACK_IMPORTED_MODULE_4__/* .toMicros */ .tO)(raw) <= 0n)
        throw (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_1__/* .usageError */ .Wp)(`'${input}' is not a positive amount`, 'give dollars as a decimal, e.g. 10 or 2.50');
    return (0,_core_money_ts__WEBPACK_IMPORTED_MODULE_4__/* .fromMicros */ .SQ)((0,_core_money_ts__WEBPACK_IMPORTED_MODULE_4__/* .toMicros */ .tO)(raw));
}
/**
 * The credits ledger: append-only entries in the state store. Balance = grants (+ budget) − debits − live holds,
 * where a hold is live until a debit or a release for the same sandbox exists. Nothing is ever rewritten, so
 * concurrent processes cannot lose an update.
 */
class Ledger {
    store;
    now;
    constructor(store, now = () => new Date().toISOString()) {
        this.store = store;
        this.now = now;
    }
    async entries() {
        const rows = await this.store.readCollection(LEDGER_COLLECTION);
        const out = [];
        for (const { key, value } of rows) {
            const parsed = LedgerEntry.safeParse(value);
            if (!parsed.success)
                throw new _core_errors_ts__WEBPACK_IMPORTED_MODULE_1__/* .SandboxerError */ .j8('state_store', `ledger entry ${key} in ${this.store.location} is malformed`, {
                    hint: 'it was edited by hand or written by an incompatible version; move it aside to continue',
                });
            out.push({ key, entry: parsed.data });
        }
        return out.sort((a, b) => a.entry.at.localeCompare(b.entry.at) || a.key.localeCompare(b.key));
    }
    /** Add credits. With an id the grant is idempotent (a retried `credits add --id X` adds once). */
    async grant(amountUsd, opts = {}) {
        const id = opts.id ?? `${Date.now().toString(36)}-${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(4).toString('hex')}`;
        if (!GRANT_ID_RE.test(id))
            throw (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_1__/* .usageError */ .Wp)(`grant id '${id}' is not valid`, 'use letters, digits, dot, dash or underscore (max 64)');
        const added = await this.store.appendOnce(LEDGER_COLLECTION, `grant.${id}`, {
            kind: 'grant',
            amount_usd: parseAmount(amountUsd),
            at: this.now(),
            grant_id: id,
            ...(opts.note ? { note: opts.note } : {}),
        });
        return { added, id };
    }
    /** Reserve the estimate of a sandbox; false when a hold for it already exists. */
    hold(record, amountUsd) {
        return this.append('hold', record, amountUsd);
    }
    /** Post the actual cost of a settled sandbox; false when it was already debited. */
    debit(record, amountUsd) {
        return this.append('debit', record, amountUsd);
    }
    /** Void the hold of a sandbox (refused create, failed provisioning, or settled). */
    release(record, amountUsd, note) {
        return this.append('release', record, amountUsd, note);
    }
    append(kind, record, amountUsd, note) {
        return this.store.appendOnce(LEDGER_COLLECTION, entryKey(kind, record.id), {
            kind,
            amount_usd: (0,_core_money_ts__WEBPACK_IMPORTED_MODULE_4__/* .fromMicros */ .SQ)((0,_core_money_ts__WEBPACK_IMPORTED_MODULE_4__/* .toMicros */ .tO)(amountUsd)),
            at: this.now(),
            sandbox_id: record.id,
            extension_id: record.extension_id,
            ...(note ? { note } : {}),
        });
    }
    async balance(env = {}) {
        return computeBalance((await this.entries()).map((e) => e.entry), budgetFromEnv(env));
    }
    /**
     * Settle what a crash left half-done: a terminal sandbox with a meter but no debit gets its debit, and a
     * terminal sandbox's live hold is released. Idempotent; returns how many entries it wrote.
     */
    async reconcile(records) {
        const all = await this.entries();
        const keys = new Set(all.map((e) => e.key));
        const holds = new Map(all.filter((e) => e.entry.kind === 'hold').map((e) => [e.entry.sandbox_id, e.entry]));
        let wrote = 0;
        for (const r of records) {
            if (!(0,_core_lifecycle_ts__WEBPACK_IMPORTED_MODULE_2__/* .isTerminal */ .Hd)(r.state))
                continue;
            if (r.meter && !keys.has(entryKey('debit', r.id)) && (await this.debit(r, r.meter.actual_usd)))
                wrote++;
            const hold = holds.get(r.id);
            if (hold &&
                !keys.has(entryKey('release', r.id)) &&
                (await this.release(r, hold.amount_usd, 'reconciled')))
                wrote++;
        }
        return wrote;
    }
}
function computeBalance(entries, budget) {
    let granted = 0n;
    let debited = 0n;
    const holds = new Map();
    const closed = new Set();
    for (const e of entries) {
        const amount = (0,_core_money_ts__WEBPACK_IMPORTED_MODULE_4__/* .toMicros */ .tO)(e.amount_usd);
        if (e.kind === 'grant')
            granted += amount;
        else if (e.kind === 'debit') {
            debited += amount;
            closed.add(e.sandbox_id);
        }
        else if (e.kind === 'release')
            closed.add(e.sandbox_id);
        else
            holds.set(e.sandbox_id, amount);
    }
    let held = 0n;
    let live = 0;
    for (const [id, amount] of holds) {
        if (closed.has(id))
            continue;
        held += amount;
        live++;
    }
    const hasGrants = entries.some((e) => e.kind === 'grant');
    const mode = hasGrants ? 'ledger' : budget !== undefined ? 'budget' : 'unlimited';
    return {
        mode,
        granted_usd: (0,_core_money_ts__WEBPACK_IMPORTED_MODULE_4__/* .fromMicros */ .SQ)(granted),
        ...(budget !== undefined ? { budget_usd: (0,_core_money_ts__WEBPACK_IMPORTED_MODULE_4__/* .fromMicros */ .SQ)(budget) } : {}),
        debited_usd: (0,_core_money_ts__WEBPACK_IMPORTED_MODULE_4__/* .fromMicros */ .SQ)(debited),
        held_usd: (0,_core_money_ts__WEBPACK_IMPORTED_MODULE_4__/* .fromMicros */ .SQ)(held),
        live_holds: live,
        ...(mode === 'unlimited' ? {} : { balance_usd: (0,_core_money_ts__WEBPACK_IMPORTED_MODULE_4__/* .fromMicros */ .SQ)(granted + (budget ?? 0n) - debited - held) }),
    };
}


/***/ }),

/***/ 21501:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   L4: () => (/* binding */ estimateFromPricing),
/* harmony export */   mw: () => (/* binding */ meterFromPricing)
/* harmony export */ });
/* unused harmony exports costMicros, pricingBasis */
/* harmony import */ var _core_money_ts__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(34247);

/** Cost of running `resources` for `seconds` under a per-second price list, in micro-dollars. */
function costMicros(pricing, resources, seconds) {
    if (pricing.model === 'free')
        return 0n;
    const billed = Math.max(seconds, pricing.minimum_seconds);
    const parts = [];
    if (pricing.per_second_usd)
        parts.push((0,_core_money_ts__WEBPACK_IMPORTED_MODULE_0__/* .multiplyRate */ .fy)(pricing.per_second_usd, billed));
    if (pricing.per_vcpu_second_usd)
        parts.push((0,_core_money_ts__WEBPACK_IMPORTED_MODULE_0__/* .multiplyRate */ .fy)(pricing.per_vcpu_second_usd, billed * resources.cpu));
    if (pricing.per_gib_second_usd) {
        parts.push((0,_core_money_ts__WEBPACK_IMPORTED_MODULE_0__/* .multiplyRate */ .fy)(pricing.per_gib_second_usd, (billed * resources.memory_mib) / 1024));
    }
    if (pricing.per_gpu_second_usd && resources.gpu_count > 0) {
        parts.push((0,_core_money_ts__WEBPACK_IMPORTED_MODULE_0__/* .multiplyRate */ .fy)(pricing.per_gpu_second_usd, billed * resources.gpu_count));
    }
    return (0,_core_money_ts__WEBPACK_IMPORTED_MODULE_0__/* .sumMicros */ .nt)(parts);
}
function pricingBasis(pricing, resources, seconds) {
    if (pricing.model === 'free')
        return 'free';
    const rates = [
        pricing.per_second_usd && `${pricing.per_second_usd}/s`,
        pricing.per_vcpu_second_usd && `${pricing.per_vcpu_second_usd}/vCPU-s × ${resources.cpu}`,
        pricing.per_gib_second_usd &&
            `${pricing.per_gib_second_usd}/GiB-s × ${(resources.memory_mib / 1024).toFixed(3)}`,
        pricing.per_gpu_second_usd &&
            resources.gpu_count > 0 &&
            `${pricing.per_gpu_second_usd}/GPU-s × ${resources.gpu_count}`,
    ].filter(Boolean);
    return `${seconds}s × (${rates.join(' + ')})`;
}
function estimateFromPricing(pricing, resources, ttl_s) {
    return {
        usd: (0,_core_money_ts__WEBPACK_IMPORTED_MODULE_0__/* .fromMicros */ .SQ)(costMicros(pricing, resources, ttl_s)),
        basis: pricingBasis(pricing, resources, ttl_s),
    };
}
/** The actual meter from the real start and end times (whole seconds, rounded up as providers bill). */
function meterFromPricing(pricing, resources, started_at, ended_at) {
    const duration_s = Math.max(0, Math.ceil((Date.parse(ended_at) - Date.parse(started_at)) / 1000));
    const flat = { model: pricing.model, currency: pricing.currency };
    for (const k of [
        'per_second_usd',
        'per_vcpu_second_usd',
        'per_gib_second_usd',
        'per_gpu_second_usd',
    ]) {
        if (pricing[k])
            flat[k] = pricing[k];
    }
    flat.cpu = resources.cpu;
    flat.memory_mib = resources.memory_mib;
    if (resources.gpu_count)
        flat.gpu_count = resources.gpu_count;
    return {
        duration_s,
        actual_usd: (0,_core_money_ts__WEBPACK_IMPORTED_MODULE_0__/* .fromMicros */ .SQ)(costMicros(pricing, resources, duration_s)),
        started_at,
        ended_at,
        pricing: flat,
    };
}


/***/ }),

/***/ 12020:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   BJ: () => (/* binding */ LatencyRecorder),
/* harmony export */   ju: () => (/* binding */ LatencyHistory)
/* harmony export */ });
/* unused harmony exports LATENCY_COLLECTION, LATENCY_WINDOW, LatencySample */
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(12311);
/* harmony import */ var _core_clock_ts__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(32257);


/** The state-store collection of time-to-ready samples (one append-once entry per sandbox that became ready). */
const LATENCY_COLLECTION = 'latency';
/** Samples kept per extension; older ones are pruned by the recorder. */
const LATENCY_WINDOW = 20;
const LatencySample = zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({
    extension_id: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP(),
    sandbox_id: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP(),
    ready_s: zod__WEBPACK_IMPORTED_MODULE_1__/* .number */ .aig().nonnegative(),
    at: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP(),
})
    .strict();
async function samplesByExtension(store) {
    const out = new Map();
    for (const { key, value } of await store.readCollection(LATENCY_COLLECTION)) {
        const r = LatencySample.safeParse(value);
        if (!r.success)
            continue;
        const list = out.get(r.data.extension_id) ?? [];
        list.push({ key, s: r.data });
        out.set(r.data.extension_id, list);
    }
    for (const list of out.values())
        list.sort((a, b) => a.s.at.localeCompare(b.s.at));
    return out;
}
const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
/** Time-to-ready per extension: the median of the recent samples, else the manifest's `latency.default_ready_s`. */
class LatencyHistory {
    store;
    constructor(store) {
        this.store = store;
    }
    async estimates(manifests) {
        const byExt = this.store ? await samplesByExtension(this.store) : new Map();
        const out = new Map();
        for (const m of manifests) {
            const recent = (byExt.get(m.id) ?? [])
                .slice(-LATENCY_WINDOW)
                .map((e) => e.s.ready_s);
            out.set(m.id, recent.length
                ? { latency_s: Math.round(median(recent) * 1000) / 1000, source: 'history', samples: recent.length }
                : { latency_s: m.latency.default_ready_s, source: 'default', samples: 0 });
        }
        return out;
    }
}
/**
 * Records time-to-ready: from the start of the attempt on the extension that became ready (after any fallback)
 * to the `ready` transition. Attempts started in another process fall back to the record's `provisioning` entry.
 */
class LatencyRecorder {
    store;
    clock;
    name = 'latency-recorder';
    started = new Map();
    constructor(store, clock = _core_clock_ts__WEBPACK_IMPORTED_MODULE_0__/* .systemClock */ .m) {
        this.store = store;
        this.clock = clock;
    }
    async beforeProvision({ record }) {
        this.started.set(record.id, { extension_id: record.extension_id, at: this.clock.now().getTime() });
    }
    async onTransition({ record, to }) {
        if (to !== 'ready') {
            if (to !== 'provisioning')
                this.started.delete(record.id);
            return;
        }
        const mine = this.started.get(record.id);
        this.started.delete(record.id);
        const start = mine?.extension_id === record.extension_id
            ? mine.at
            : Date.parse(record.history.find((h) => h.to === 'provisioning')?.at ?? '');
        const end = Date.parse(record.ready_at ?? '') || this.clock.now().getTime();
        if (!Number.isFinite(start) || end < start)
            return;
        const sample = {
            extension_id: record.extension_id,
            sandbox_id: record.id,
            ready_s: Math.round(end - start) / 1000,
            at: new Date(end).toISOString(),
        };
        await this.store.appendOnce(LATENCY_COLLECTION, `${record.extension_id}.${record.id}`, sample);
        const list = (await samplesByExtension(this.store)).get(record.extension_id) ?? [];
        for (const old of list.slice(0, Math.max(0, list.length - LATENCY_WINDOW)))
            await this.store.removeFromCollection(LATENCY_COLLECTION, old.key);
    }
}


/***/ }),

/***/ 9496:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  h: () => (/* binding */ StrategyRouter)
});

// EXTERNAL MODULE: ./src/catalog/loader.ts + 1 modules
var loader = __webpack_require__(35766);
// EXTERNAL MODULE: ./src/catalog/schema.ts
var schema = __webpack_require__(53596);
// EXTERNAL MODULE: ./src/credentials/index.ts + 4 modules
var credentials = __webpack_require__(28000);
// EXTERNAL MODULE: ./src/payments/pricing.ts
var pricing = __webpack_require__(21501);
// EXTERNAL MODULE: ./src/routing/latency.ts
var latency = __webpack_require__(12020);
// EXTERNAL MODULE: ./src/core/money.ts
var money = __webpack_require__(34247);
;// CONCATENATED MODULE: ./src/routing/strategies.ts

const byDeclared = (a, b) => a.declared - b.declared;
const cost = (r) => r.estimate_usd === undefined ? Number.MAX_SAFE_INTEGER : Number((0,money/* toMicros */.tO)(r.estimate_usd));
const strategies_latency = (r) => r.latency_s ?? Number.MAX_SAFE_INTEGER;
/** Each strategy orders eligible candidates; ties keep the profile's declared order. */
const COMPARE = {
    explicit: byDeclared,
    'prefer-self-hosted': (a, b) => Number(b.kind === 'self-hosted') - Number(a.kind === 'self-hosted') || byDeclared(a, b),
    'lowest-cost': (a, b) => cost(a) - cost(b) || byDeclared(a, b),
    'lowest-latency': (a, b) => strategies_latency(a) - strategies_latency(b) || byDeclared(a, b),
};
function rank(strategy, candidates) {
    return [...candidates].sort(COMPARE[strategy]);
}
/** Why a candidate holds its place, in words for `route explain` and the recorded route. */
function rankReason(strategy, c, position) {
    const place = position === 1 ? 'first' : `#${position}`;
    switch (strategy) {
        case 'explicit':
            return `${place} in the profile's declared order`;
        case 'prefer-self-hosted':
            return `${place}: ${c.kind}${c.kind === 'self-hosted' ? ' (preferred)' : ''}, then declared order`;
        case 'lowest-cost':
            return `${place} by estimated cost ($${c.estimate_usd ?? '?'})`;
        case 'lowest-latency':
            return `${place} by time-to-ready (${c.latency_s ?? '?'}s)`;
    }
}

;// CONCATENATED MODULE: ./src/routing/router.ts






/**
 * Routes a profile over its candidates with the profile's strategy (or the request's override). A candidate is
 * eligible when it has an implementation and its required credentials resolve; eligible ones are ranked by the
 * strategy, and create tries them in that order, falling back on retryable failures.
 */
class StrategyRouter {
    deps;
    latency;
    constructor(deps) {
        this.deps = deps;
        this.latency = new latency/* LatencyHistory */.ju(deps.store);
    }
    async explain(req) {
        const { profile } = req;
        const strategy = req.strategy ?? profile.route?.strategy ?? 'explicit';
        const manifests = (0,schema/* profileCandidates */.qc)(profile).map((id) => (0,loader/* getExtensionManifest */.Vq)(this.deps.catalog, id));
        const latencies = await this.latency.estimates(manifests);
        const ctx = { env: req.env, ...(req.signal ? { signal: req.signal } : {}) };
        const evaluated = [];
        for (const [declared, manifest] of manifests.entries()) {
            const implemented = this.deps.registry.has(manifest.id);
            const lat = latencies.get(manifest.id);
            const checks = await this.deps.credentials.check((0,credentials/* credentialSpecsFor */.F)(manifest, profile), ctx);
            const required = checks.filter((c) => c.required);
            const missing = required.filter((c) => c.status === 'missing');
            // Without an implementation the manifest's price list still gives an estimate worth showing.
            const estimate = implemented
                ? this.deps.registry
                    .get(manifest)
                    .estimateCost({ resources: profile.resources, ttl_s: req.ttl_s, manifest })
                : (0,pricing/* estimateFromPricing */.L4)(manifest.pricing, profile.resources, req.ttl_s);
            const skip = !implemented
                ? 'no implementation registered'
                : missing.length
                    ? missing.map((m) => `credential ${m.name} (${m.secret_ref}) unavailable: ${m.reason}`).join('; ')
                    : undefined;
            evaluated.push({
                declared,
                extension_id: manifest.id,
                kind: manifest.kind,
                implemented,
                eligible: skip === undefined,
                reason: skip ?? 'eligible',
                decision: 'skipped',
                estimate_usd: estimate.usd,
                estimate_basis: estimate.basis,
                latency_s: lat.latency_s,
                latency_source: lat.source,
                latency_samples: lat.samples,
                credentials: required.length === 0 ? 'not_required' : missing.length ? 'missing' : 'ok',
                credential_checks: checks,
                ...(skip ? { outcome: 'skipped' } : {}),
            });
        }
        const ordered = rank(strategy, evaluated.filter((c) => c.eligible)).map((c, i) => ({
            ...c,
            rank: i + 1,
            decision: i === 0 ? 'picked' : 'fallback',
            reason: `${i === 0 ? 'picked' : 'fallback'}: ${rankReason(strategy, c, i + 1)}`,
        }));
        const skipped = evaluated
            .filter((c) => !c.eligible)
            .map((c) => ({ ...c, reason: `skipped: ${c.reason}` }));
        return {
            profile_id: profile.id,
            strategy,
            ttl_s: req.ttl_s,
            ...(ordered[0] ? { picked: ordered[0].extension_id } : {}),
            order: ordered.map((c) => c.extension_id),
            candidates: [...ordered, ...skipped].map(({ declared: _declared, ...c }) => c),
        };
    }
    async plan(req) {
        const x = await this.explain(req);
        const candidates = x.candidates.map((c) => ({
            extension_id: c.extension_id,
            eligible: c.eligible,
            reason: c.reason,
            ...(c.estimate_usd !== undefined ? { estimate_usd: c.estimate_usd } : {}),
            ...(c.latency_s !== undefined ? { latency_s: c.latency_s } : {}),
            ...(c.credentials ? { credentials: c.credentials } : {}),
            ...(c.outcome ? { outcome: c.outcome } : {}),
        }));
        return { decision: { strategy: x.strategy, candidates }, order: x.order };
    }
}


/***/ }),

/***/ 80064:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  n: () => (/* binding */ FileStateStore)
});

// EXTERNAL MODULE: ./src/core/ids.ts
var ids = __webpack_require__(89921);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(74296);
// EXTERNAL MODULE: ./src/core/record.ts
var core_record = __webpack_require__(14130);
;// CONCATENATED MODULE: ./src/state/store.ts

const COLLECTION_RE = /^[a-z][a-z0-9-]*$/;
const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
/** Collection names and keys become file and artifact names: every store checks them the same way. */
function assertCollectionKey(collection, key) {
    if (!COLLECTION_RE.test(collection))
        throw new errors/* SandboxerError */.j8('internal', `bad collection name ${collection}`);
    if (key !== undefined && !KEY_RE.test(key))
        throw new errors/* SandboxerError */.j8('internal', `bad collection key ${key}`);
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
;// CONCATENATED MODULE: ./src/state/file/atomic.ts


/** Write a file so readers see the old or the new content, never a torn one (temp file + fsync + rename). */
async function writeFileAtomic(path, data) {
    const tmp = `${path}.${process.pid}.${(0,external_node_crypto_.randomBytes)(4).toString('hex')}.tmp`;
    const fh = await (0,promises_.open)(tmp, 'w', 0o600);
    try {
        await fh.writeFile(data);
        await fh.sync();
    }
    finally {
        await fh.close();
    }
    try {
        await (0,promises_.rename)(tmp, path);
    }
    catch (err) {
        await (0,promises_.rm)(tmp, { force: true });
        throw err;
    }
}
/** Create a file only if it does not exist. Returns false when it already exists. */
async function writeFileExclusive(path, data) {
    // Write to a temp name first, then link into place: a crash never leaves a half-written entry under the key.
    const { link } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 51455, 23));
    const tmp = `${path}.${process.pid}.${(0,external_node_crypto_.randomBytes)(4).toString('hex')}.tmp`;
    const fh = await (0,promises_.open)(tmp, 'w', 0o600);
    try {
        await fh.writeFile(data);
        await fh.sync();
    }
    finally {
        await fh.close();
    }
    try {
        await link(tmp, path);
        return true;
    }
    catch (err) {
        if (err.code === 'EEXIST')
            return false;
        throw err;
    }
    finally {
        await (0,promises_.rm)(tmp, { force: true });
    }
}

// EXTERNAL MODULE: ./src/core/sleep.ts
var sleep = __webpack_require__(56312);
;// CONCATENATED MODULE: ./src/state/file/lock.ts



/**
 * A cross-process lock: a lock file created with O_EXCL. A holder that died leaves a stale file, which is
 * taken over after `staleMs` by renaming it away (rename is atomic, so only one waiter wins the takeover).
 */
async function withFileLock(lockPath, fn, opts = {}) {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const staleMs = opts.staleMs ?? 15_000;
    const deadline = Date.now() + timeoutMs;
    let delay = 2;
    for (;;) {
        try {
            const fh = await (0,promises_.open)(lockPath, 'wx');
            await fh.writeFile(`${process.pid} ${new Date().toISOString()}\n`);
            await fh.close();
            break;
        }
        catch (err) {
            if (err.code !== 'EEXIST')
                throw err;
            try {
                const st = await (0,promises_.stat)(lockPath);
                if (Date.now() - st.mtimeMs > staleMs || (await holderIsDead(lockPath))) {
                    const aside = `${lockPath}.stale-${process.pid}-${Date.now()}`;
                    await (0,promises_.rename)(lockPath, aside).catch(() => { });
                    await (0,promises_.rm)(aside, { force: true }).catch(() => { });
                    continue;
                }
            }
            catch {
                continue; // vanished between open and stat: try again at once
            }
            if (Date.now() > deadline) {
                throw new errors/* SandboxerError */.j8('state_store', `timed out waiting for lock ${lockPath}`, {
                    retryable: true,
                    hint: 'another sandboxer process holds it; if none is running, delete the lock file',
                });
            }
            await (0,sleep/* sleep */.y)(delay + Math.random() * delay);
            delay = Math.min(delay * 2, 50);
        }
    }
    try {
        return await fn();
    }
    finally {
        await (0,promises_.rm)(lockPath, { force: true });
    }
}
async function holderIsDead(lockPath) {
    try {
        const pid = Number((await (0,promises_.readFile)(lockPath, 'utf8')).split(' ')[0]);
        if (!Number.isInteger(pid) || pid <= 0)
            return false;
        process.kill(pid, 0);
        return false;
    }
    catch (err) {
        return err.code === 'ESRCH';
    }
}

;// CONCATENATED MODULE: ./src/state/file/file-store.ts








/**
 * One JSON file per record (`sandboxes/<id>.json`), so concurrent creates never contend; updates of one record
 * are serialised by a per-record lock file. Collections are directories of immutable, exclusively created files.
 */
class FileStateStore {
    dir;
    kind = 'file';
    location;
    ready;
    constructor(dir) {
        this.dir = dir;
        this.location = dir;
    }
    init() {
        this.ready ??= (async () => {
            for (const d of ['sandboxes', 'snapshots', 'locks', 'collections']) {
                await (0,promises_.mkdir)((0,external_node_path_.join)(this.dir, d), { recursive: true, mode: 0o700 });
            }
        })();
        return this.ready;
    }
    async readJson(file, schema) {
        let text;
        try {
            text = await (0,promises_.readFile)(file, 'utf8');
        }
        catch (err) {
            if (err.code === 'ENOENT')
                return undefined;
            throw err;
        }
        let raw;
        try {
            raw = JSON.parse(text);
        }
        catch {
            throw new errors/* SandboxerError */.j8('state_store', `state file ${file} is not valid JSON`, {
                hint: 'it was edited by hand or the disk is damaged; move it aside to continue',
            });
        }
        const parsed = schema.safeParse(raw);
        if (!parsed.success) {
            const issue = parsed.error.issues[0];
            throw new errors/* SandboxerError */.j8('state_store', `state file ${file}: ${issue.path.join('.')}: ${issue.message}`, {
                hint: 'this state was written by an incompatible version or edited by hand; move it aside to continue',
            });
        }
        return parsed.data;
    }
    sandboxFile(id) {
        if (!ids/* SANDBOX_ID_RE */.aY.test(id))
            throw (0,errors/* notFound */.mX)('sandbox', id);
        return (0,external_node_path_.join)(this.dir, 'sandboxes', `${id}.json`);
    }
    async createSandbox(record) {
        await this.init();
        const ok = await writeFileExclusive(this.sandboxFile(record.id), JSON.stringify(core_record/* SandboxRecord */.Vg.parse(record), null, 2));
        if (!ok)
            throw new errors/* SandboxerError */.j8('conflict', `sandbox ${record.id} already exists`);
    }
    async getSandbox(id) {
        await this.init();
        if (!ids/* SANDBOX_ID_RE */.aY.test(id))
            return undefined;
        return this.readJson(this.sandboxFile(id), core_record/* SandboxRecord */.Vg);
    }
    async listSandboxes() {
        return this.listDir('sandboxes', core_record/* SandboxRecord */.Vg);
    }
    async listDir(sub, schema) {
        await this.init();
        const names = (await (0,promises_.readdir)((0,external_node_path_.join)(this.dir, sub))).filter((n) => n.endsWith('.json'));
        const out = [];
        for (const n of names) {
            const r = await this.readJson((0,external_node_path_.join)(this.dir, sub, n), schema);
            if (r)
                out.push(r);
        }
        const key = (r) => r;
        return out.sort((a, b) => key(a).created_at.localeCompare(key(b).created_at) || key(a).id.localeCompare(key(b).id));
    }
    async updateSandbox(id, fn) {
        await this.init();
        const file = this.sandboxFile(id);
        return withFileLock((0,external_node_path_.join)(this.dir, 'locks', `${id}.lock`), async () => {
            const current = await this.readJson(file, core_record/* SandboxRecord */.Vg);
            if (!current)
                throw (0,errors/* notFound */.mX)('sandbox', id);
            const next = core_record/* SandboxRecord */.Vg.parse({ ...fn(current), revision: current.revision + 1 });
            await writeFileAtomic(file, JSON.stringify(next, null, 2));
            return next;
        });
    }
    async putSnapshot(record) {
        await this.init();
        await writeFileAtomic((0,external_node_path_.join)(this.dir, 'snapshots', `${record.id}.json`), JSON.stringify(core_record/* SnapshotRecord */.UL.parse(record), null, 2));
    }
    async getSnapshot(id) {
        await this.init();
        if (!ids/* SNAPSHOT_ID_RE */.L7.test(id))
            return undefined;
        return this.readJson((0,external_node_path_.join)(this.dir, 'snapshots', `${id}.json`), core_record/* SnapshotRecord */.UL);
    }
    async listSnapshots() {
        return this.listDir('snapshots', core_record/* SnapshotRecord */.UL);
    }
    collectionDir(collection) {
        assertCollectionKey(collection);
        return (0,external_node_path_.join)(this.dir, 'collections', collection);
    }
    async appendOnce(collection, key, value) {
        await this.init();
        assertCollectionKey(collection, key);
        const dir = this.collectionDir(collection);
        await (0,promises_.mkdir)(dir, { recursive: true, mode: 0o700 });
        return writeFileExclusive((0,external_node_path_.join)(dir, `${key}.json`), JSON.stringify(value));
    }
    async readCollection(collection) {
        await this.init();
        const dir = this.collectionDir(collection);
        let names;
        try {
            names = (await (0,promises_.readdir)(dir)).filter((n) => n.endsWith('.json')).sort();
        }
        catch (err) {
            if (err.code === 'ENOENT')
                return [];
            throw err;
        }
        const out = [];
        for (const n of names) {
            try {
                out.push({ key: n.slice(0, -5), value: JSON.parse(await (0,promises_.readFile)((0,external_node_path_.join)(dir, n), 'utf8')) });
            }
            catch (err) {
                if (err.code !== 'ENOENT')
                    throw err;
            }
        }
        return out;
    }
    async removeFromCollection(collection, key) {
        await this.init();
        assertCollectionKey(collection, key);
        await (0,promises_.rm)((0,external_node_path_.join)(this.collectionDir(collection), `${key}.json`), { force: true });
    }
}


/***/ })

};
