export const id = 329;
export const ids = [329];
export const modules = {

/***/ 66091:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  main: () => (/* binding */ main)
});

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(57975);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(74296);
// EXTERNAL MODULE: ./src/core/logger.ts
var logger = __webpack_require__(11227);
// EXTERNAL MODULE: ./src/manager/factory.ts + 14 modules
var factory = __webpack_require__(76453);
// EXTERNAL MODULE: ./src/credentials/index.ts + 4 modules
var credentials = __webpack_require__(28000);
// EXTERNAL MODULE: ./src/catalog/schema.ts
var schema = __webpack_require__(53596);
;// CONCATENATED MODULE: ./src/cli/output.ts
function table(rows, columns) {
    if (rows.length === 0)
        return '(none)';
    const cells = rows.map((r) => columns.map((c) => (r[c] === undefined || r[c] === null ? '-' : String(r[c]))));
    const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
    const line = (vals) => vals
        .map((v, i) => v.padEnd(widths[i]))
        .join('  ')
        .trimEnd();
    return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}
function describeRecord(r) {
    const lines = [
        ['id', r.id],
        ['state', r.state],
        ['profile', `${r.profile_id}@${r.profile_version}`],
        ['extension', r.extension_id],
        ['created', r.created_at],
        ['ready', r.ready_at],
        ['expires', r.expires_at],
        ['destroyed', r.destroyed_at],
        ['estimate', r.estimate_usd && `$${r.estimate_usd}`],
        ['actual', r.meter && `$${r.meter.actual_usd} (${r.meter.duration_s}s)`],
        ['route', r.route && `${r.route.strategy} → ${r.route.chosen ?? '-'}`],
        [
            'handle',
            Object.keys(r.handle).length
                ? Object.entries(r.handle)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(' ')
                : undefined,
        ],
        [
            'placement',
            Object.keys(r.placement).length
                ? Object.entries(r.placement)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(' ')
                : undefined,
        ],
        [
            'inputs',
            Object.keys(r.inputs).length
                ? Object.entries(r.inputs)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(' ')
                : undefined,
        ],
        ['error', r.error && `${r.error.code}: ${r.error.message}`],
    ];
    return lines
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k.padEnd(10)} ${v}`)
        .join('\n');
}
const recordRow = (r) => ({
    id: r.id,
    state: r.state,
    profile: r.profile_id,
    extension: r.extension_id,
    created: r.created_at,
    expires: r.expires_at,
    cost: r.meter ? `$${r.meter.actual_usd}` : r.estimate_usd ? `~$${r.estimate_usd}` : undefined,
});
const RECORD_COLUMNS = ['id', 'state', 'profile', 'extension', 'created', 'expires', 'cost'];

;// CONCATENATED MODULE: ./src/cli/commands/catalog.ts


const profilesList = {
    name: 'profiles list',
    summary: 'List the profiles in the catalog',
    usage: 'sandboxer profiles list [--json]',
    async run(ctx) {
        const { catalog } = ctx.manager();
        const profiles = [...catalog.profiles.values()].map((e) => ({ ...e.value, file: e.file }));
        if (ctx.json)
            return ctx.out(JSON.stringify(profiles, null, 2));
        ctx.out(table(profiles.map((p) => ({
            id: p.id + (p.id === catalog.defaultProfileId ? ' (default)' : ''),
            version: p.version,
            backends: (0,schema/* profileCandidates */.qc)(p).join(' → '),
            strategy: p.route?.strategy ?? 'explicit',
            ttl: p.ttl.default,
            description: p.description,
        })), ['id', 'version', 'backends', 'strategy', 'ttl', 'description']));
    },
};
const extensionsList = {
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
        if (ctx.json)
            return ctx.out(JSON.stringify(exts, null, 2));
        ctx.out(table(exts.map((e) => ({
            id: e.id,
            version: e.version,
            kind: e.kind,
            pricing: e.pricing.model,
            capabilities: Object.entries(e.capabilities)
                .filter(([, v]) => v)
                .map(([k]) => k)
                .join(',') || '-',
            implemented: e.implemented ? 'yes' : 'no',
        })), ['id', 'version', 'kind', 'pricing', 'capabilities', 'implemented']));
    },
};
const catalogCommands = [profilesList, extensionsList];

// EXTERNAL MODULE: ./src/payments/ledger.ts
var payments_ledger = __webpack_require__(31474);
;// CONCATENATED MODULE: ./src/cli/commands/credits.ts



function describeBalance(b) {
    const lines = [
        [
            'mode',
            b.mode === 'unlimited'
                ? 'unlimited (no grants and no SANDBOXER_BUDGET_USD: spend is recorded, creates are not checked)'
                : b.mode,
        ],
        ['balance', b.balance_usd !== undefined ? `$${b.balance_usd}` : undefined],
        ['granted', `$${b.granted_usd}`],
        ['budget', b.budget_usd !== undefined ? `$${b.budget_usd} (SANDBOXER_BUDGET_USD)` : undefined],
        ['debited', `$${b.debited_usd}`],
        ['held', `$${b.held_usd} (${b.live_holds} live hold${b.live_holds === 1 ? '' : 's'})`],
    ];
    return lines
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k.padEnd(8)} ${v}`)
        .join('\n');
}
const creditsShow = {
    name: 'credits show',
    summary: 'Show the credits balance: grants (+ budget) − debits − live holds',
    usage: 'sandboxer credits show [--entries] [--json]',
    details: [
        'The ledger lives in the state store (SANDBOXER_STATE_DIR). Until a grant exists or SANDBOXER_BUDGET_USD is',
        'set, credits are unlimited: holds and debits are still recorded, but no create is refused.',
        'Examples:',
        '  sandboxer credits show',
        '  sandboxer credits show --entries --json',
    ].join('\n'),
    options: { entries: { type: 'boolean' } },
    async run(ctx, { values }) {
        const ledger = new payments_ledger/* Ledger */.Oc(ctx.manager().store);
        const balance = await ledger.balance(ctx.env);
        const entries = values.entries ? await ledger.entries() : undefined;
        if (ctx.json) {
            ctx.out(JSON.stringify({ ...balance, ...(entries ? { entries: entries.map((e) => e.entry) } : {}) }, null, 2));
            return;
        }
        const parts = [describeBalance(balance)];
        if (entries)
            parts.push('', table(entries.map(({ entry: e }) => ({
                at: e.at,
                kind: e.kind,
                amount: `$${e.amount_usd}`,
                sandbox: e.sandbox_id ?? e.grant_id,
                note: e.note,
            })), ['at', 'kind', 'amount', 'sandbox', 'note']));
        ctx.out(parts.join('\n'));
    },
};
const creditsAdd = {
    name: 'credits add',
    summary: 'Add credits (a grant) to the ledger',
    usage: 'sandboxer credits add AMOUNT [--id GRANT_ID] [--note TEXT] [--json]',
    details: [
        'AMOUNT is in dollars (10, 2.50). With --id the grant is idempotent: repeating the command adds it once.',
        'The first grant switches credits from unlimited to checked: a create whose estimate the balance cannot',
        'cover is then refused.',
        'Examples:',
        '  sandboxer credits add 10',
        '  sandboxer credits add 25 --id invoice-2026-11 --note "November top-up"',
    ].join('\n'),
    positionals: ['amount'],
    options: { id: { type: 'string' }, note: { type: 'string' } },
    async run(ctx, { values, positionals }) {
        if (values.note !== undefined && String(values.note).length > 200)
            throw (0,errors/* usageError */.Wp)('--note is longer than 200 characters');
        const ledger = new payments_ledger/* Ledger */.Oc(ctx.manager().store);
        const { added, id } = await ledger.grant(positionals[0], {
            ...(values.id !== undefined ? { id: String(values.id) } : {}),
            ...(values.note !== undefined ? { note: String(values.note) } : {}),
        });
        const balance = await ledger.balance(ctx.env);
        if (ctx.json)
            ctx.out(JSON.stringify({ added, grant_id: id, balance }, null, 2));
        else
            ctx.out(`${added ? `granted (id ${id})` : `grant ${id} already exists: nothing added`}\n${describeBalance(balance)}`);
    },
};
const creditsCommands = [creditsShow, creditsAdd];

// EXTERNAL MODULE: ./src/export/config.ts
var config = __webpack_require__(24214);
// EXTERNAL MODULE: ./src/export/outbox.ts
var outbox = __webpack_require__(48025);
;// CONCATENATED MODULE: ./src/cli/commands/export.ts




const exportReplay = {
    name: 'export replay',
    summary: 'Send every usage record fin-hub has not acknowledged (the outbox), and settle what a crash cut short',
    usage: 'sandboxer export replay [--limit N] [--json]',
    details: [
        'Needs SANDBOXER_FIN_HUB_URL. Terminal metered sandboxes whose debit or usage record is missing are settled and',
        'queued first; then queued records are sent oldest first with retries. Duplicates (409/422) count as delivered.',
        'Exit 1 when records remain unacknowledged (they stay queued for the next replay).',
        'Examples:',
        '  SANDBOXER_FIN_HUB_URL=https://fin-hub.example/v1/usage sandboxer export replay',
        '  sandboxer export replay --limit 100 --json',
    ].join('\n'),
    options: { limit: { type: 'string' } },
    async run(ctx, { values }) {
        if (!(0,config/* finHubConfig */.r)(ctx.env))
            throw (0,errors/* usageError */.Wp)('fin-hub export is disabled: SANDBOXER_FIN_HUB_URL is not set', 'set SANDBOXER_FIN_HUB_URL (and SANDBOXER_FIN_HUB_TOKEN if the collector needs one), then run again');
        let limit;
        if (values.limit !== undefined) {
            limit = Number(values.limit);
            if (!Number.isInteger(limit) || limit < 1)
                throw (0,errors/* usageError */.Wp)(`--limit '${String(values.limit)}' is not a positive integer`);
        }
        const r = await (0,outbox/* replayOutbox */.$2)(ctx.manager().store, ctx.env, {
            log: ctx.log,
            signal: ctx.signal,
            ...(limit ? { limit } : {}),
        });
        if (ctx.json)
            ctx.out(JSON.stringify(r, null, 2));
        else
            ctx.out([
                `delivered  ${r.delivered.length}`,
                `duplicates ${r.duplicates.length} (fin-hub already had them)`,
                `requeued   ${r.requeued.length} (recovered from settled sandboxes)`,
                `remaining  ${r.remaining}`,
                ...r.pending.map((p) => `  ${p.id}: ${p.error}`),
            ].join('\n'));
        return r.remaining > 0 ? 1 : 0;
    },
};
const exportList = {
    name: 'export list',
    summary: 'List usage records waiting in the fin-hub outbox',
    usage: 'sandboxer export list [--json]',
    async run(ctx) {
        const events = await (0,outbox/* pendingEvents */.xu)(ctx.manager().store);
        if (ctx.json)
            ctx.out(JSON.stringify(events, null, 2));
        else
            ctx.out(table(events.map((e) => ({
                id: e.id,
                time: e.time,
                extension: e.data.extension_id,
                usd: e.data.actual_usd,
            })), ['id', 'time', 'extension', 'usd']));
    },
};
const exportCommands = [exportReplay, exportList];

// EXTERNAL MODULE: ./src/catalog/loader.ts + 1 modules
var loader = __webpack_require__(35766);
// EXTERNAL MODULE: ./src/extensions/compose-ssh/index.ts + 4 modules
var compose_ssh = __webpack_require__(17561);
;// CONCATENATED MODULE: ./src/cli/commands/inspect-host.ts





const SELF_HOSTED = ['ext.compose-ssh', 'ext.vm-packer'];
const gib = (kib) => `${(kib / 1024 / 1024).toFixed(1)} GiB`;
function describe(t) {
    const lines = [
        `host      ${t.host}`,
        `disk      ${gib(t.disk.available_kib)} free of ${gib(t.disk.total_kib)} (${t.disk.used_pct}% used, ${t.disk.path})`,
        `memory    ${gib(t.memory.available_kib)} available of ${gib(t.memory.total_kib)}`,
        `load      ${t.load['1m']} ${t.load['5m']} ${t.load['15m']} (${t.cpus} CPUs)`,
        `projects  ${t.projects.length} running sandboxer project(s)`,
    ];
    if (t.projects.length) {
        lines.push('', table(t.projects.map((p) => ({ ...p, containers: `${p.running}/${p.containers}` })), ['project', 'profile', 'scope', 'containers', 'expires_at']));
    }
    return lines.join('\n');
}
const inspectHost = {
    name: 'inspect host',
    summary: 'Telemetry of a self-hosted placement host: disk, memory, load, running sandboxer projects',
    usage: 'sandboxer inspect host [--profile ID] [--json]',
    details: [
        'The host is the profile placement (default: profile.sandbox-canary), or SANDBOXER_HOST=[user@]host[:port].',
        'The SSH key comes from the profile placement.key_ref (e.g. env:SANDBOXER_SSH_KEY).',
        'Examples:',
        '  sandboxer inspect host',
        '  SANDBOXER_HOST=root@127.0.0.1:2222 sandboxer inspect host --profile profile.compose-e2e --json',
    ].join('\n'),
    options: { profile: { type: 'string', short: 'p' } },
    async run(ctx, { values }) {
        const m = ctx.manager();
        const profile = (0,loader/* getProfile */.E$)(m.catalog, String(values.profile ?? 'profile.sandbox-canary'));
        const extId = (0,schema/* profileCandidates */.qc)(profile).find((c) => SELF_HOSTED.includes(c));
        if (!extId) {
            throw (0,errors/* usageError */.Wp)(`${profile.id} does not place sandboxes on a self-hosted host`, `use a profile of ${SELF_HOSTED.join(' or ')}, e.g. --profile profile.sandbox-canary`);
        }
        const { manifest } = m.extensionFor({ extension_id: extId });
        const extCtx = await m.contextFor(manifest, {
            profile,
            signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(60_000)]),
        });
        const t = await (0,compose_ssh/* hostTelemetry */.C)(extCtx, profile.placement);
        ctx.out(ctx.json ? JSON.stringify(t, null, 2) : describe(t));
    },
};

// EXTERNAL MODULE: ./src/core/duration.ts
var duration = __webpack_require__(98571);
// EXTERNAL MODULE: ./src/manager/manager.ts + 1 modules
var manager = __webpack_require__(18067);
// EXTERNAL MODULE: ./src/routing/router.ts + 1 modules
var routing_router = __webpack_require__(9496);
// EXTERNAL MODULE: ./src/core/record.ts
var record = __webpack_require__(14130);
// EXTERNAL MODULE: ./src/cli/parse-kv.ts
var parse_kv = __webpack_require__(79375);
;// CONCATENATED MODULE: ./src/cli/commands/sandboxes.ts





/** `--route` into a strategy; anything else is a usage error listing the strategies. */
function parseRoute(v) {
    if (v === undefined)
        return undefined;
    const r = schema/* RouteStrategy */.dl.safeParse(v);
    if (!r.success)
        throw (0,errors/* usageError */.Wp)(`--route '${String(v)}' is not a strategy`, `use one of: ${schema/* RouteStrategy */.dl.options.join(', ')}`);
    return r.data;
}
const create = {
    name: 'create',
    summary: 'Create a sandbox from a profile and wait until it is ready',
    usage: 'sandboxer create [--profile ID] [--input k=v]... [--ttl DUR] [--route STRATEGY] [--json]',
    details: [
        'Without --profile the catalog default profile is used.',
        'Examples:',
        '  sandboxer create --profile profile.saas-stub --ttl 30m --json',
        '  sandboxer create --profile profile.compose-e2e --input repo=./my-repo',
    ].join('\n'),
    options: {
        profile: { type: 'string', short: 'p' },
        input: { type: 'string', short: 'i', multiple: true },
        ttl: { type: 'string' },
        route: { type: 'string' },
    },
    async run(ctx, { values }) {
        const route = parseRoute(values.route);
        const inputs = (0,parse_kv/* parseKeyValues */.H)(values.input ?? []);
        const record = await ctx.manager().create({
            ...(values.profile ? { profileId: String(values.profile) } : {}),
            inputs,
            ...(values.ttl ? { ttl: String(values.ttl) } : {}),
            ...(route ? { route } : {}),
            signal: ctx.signal,
        });
        ctx.out(ctx.json ? JSON.stringify(record, null, 2) : describeRecord(record));
    },
};
const get = {
    name: 'get',
    summary: 'Show one sandbox record',
    usage: 'sandboxer get ID [--json]',
    positionals: ['id'],
    async run(ctx, { positionals }) {
        const record = await ctx.manager().get(positionals[0]);
        ctx.out(ctx.json ? JSON.stringify(record, null, 2) : describeRecord(record));
    },
};
const list = {
    name: 'list',
    summary: 'List sandboxes in the state store',
    usage: 'sandboxer list [--state STATE]... [--profile ID] [--all] [--json]',
    details: 'By default only live sandboxes (requested, provisioning, ready, destroying) are listed; --all shows every record.',
    options: {
        state: { type: 'string', multiple: true },
        profile: { type: 'string', short: 'p' },
        all: { type: 'boolean', short: 'a' },
    },
    async run(ctx, { values }) {
        const states = values.state?.map((s) => {
            const r = record/* SandboxState */.TT.safeParse(s);
            if (!r.success)
                throw (0,errors/* usageError */.Wp)(`--state '${s}' is not a state`, `use one of: ${record/* SandboxState */.TT.options.join(', ')}`);
            return r.data;
        });
        const live = ['requested', 'provisioning', 'ready', 'destroying'];
        const records = await ctx.manager().list({
            ...(states ? { state: states } : values.all ? {} : { state: live }),
            ...(values.profile ? { profileId: String(values.profile) } : {}),
        });
        ctx.out(ctx.json ? JSON.stringify(records, null, 2) : table(records.map(recordRow), RECORD_COLUMNS));
    },
};
const destroy = {
    name: 'destroy',
    summary: 'Tear a sandbox down (idempotent: destroying a destroyed sandbox succeeds)',
    usage: 'sandboxer destroy ID [--json]',
    positionals: ['id'],
    async run(ctx, { positionals }) {
        const record = await ctx.manager().destroy(positionals[0], { signal: ctx.signal, reason: 'user' });
        ctx.out(ctx.json ? JSON.stringify(record, null, 2) : describeRecord(record));
    },
};
const recreate = {
    name: 'recreate',
    summary: 'Destroy a sandbox (if live) and create a new one with the same profile, inputs and TTL',
    usage: 'sandboxer recreate ID [--json]',
    positionals: ['id'],
    async run(ctx, { positionals }) {
        const record = await ctx.manager().recreate(positionals[0], { signal: ctx.signal });
        ctx.out(ctx.json ? JSON.stringify(record, null, 2) : describeRecord(record));
    },
};
const sandboxCommands = [create, get, list, destroy, recreate];

;// CONCATENATED MODULE: ./src/cli/commands/route.ts







const credentialCell = (c) => c.credential_checks.length === 0
    ? 'not required'
    : c.credential_checks
        .map((k) => `${k.name}:${k.status === 'ok' ? 'ok' : k.required ? 'missing' : 'absent (optional)'}`)
        .join(' ');
const routeExplain = {
    name: 'route explain',
    summary: 'Show how a profile is routed: every candidate, its estimate, latency, credentials, and why',
    usage: 'sandboxer route explain --profile ID [--route STRATEGY] [--ttl DUR] [--json]',
    details: [
        'Credentials are checked the way create checks them (vault: refs are fetched, values never shown).',
        'The estimate is for the TTL given (default: the profile default, else 1h).',
        'Examples:',
        '  sandboxer route explain --profile profile.burst-sandbox',
        '  sandboxer route explain --profile profile.burst-sandbox --route lowest-cost --json',
    ].join('\n'),
    options: {
        profile: { type: 'string', short: 'p' },
        route: { type: 'string' },
        ttl: { type: 'string' },
    },
    async run(ctx, { values }) {
        if (values.profile === undefined)
            throw (0,errors/* usageError */.Wp)('route explain: --profile is required', "see 'sandboxer profiles list'");
        const strategy = parseRoute(values.route);
        const m = ctx.manager();
        const profile = (0,loader/* getProfile */.E$)(m.catalog, String(values.profile));
        const ttl_s = values.ttl
            ? (0,duration/* parseDurationSeconds */.l)(String(values.ttl), 'TTL')
            : (m.resolveTtl(profile, undefined) ?? manager/* DEFAULT_TTL_FOR_ESTIMATE_S */.w);
        const router = new routing_router/* StrategyRouter */.h({
            catalog: m.catalog,
            registry: m.registry,
            credentials: m.credentials,
            store: m.store,
        });
        const x = await router.explain({
            profile,
            ttl_s,
            env: ctx.env,
            signal: ctx.signal,
            ...(strategy ? { strategy } : {}),
        });
        if (ctx.json) {
            ctx.out(JSON.stringify(x, null, 2));
            return;
        }
        ctx.out([
            `profile ${x.profile_id}, strategy ${x.strategy}, estimates for ${x.ttl_s}s`,
            '',
            table(x.candidates.map((c) => ({
                '#': c.rank,
                candidate: c.extension_id,
                kind: c.kind,
                estimate: c.estimate_usd !== undefined ? `$${c.estimate_usd}` : undefined,
                latency: `${c.latency_s}s (${c.latency_source === 'history' ? `${c.latency_samples} runs` : 'default'})`,
                credentials: credentialCell(c),
                decision: c.decision,
                why: c.reason.replace(/^(skipped|picked|fallback): /, ''),
            })), ['#', 'candidate', 'kind', 'estimate', 'latency', 'credentials', 'decision', 'why']),
            '',
            x.picked
                ? `create would use ${x.picked}${x.order.length > 1 ? `, falling back to ${x.order.slice(1).join(' → ')}` : ''}`
                : 'no candidate is usable: create would fail',
        ].join('\n'));
    },
};
const routeCommands = [routeExplain];

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(77030);
;// CONCATENATED MODULE: ./src/api/http-error.ts

/** An error answered as `{error: {code, message, hint, retryable}}` with an HTTP status. */
class HttpError extends Error {
    status;
    code;
    hint;
    retryable;
    issues;
    headers;
    constructor(status, code, message, opts = {}) {
        super(message);
        this.name = 'HttpError';
        this.status = status;
        this.code = code;
        this.retryable = opts.retryable ?? false;
        this.headers = opts.headers ?? {};
        if (opts.hint !== undefined)
            this.hint = opts.hint;
        if (opts.issues !== undefined)
            this.issues = opts.issues;
    }
    body() {
        return {
            error: {
                code: this.code,
                message: this.message,
                ...(this.hint ? { hint: this.hint } : {}),
                retryable: this.retryable,
                ...(this.issues ? { issues: this.issues } : {}),
            },
        };
    }
}
const STATUS = {
    usage: 400,
    validation: 400,
    not_found: 404,
    illegal_transition: 409,
    conflict: 409,
    unsupported: 422,
    routing: 422,
    credentials: 422,
    insufficient_credits: 402,
    cancelled: 503,
    state_store: 503,
    backend: 502,
    timeout: 504,
    internal: 500,
};
/** Anything thrown by a handler or the manager, as an HttpError (user-facing codes keep their message). */
function toHttpError(err) {
    if (err instanceof HttpError)
        return err;
    const e = (0,errors/* toSandboxerError */.Sb)(err);
    return new HttpError(STATUS[e.code] ?? 500, e.code, e.message, {
        ...(e.hint ? { hint: e.hint } : {}),
        retryable: e.retryable,
    });
}
/** A zod failure on request input: 400 with every issue, the first one in the message. */
function validationError(where, error, hint) {
    const issues = error.issues.flatMap(flattenIssue);
    const first = issues[0];
    return new HttpError(400, 'validation', `invalid ${where}: ${first.path}: ${first.message}`, {
        hint,
        issues,
    });
}
/** Record-key failures nest the real reason ("reserved namespace") one level down: surface it. */
function flattenIssue(issue) {
    const path = issue.path.map(String).join('.') || '(root)';
    if (issue.code === 'invalid_key' && issue.issues.length)
        return issue.issues.map((inner) => ({ path, message: `key: ${inner.message}` }));
    return [{ path, message: issue.message }];
}

;// CONCATENATED MODULE: ./src/api/auth.ts





const MIN_TOKEN_LENGTH = 16;
/** 127.0.0.0/8, ::1 (and its IPv4-mapped form) or the name localhost. */
function isLoopbackHost(host) {
    const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    if (h === 'localhost')
        return true;
    if ((0,external_node_net_.isIP)(h) === 4)
        return h.startsWith('127.');
    if ((0,external_node_net_.isIP)(h) === 6)
        return h === '::1' || /^::ffff:127\./.test(h);
    return false;
}
/** Resolve the bearer token from a secret_ref (env:NAME, file:PATH). The value never appears in messages. */
async function resolveApiToken(ref, credentials, env) {
    if (!schema/* SecretRef */.iF.safeParse(ref).success)
        throw (0,errors/* usageError */.Wp)(`--token-ref '${ref}' is not a secret_ref`, 'use env:NAME or file:PATH');
    const { secrets, missing } = await credentials.resolve([{ name: 'api_token', secret_ref: ref, required: true }], {
        env,
    });
    const token = secrets.get('api_token');
    if (missing.length || token === undefined)
        throw new errors/* SandboxerError */.j8('credentials', `API token ${ref} cannot be resolved: ${missing[0]?.reason ?? 'empty'}`, {
            hint: 'set the referenced environment variable or file, or pass another --token-ref',
        });
    if (token.trim().length < MIN_TOKEN_LENGTH)
        throw new errors/* SandboxerError */.j8('credentials', `the API token from ${ref} is shorter than ${MIN_TOKEN_LENGTH} characters`, {
            hint: 'use a long random token, e.g. `openssl rand -hex 32`',
        });
    return token.trim();
}
const digest = (s) => (0,external_node_crypto_.createHash)('sha256').update(s).digest();
/** Checks `Authorization: Bearer <token>` in constant time; throws a 401 HttpError otherwise. */
function checkBearer(header, token) {
    const challenge = { 'WWW-Authenticate': 'Bearer realm="sandboxer"' };
    if (!header) {
        throw new HttpError(401, 'unauthorized', 'missing Authorization header', {
            hint: 'send Authorization: Bearer <token> (the value behind the server --token-ref)',
            headers: challenge,
        });
    }
    const m = /^Bearer +(\S+) *$/i.exec(header);
    if (!m || !(0,external_node_crypto_.timingSafeEqual)(digest(m[1]), digest(token))) {
        throw new HttpError(401, 'unauthorized', 'invalid bearer token', {
            hint: 'send Authorization: Bearer <token> (the value behind the server --token-ref)',
            headers: { ...challenge, 'WWW-Authenticate': 'Bearer realm="sandboxer", error="invalid_token"' },
        });
    }
}

// EXTERNAL MODULE: ./node_modules/zod/v4/core/registries.js
var registries = __webpack_require__(29396);
// EXTERNAL MODULE: ./node_modules/zod/v4/core/json-schema-processors.js
var json_schema_processors = __webpack_require__(98439);
// EXTERNAL MODULE: ./src/core/lifecycle.ts
var lifecycle = __webpack_require__(62043);
// EXTERNAL MODULE: ./src/core/ids.ts
var ids = __webpack_require__(89921);
// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 7 modules
var schemas = __webpack_require__(12311);
;// CONCATENATED MODULE: ./src/api/schemas.ts





/**
 * Request and response bodies of the HTTP API. These zod schemas validate requests and are the source of the
 * OpenAPI document (openapi.ts), so the two cannot drift.
 */
const SandboxId = schemas/* string */.YjP()
    .regex(ids/* SANDBOX_ID_RE */.aY, 'a sandbox id looks like sbx-xxxxxxxxxxxx (12 lowercase letters or digits)');
const SnapshotId = schemas/* string */.YjP()
    .regex(ids/* SNAPSHOT_ID_RE */.L7, 'a snapshot id looks like snap-xxxxxxxxxxxx (12 lowercase letters or digits)');
const isDuration = (v) => {
    try {
        (0,duration/* parseDurationSeconds */.l)(v);
        return true;
    }
    catch {
        return false;
    }
};
const Duration = schemas/* string */.YjP()
    .min(1)
    .max(32)
    .refine(isDuration, 'must be a positive duration with a unit, e.g. 90s, 30m, 2h or 1d')
    .meta({ description: 'A duration with a unit: 90s, 30m, 2h, 1d', examples: ['30m'] });
const MAX_ENTRIES = 32;
const bounded = (schema, what) => schema.refine((v) => Object.keys(v).length <= MAX_ENTRIES, `at most ${MAX_ENTRIES} ${what} are accepted`);
const InputName = schemas/* string */.YjP().regex(/^[a-z][a-z0-9_]*$/, 'input names are snake_case');
/** Label keys the backend can carry; the io.sandboxer.* namespace is reserved for ownership labels. */
const LabelKey = schemas/* string */.YjP()
    .regex(/^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$/, 'label keys are lowercase [a-z0-9._/-], at most 63 long')
    .refine((k) => !k.startsWith('io.sandboxer.'), 'the io.sandboxer.* label namespace is reserved');
const LabelValue = schemas/* string */.YjP()
    .max(63)
    .regex(/^[A-Za-z0-9._:@/-]*$/, 'label values are [A-Za-z0-9._:@/-]*');
const CreateSandboxRequest = schemas/* object */.Ikc({
    profile: schema/* ProfileId */.$g.optional().meta({ description: 'Profile id; the catalog default when omitted' }),
    inputs: bounded(schemas/* record */.g1P(InputName, schemas/* string */.YjP().max(4096)), 'inputs').optional(),
    ttl: Duration.optional(),
    route: schema/* RouteStrategy */.dl.optional(),
    labels: bounded(schemas/* record */.g1P(LabelKey, LabelValue), 'labels').optional(),
})
    .strict();
const RecreateRequest = schemas/* object */.Ikc({}).strict();
const SnapshotRequest = schemas/* object */.Ikc({
    name: schemas/* string */.YjP()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'names are [A-Za-z0-9._-], at most 63 long')
        .optional(),
})
    .strict();
const RestoreRequest = schemas/* object */.Ikc({ ttl: Duration.optional() }).strict();
const ExtendTtlRequest = schemas/* object */.Ikc({ by: Duration.meta({ description: 'How much longer the sandbox may live', examples: ['30m'] }) })
    .strict();
/** `GET /v1/sandboxes` query. Repeated or comma-separated `state`; `all=true` includes terminal records. */
const ListSandboxesQuery = schemas/* object */.Ikc({
    state: schemas/* array */.YOg(record/* SandboxState */.TT).optional(),
    profile: schema/* ProfileId */.$g.optional(),
    all: schemas/* enum */.k5n(['true', 'false']).optional(),
})
    .strict();
/** `GET /v1/snapshots` query: available snapshots by default, `all=true` includes deleted ones. */
const ListSnapshotsQuery = schemas/* object */.Ikc({
    sandbox: SandboxId.optional(),
    all: schemas/* enum */.k5n(['true', 'false']).optional(),
})
    .strict();
const ApiErrorBody = schemas/* object */.Ikc({
    error: schemas/* object */.Ikc({
        code: schemas/* string */.YjP(),
        message: schemas/* string */.YjP(),
        hint: schemas/* string */.YjP().optional(),
        retryable: schemas/* boolean */.zMY(),
        issues: schemas/* array */.YOg(schemas/* object */.Ikc({ path: schemas/* string */.YjP(), message: schemas/* string */.YjP() }).strict()).optional(),
    })
        .strict(),
})
    .strict();
const SandboxList = schemas/* object */.Ikc({ sandboxes: schemas/* array */.YOg(record/* SandboxRecord */.Vg) }).strict();
const SnapshotList = schemas/* object */.Ikc({ snapshots: schemas/* array */.YOg(record/* SnapshotRecord */.UL) }).strict();
const ExtendTtlResponse = schemas/* object */.Ikc({ record: record/* SandboxRecord */.Vg, pushed: schemas/* boolean */.zMY(), note: schemas/* string */.YjP().optional() })
    .strict();
const Health = schemas/* object */.Ikc({
    status: schemas/* enum */.k5n(['ok', 'draining']),
    version: schemas/* string */.YjP(),
    in_flight: schemas/* number */.aig().int().nonnegative(),
})
    .strict();
/** Named schemas of the OpenAPI document's components. */
const requestSchemas = {
    CreateSandboxRequest,
    RecreateRequest,
    SnapshotRequest,
    RestoreRequest,
    ExtendTtlRequest,
};
const responseSchemas = {
    SandboxRecord: record/* SandboxRecord */.Vg,
    SnapshotRecord: record/* SnapshotRecord */.UL,
    SandboxList,
    SnapshotList,
    ExtendTtlResponse,
    Health,
    Error: ApiErrorBody,
};

;// CONCATENATED MODULE: ./src/api/routes.ts


const sandboxLocation = (r) => ({ Location: `/v1/sandboxes/${r.id}` });
const accepted = (r) => ({ status: 202, body: r, headers: sandboxLocation(r) });
const POLL = 'Answers once the record exists; poll GET /v1/sandboxes/{id} until the state is ready or failed.';
const routes = [
    {
        method: 'POST',
        path: '/v1/sandboxes',
        operationId: 'createSandbox',
        summary: 'Create a sandbox from a profile',
        description: `The record is returned in state \`requested\` and provisioning continues in the background. ${POLL}`,
        mutating: true,
        body: 'CreateSandboxRequest',
        responses: { 202: { description: 'Accepted: the new record', schema: 'SandboxRecord' } },
        errors: [402, 409, 422, 503],
        async handle({ body, manager, work }) {
            const b = body;
            const record = await work.startProvision('create', ({ signal, onCreated }) => manager.create({
                ...(b.profile ? { profileId: b.profile } : {}),
                inputs: b.inputs ?? {},
                ...(b.ttl ? { ttl: b.ttl } : {}),
                ...(b.route ? { route: b.route } : {}),
                ...(b.labels ? { labels: b.labels } : {}),
                signal,
                onCreated,
            }));
            return accepted(record);
        },
    },
    {
        method: 'GET',
        path: '/v1/sandboxes',
        operationId: 'listSandboxes',
        summary: 'List sandboxes',
        description: 'Live sandboxes (requested, provisioning, ready, destroying) by default; `all=true` lists every record, ' +
            '`state` (repeatable or comma-separated) and `profile` filter.',
        query: ListSandboxesQuery,
        responses: { 200: { description: 'The matching records', schema: 'SandboxList' } },
        async handle({ query, manager }) {
            const q = query;
            const state = q.state ?? (q.all === 'true' ? undefined : [...lifecycle/* LIVE_STATES */._d]);
            const sandboxes = await manager.list({
                ...(state ? { state } : {}),
                ...(q.profile ? { profileId: q.profile } : {}),
            });
            return { status: 200, body: { sandboxes } };
        },
    },
    {
        method: 'GET',
        path: '/v1/sandboxes/{id}',
        operationId: 'getSandbox',
        summary: 'Get one sandbox record (poll this for the state of long operations)',
        params: { id: SandboxId },
        responses: { 200: { description: 'The record', schema: 'SandboxRecord' } },
        errors: [404],
        async handle({ params, manager }) {
            return { status: 200, body: await manager.get(params.id) };
        },
    },
    {
        method: 'DELETE',
        path: '/v1/sandboxes/{id}',
        operationId: 'destroySandbox',
        summary: 'Destroy a sandbox (idempotent)',
        description: 'Answers 202 once the teardown has started (state `destroying`) and finishes it in the background; poll ' +
            'until `destroyed`. A sandbox this server is still provisioning is cancelled first: it ends `failed` with ' +
            'error code `cancelled` after what was made is torn down. An already final record answers 200.',
        mutating: true,
        params: { id: SandboxId },
        responses: {
            200: { description: 'Already final: nothing to do', schema: 'SandboxRecord' },
            202: { description: 'Accepted: teardown in progress', schema: 'SandboxRecord' },
        },
        errors: [404, 409, 503],
        async handle({ params, work }) {
            const record = await work.startDestroy(params.id);
            const final = (0,lifecycle/* isTerminal */.Hd)(record.state) && !record.cleanup_pending;
            return { status: final ? 200 : 202, body: record, headers: sandboxLocation(record) };
        },
    },
    {
        method: 'POST',
        path: '/v1/sandboxes/{id}/recreate',
        operationId: 'recreateSandbox',
        summary: 'Destroy a sandbox (if live) and create a new one with the same profile, inputs and TTL',
        description: `The answer is the new record (its \`recreated_from\` names the old one), given once the old sandbox is torn down. ${POLL}`,
        mutating: true,
        params: { id: SandboxId },
        body: 'RecreateRequest',
        responses: { 202: { description: 'Accepted: the new record', schema: 'SandboxRecord' } },
        errors: [404, 409, 422, 503],
        async handle({ params, manager, work }) {
            await work.cancelProvision(params.id);
            const record = await work.startProvision('recreate', ({ signal, onCreated }) => manager.recreate(params.id, { signal, onCreated }));
            return accepted(record);
        },
    },
    {
        method: 'POST',
        path: '/v1/sandboxes/{id}/snapshot',
        operationId: 'snapshotSandbox',
        summary: 'Snapshot a ready sandbox',
        description: 'Answers when the backend has taken the snapshot (snapshots have no pending state to poll).',
        mutating: true,
        params: { id: SandboxId },
        body: 'SnapshotRequest',
        responses: { 201: { description: 'The snapshot', schema: 'SnapshotRecord' } },
        errors: [404, 409, 422, 502, 503],
        async handle({ params, body, manager }) {
            const b = body;
            const snap = await manager.snapshot(params.id, b.name);
            return { status: 201, body: snap, headers: { Location: `/v1/snapshots/${snap.id}` } };
        },
    },
    {
        method: 'POST',
        path: '/v1/sandboxes/{id}/extend-ttl',
        operationId: 'extendSandboxTtl',
        summary: "Extend a live sandbox's TTL",
        description: '`pushed` tells whether the backend enforces the new expiry itself; `note` explains when not.',
        mutating: true,
        params: { id: SandboxId },
        body: 'ExtendTtlRequest',
        responses: { 200: { description: 'The updated record', schema: 'ExtendTtlResponse' } },
        errors: [404, 409, 502, 503],
        async handle({ params, body, manager }) {
            const b = body;
            return { status: 200, body: await manager.extendTtl(params.id, b.by) };
        },
    },
    {
        method: 'GET',
        path: '/v1/snapshots',
        operationId: 'listSnapshots',
        summary: 'List snapshots',
        description: 'Available snapshots by default; `all=true` includes deleted ones, `sandbox` filters by source.',
        query: ListSnapshotsQuery,
        responses: { 200: { description: 'The matching snapshot records', schema: 'SnapshotList' } },
        async handle({ query, manager }) {
            const q = query;
            const snapshots = await manager.listSnapshots({
                ...(q.sandbox ? { sandboxId: q.sandbox } : {}),
                ...(q.all === 'true' ? { all: true } : {}),
            });
            return { status: 200, body: { snapshots } };
        },
    },
    {
        method: 'GET',
        path: '/v1/snapshots/{id}',
        operationId: 'getSnapshot',
        summary: 'Get one snapshot record',
        params: { id: SnapshotId },
        responses: { 200: { description: 'The snapshot', schema: 'SnapshotRecord' } },
        errors: [404],
        async handle({ params, manager }) {
            return { status: 200, body: await manager.getSnapshot(params.id) };
        },
    },
    {
        method: 'POST',
        path: '/v1/snapshots/{id}/restore',
        operationId: 'restoreSnapshot',
        summary: 'Create a new sandbox from a snapshot',
        description: `The record is returned in state \`requested\` (its \`restored_from\` names the snapshot). ${POLL}`,
        mutating: true,
        params: { id: SnapshotId },
        body: 'RestoreRequest',
        responses: { 202: { description: 'Accepted: the new record', schema: 'SandboxRecord' } },
        errors: [404, 409, 422, 503],
        async handle({ params, body, manager, work }) {
            const b = body;
            const record = await work.startProvision('restore', ({ signal, onCreated }) => manager.restore(params.id, { ...(b.ttl ? { ttl: b.ttl } : {}), signal, onCreated }));
            return accepted(record);
        },
    },
    {
        method: 'GET',
        path: '/healthz',
        operationId: 'health',
        summary: 'Liveness; `draining` while shutting down',
        public: true,
        responses: { 200: { description: 'Serving', schema: 'Health' } },
        async handle({ health }) {
            return { status: 200, body: health() };
        },
    },
    {
        method: 'GET',
        path: '/openapi.json',
        operationId: 'openapi',
        summary: 'This OpenAPI 3.1 document',
        public: true,
        responses: { 200: { description: 'The OpenAPI document', raw: true } },
        async handle({ openapi }) {
            return { status: 200, body: openapi() };
        },
    },
];
/** Split a route path into literal segments and `{param}` names. */
function matchPath(pattern, path) {
    const want = pattern.split('/');
    const got = path.split('/');
    if (want.length !== got.length)
        return undefined;
    const params = {};
    for (let i = 0; i < want.length; i++) {
        const w = want[i];
        const g = got[i];
        if (w.startsWith('{')) {
            if (g === '')
                return undefined;
            params[w.slice(1, -1)] = g;
        }
        else if (w !== g)
            return undefined;
    }
    return params;
}

;// CONCATENATED MODULE: ./src/api/openapi.ts



const ERROR_TEXT = {
    400: 'Bad input: the body, a parameter or the query failed validation',
    401: 'Missing or invalid bearer token',
    402: 'Not enough credits',
    404: 'No such record',
    409: 'The record is not in a state that allows this',
    413: 'Request body too large',
    415: 'Request body is not JSON',
    422: 'Valid input the catalog or backend cannot serve (routing, unsupported, credentials)',
    500: 'Internal error',
    502: 'The backend failed',
    503: 'The server is shutting down, or the state store is unavailable',
};
const ref = (name) => ({ $ref: `#/components/schemas/${name}` });
/** JSON Schemas of the named components, with $refs between them; requests as input, responses as output. */
function componentSchemas() {
    const out = {};
    const sets = [
        ['input', requestSchemas],
        ['output', responseSchemas],
    ];
    for (const [io, set] of sets) {
        const registry = registries/* registry */.u5();
        for (const [name, schema] of Object.entries(set))
            registry.add(schema, { id: name });
        const { schemas } = json_schema_processors/* toJSONSchema */.bl(registry, {
            io,
            target: 'draft-2020-12',
            unrepresentable: 'any',
            uri: (id) => `#/components/schemas/${id}`,
        });
        for (const [name, schema] of Object.entries(schemas)) {
            // Components live inside the OpenAPI document: no $schema or $id of their own.
            const { $schema: _s, $id: _i, ...rest } = schema;
            out[name] = rest;
        }
    }
    return out;
}
function toSchema(schema) {
    const { $schema: _s, ...rest } = json_schema_processors/* toJSONSchema */.bl(schema, { io: 'input', unrepresentable: 'any' });
    return rest;
}
function parameters(route) {
    const out = [];
    for (const [name, schema] of Object.entries(route.params ?? {})) {
        out.push({ name, in: 'path', required: true, schema: toSchema(schema) });
    }
    for (const [name, field] of Object.entries(route.query?.shape ?? {})) {
        const schema = toSchema(field);
        out.push({
            name,
            in: 'query',
            required: false,
            schema,
            ...(schema.type === 'array' ? { style: 'form', explode: true } : {}),
        });
    }
    return out;
}
function operation(route) {
    const responses = {};
    for (const [status, r] of Object.entries(route.responses)) {
        responses[status] = {
            description: r.description,
            content: { 'application/json': { schema: r.raw ? { type: 'object' } : ref(r.schema) } },
        };
    }
    const errors = new Set([400, 500, ...(route.public ? [] : [401]), ...(route.errors ?? [])]);
    if (route.body)
        [413, 415].forEach((s) => errors.add(s));
    for (const status of [...errors].sort()) {
        responses[String(status)] = {
            description: ERROR_TEXT[status] ?? 'Error',
            content: { 'application/json': { schema: ref('Error') } },
        };
    }
    const params = parameters(route);
    return {
        operationId: route.operationId,
        summary: route.summary,
        ...(route.description ? { description: route.description } : {}),
        ...(params.length ? { parameters: params } : {}),
        ...(route.body
            ? {
                requestBody: {
                    required: false,
                    description: 'A JSON object; an empty body counts as {}',
                    content: { 'application/json': { schema: ref(route.body) } },
                },
            }
            : {}),
        responses,
        ...(route.public ? { security: [] } : {}),
    };
}
/** The OpenAPI 3.1 document of the HTTP API, generated from the route table and its zod schemas. */
function buildOpenApi(opts) {
    const paths = {};
    for (const route of opts.routes ?? routes) {
        (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
    }
    return {
        openapi: '3.1.1',
        info: {
            title: 'sand-boxer HTTP API',
            version: opts.version,
            description: 'Establish sandboxes over HTTP: the same lifecycle manager as the sandboxer CLI. Long operations answer ' +
                '202 with the record; poll GET /v1/sandboxes/{id} for its state.',
        },
        jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
        servers: [
            opts.serverUrl
                ? { url: opts.serverUrl, description: 'this server' }
                : { url: 'http://127.0.0.1:7878', description: 'sandboxer serve (default address)' },
        ],
        security: [{ bearer: [] }],
        paths,
        components: {
            schemas: componentSchemas(),
            securitySchemes: {
                bearer: {
                    type: 'http',
                    scheme: 'bearer',
                    description: 'The token behind the server --token-ref (required unless the server is loopback-only)',
                },
            },
        },
    };
}

// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(37067);
;// CONCATENATED MODULE: ./src/api/background.ts

/**
 * The long operations the API answers early (202) and finishes in the background: provisions (create,
 * recreate, restore) and teardowns. Every one is tracked, so shutdown can wait for them, and every provision
 * keeps its AbortController, so shutdown or a DELETE can cancel it — the manager then tears down what was made.
 */
class BackgroundWork {
    manager;
    log;
    provisions = new Map();
    destroys = new Map();
    tracked = new Set();
    settledProvision = new Map();
    /** Set once shutdown stops waiting: provisions that start after that are cancelled at once. */
    cancelling = false;
    constructor(manager, log) {
        this.manager = manager;
        this.log = log;
    }
    get size() {
        return this.tracked.size;
    }
    track(p) {
        this.tracked.add(p);
        void p.finally(() => this.tracked.delete(p));
        return p;
    }
    /**
     * Run a manager call that makes a new record; resolve with that record as soon as it exists (state
     * `requested`). Failures before that (validation, routing) reject; later ones end up in the record.
     */
    startProvision(what, start) {
        const controller = new AbortController();
        return new Promise((resolve, reject) => {
            let id;
            let markSettled = () => { };
            const work = start({
                signal: controller.signal,
                onCreated: (record) => {
                    id = record.id;
                    if (this.cancelling)
                        controller.abort(new Error('server shutting down'));
                    this.provisions.set(id, controller);
                    this.settledProvision.set(id, new Promise((r) => (markSettled = r)));
                    resolve(record);
                },
            }).then((record) => {
                resolve(record);
                this.log.info(`${what} ${record.id}: ${record.state}`);
            }, (err) => {
                if (id === undefined)
                    reject(err);
                else
                    this.log.warn(`${what} ${id}: ${(0,errors/* toSandboxerError */.Sb)(err).message}`);
            });
            void this.track(work.finally(() => {
                if (id === undefined)
                    return;
                this.provisions.delete(id);
                this.settledProvision.delete(id);
                markSettled();
            }));
        });
    }
    /**
     * Tear a sandbox down in the background; resolve with its record once the teardown has started (or was not
     * needed). A provision still running here is cancelled first, so its own cleanup and this teardown never race.
     */
    async startDestroy(id) {
        if (this.destroys.has(id))
            return this.manager.get(id);
        // Ready already: only the provision's final bookkeeping is left, so let it finish and destroy normally.
        if (this.provisions.has(id) && (await this.manager.get(id)).state === 'ready')
            await this.settledProvision.get(id);
        if (this.destroys.has(id))
            return this.manager.get(id);
        const provision = this.provisions.get(id);
        if (provision) {
            provision.abort(new Error('destroy requested while provisioning'));
            const settled = this.settledProvision.get(id) ?? Promise.resolve();
            this.trackDestroy(id, settled.then(() => this.destroyNow(id)));
            return this.manager.get(id);
        }
        return new Promise((resolve, reject) => {
            let started = false;
            const work = this.manager
                .destroy(id, {
                reason: 'user',
                onDestroying: (record) => {
                    started = true;
                    resolve(record);
                },
            })
                .then((record) => resolve(record), (err) => {
                if (!started)
                    reject(err);
                else
                    this.log.warn(`destroy ${id}: ${(0,errors/* toSandboxerError */.Sb)(err).message}`);
            });
            this.trackDestroy(id, work);
        });
    }
    async destroyNow(id) {
        try {
            await this.manager.destroy(id, { reason: 'user' });
        }
        catch (err) {
            this.log.warn(`destroy ${id}: ${(0,errors/* toSandboxerError */.Sb)(err).message}`);
        }
    }
    trackDestroy(id, p) {
        const done = p.finally(() => this.destroys.delete(id));
        this.destroys.set(id, done);
        void this.track(done);
    }
    /** Cancel a provision of this id running here (if any) and wait until it has settled. */
    async cancelProvision(id) {
        const controller = this.provisions.get(id);
        if (!controller)
            return;
        controller.abort(new Error('cancelled by a newer request'));
        await this.settledProvision.get(id);
    }
    /**
     * Wait up to graceMs for everything in flight; then cancel the provisions still running (each is torn down
     * by the manager) and wait for all of it to settle. Teardowns are never cancelled: that would leak.
     */
    async drain(graceMs) {
        if (this.tracked.size === 0) {
            this.cancelling = true;
            return;
        }
        let timer;
        const grace = new Promise((r) => (timer = setTimeout(r, graceMs)));
        await Promise.race([Promise.allSettled([...this.tracked]), grace]);
        clearTimeout(timer);
        this.cancelling = true;
        for (const [id, controller] of this.provisions) {
            this.log.info(`shutting down: cancelling the provision of ${id}`);
            controller.abort(new Error('server shutting down'));
        }
        while (this.tracked.size)
            await Promise.allSettled([...this.tracked]);
    }
}

;// CONCATENATED MODULE: ./src/api/body.ts

/**
 * Read a JSON request body of at most `limit` bytes. An empty body reads as undefined. The size is checked
 * against Content-Length before reading and again while reading (chunked bodies have no length).
 */
async function readJsonBody(req, limit) {
    const tooLarge = () => new HttpError(413, 'payload_too_large', `request body exceeds ${limit} bytes`, {
        hint: 'send a smaller JSON body',
        headers: { Connection: 'close' },
    });
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > limit)
        throw tooLarge();
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
        size += chunk.length;
        if (size > limit)
            throw tooLarge();
        chunks.push(chunk);
    }
    if (size === 0)
        return undefined;
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/([a-z.+-]*\+)?json\s*(;|$)/i.test(type)) {
        throw new HttpError(415, 'unsupported_media_type', `request bodies must be JSON, got '${type || 'none'}'`, {
            hint: 'send Content-Type: application/json',
        });
    }
    const text = Buffer.concat(chunks).toString('utf8');
    try {
        return JSON.parse(text, rejectProtoKeys);
    }
    catch (err) {
        if (err instanceof HttpError)
            throw err;
        throw new HttpError(400, 'validation', `request body is not valid JSON: ${err.message}`, {
            hint: 'send a JSON object, e.g. {"profile": "profile.saas-stub"}',
        });
    }
}
function sendJson(res, status, body, headers = {}) {
    const text = `${JSON.stringify(body, null, 2)}\n`;
    res.writeHead(status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        ...headers,
    });
    res.end(text);
}
/** `__proto__` survives JSON.parse as an own key but vanishes when copied into a new object: refuse it. */
function rejectProtoKeys(key, value) {
    if (key === '__proto__')
        throw new HttpError(400, 'validation', "request body: the key '__proto__' is not allowed", {
            hint: 'rename the key',
        });
    return value;
}

;// CONCATENATED MODULE: ./src/api/server.ts











const DEFAULT_PORT = 7878;
const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** Start the HTTP API on the given manager. Refuses a non-loopback address without a token. */
async function startApiServer(opts) {
    const host = opts.host ?? '127.0.0.1';
    const token = opts.token;
    if (!token && !isLoopbackHost(host)) {
        throw (0,errors/* usageError */.Wp)(`refusing to serve on ${host} without a bearer token: anyone who can reach it could create sandboxes`, 'pass --token-ref env:NAME (or file:PATH) holding a long random token, or bind to 127.0.0.1');
    }
    const log = opts.log ?? logger/* silentLogger */.q;
    const version = opts.version ?? '0.0.0';
    const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const work = new BackgroundWork(opts.manager, log);
    let draining = false;
    let openapi;
    let url = '';
    const handler = async (req, res) => {
        let status = 500;
        try {
            const reply = await dispatch(req, {
                manager: opts.manager,
                work,
                maxBody,
                token,
                draining: () => draining,
                health: () => ({ status: draining ? 'draining' : 'ok', version, in_flight: work.size }),
                openapi: () => (openapi ??= buildOpenApi({ version, serverUrl: url })),
            });
            status = reply.status;
            sendJson(res, reply.status, reply.body, reply.headers);
        }
        catch (err) {
            const e = toHttpError(err);
            status = e.status;
            if (e.status >= 500)
                log.warn(`${req.method} ${req.url}: ${e.code}: ${e.message}`);
            if (!res.headersSent)
                sendJson(res, e.status, e.body(), e.headers);
            else
                res.destroy();
        }
        finally {
            log.debug(`${req.method} ${req.url} → ${status}`);
        }
    };
    const server = (0,external_node_http_.createServer)((req, res) => void handler(req, res));
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    const port = opts.port ?? DEFAULT_PORT;
    await new Promise((resolve, reject) => {
        const onError = (err) => {
            if (err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES')
                reject(new errors/* SandboxerError */.j8('usage', `cannot listen on ${host}:${port}: ${err.code}`, {
                    hint: 'pick another --port (0 chooses a free one) or --host',
                }));
            else
                reject(err);
        };
        server.once('error', onError);
        server.listen(port, host, () => {
            server.off('error', onError);
            resolve();
        });
    });
    const address = server.address();
    const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    url = `http://${urlHost}:${address.port}`;
    let closing;
    return {
        url,
        host: address.address,
        port: address.port,
        get inFlight() {
            return work.size;
        },
        close({ graceMs = 30_000 } = {}) {
            closing ??= (async () => {
                draining = true;
                const closed = new Promise((r) => server.close(() => r()));
                server.closeIdleConnections();
                await work.drain(graceMs);
                server.closeIdleConnections();
                let timer;
                await Promise.race([
                    closed,
                    new Promise((r) => (timer = setTimeout(r, Math.max(graceMs, 1000)))),
                ]);
                clearTimeout(timer);
                server.closeAllConnections();
                await closed;
            })();
            return closing;
        },
    };
}
async function dispatch(req, ctx) {
    // Browsers send Origin on cross-site requests; this API has no browser clients, so refuse them outright
    // (a web page must not be able to create sandboxes through a loopback server).
    if (req.headers.origin !== undefined) {
        throw new HttpError(403, 'forbidden', 'cross-origin browser requests are refused', {
            hint: 'call the API from a program (curl, fetch in Node), not from a web page',
        });
    }
    if (!ctx.token) {
        // Without a token the only protection is the loopback bind: refuse other Host names (DNS rebinding).
        const hostHeader = String(req.headers.host ?? '').replace(/:\d+$/, '');
        if (!isLoopbackHost(hostHeader)) {
            throw new HttpError(403, 'forbidden', `Host '${hostHeader}' is not a loopback name`, {
                hint: 'use http://127.0.0.1:<port>, or start the server with --token-ref',
            });
        }
    }
    let url;
    let path;
    try {
        url = new URL(req.url ?? '/', 'http://localhost');
        path = url.pathname.replace(/\/+$/, '') || '/';
    }
    catch {
        throw new HttpError(400, 'validation', 'malformed request URL');
    }
    const method = req.method ?? 'GET';
    const candidates = routes
        .map((route) => ({ route, params: matchPath(route.path, path) }))
        .filter((c) => c.params !== undefined);
    if (candidates.length === 0) {
        throw new HttpError(404, 'not_found', `no route ${method} ${path}`, {
            hint: 'GET /openapi.json lists every route',
        });
    }
    const match = candidates.find((c) => c.route.method === method);
    if (!match) {
        const allow = candidates
            .map((c) => c.route.method)
            .sort()
            .join(', ');
        throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${path}`, {
            hint: `allowed: ${allow}`,
            headers: { Allow: allow },
        });
    }
    const { route } = match;
    if (!route.public && ctx.token)
        checkBearer(req.headers.authorization, ctx.token);
    const params = {};
    for (const [name, raw] of Object.entries(match.params)) {
        let value;
        try {
            value = decodeURIComponent(raw);
        }
        catch {
            throw new HttpError(400, 'validation', `path parameter ${name} is not valid percent-encoding`);
        }
        const schema = route.params?.[name] ?? schemas/* string */.YjP();
        const parsed = schema.safeParse(value);
        if (!parsed.success)
            throw validationError(`path parameter '${name}'`, parsed.error, `check the ${name}`);
        params[name] = value;
    }
    const query = parseQuery(route, url.searchParams);
    const raw = await readJsonBody(req, ctx.maxBody);
    let body;
    if (route.body) {
        const parsed = requestSchemas[route.body].safeParse(raw === undefined ? {} : raw);
        if (!parsed.success)
            throw validationError('request body', parsed.error, `see components.schemas.${route.body} in /openapi.json`);
        body = parsed.data;
    }
    else if (raw !== undefined) {
        throw new HttpError(400, 'validation', `${method} ${route.path} takes no request body`);
    }
    if (route.mutating && ctx.draining()) {
        throw new HttpError(503, 'shutting_down', 'the server is shutting down and takes no new work', {
            retryable: true,
            hint: 'retry against a running server',
            headers: { 'Retry-After': '5' },
        });
    }
    return route.handle({
        params,
        query,
        body,
        manager: ctx.manager,
        work: ctx.work,
        health: ctx.health,
        openapi: ctx.openapi,
    });
}
/** Query parameters as an object for the route's schema: array fields take repeated or comma-separated values. */
function parseQuery(route, search) {
    const keys = [...new Set(search.keys())];
    if (!route.query) {
        if (keys.length)
            throw new HttpError(400, 'validation', `unknown query parameter '${keys[0]}'`, {
                hint: `${route.method} ${route.path} takes no query parameters`,
            });
        return {};
    }
    const shape = route.query.shape;
    const obj = {};
    for (const key of keys) {
        const field = shape[key];
        const inner = field instanceof schemas/* ZodOptional */.IiU ? field.unwrap() : field;
        const values = search.getAll(key);
        if (inner instanceof schemas/* ZodArray */.naA)
            obj[key] = values.flatMap((v) => v.split(',')).filter(Boolean);
        else if (values.length > 1)
            throw new HttpError(400, 'validation', `query parameter '${key}' given ${values.length} times`);
        else
            obj[key] = values[0];
    }
    const parsed = route.query.safeParse(obj);
    if (!parsed.success)
        throw validationError('query', parsed.error, `query parameters: ${Object.keys(shape).join(', ')}`);
    return parsed.data;
}

;// CONCATENATED MODULE: ./src/cli/commands/serve.ts






function parseInteger(name, v, fallback, max) {
    if (v === undefined)
        return fallback;
    const s = String(v);
    if (!/^\d+$/.test(s) || Number(s) > max)
        throw (0,errors/* usageError */.Wp)(`--${name} '${s}' is not a whole number between 0 and ${max}`);
    return Number(s);
}
const serve = {
    name: 'serve',
    summary: 'Serve the HTTP API (create, get, list, destroy, snapshots…) until SIGINT/SIGTERM',
    usage: 'sandboxer serve [--port N] [--host ADDR] [--token-ref env:NAME|file:PATH] [--max-body BYTES] [--drain-timeout DUR] [--openapi]',
    details: [
        `Listens on 127.0.0.1:${DEFAULT_PORT} by default (--port 0 picks a free port). Every route except /healthz and`,
        '/openapi.json needs "Authorization: Bearer <token>" when --token-ref (or SANDBOXER_API_TOKEN_REF) is set;',
        'a non-loopback --host without a token is refused. On SIGINT/SIGTERM it stops accepting work, waits up to',
        '--drain-timeout (default 30s) for provisions and teardowns, then cancels the remaining provisions, which are',
        'torn down before it exits. --openapi prints the OpenAPI document and exits. See docs/http-api.md.',
        'Examples:',
        '  sandboxer serve --port 7878',
        '  API_TOKEN=$(openssl rand -hex 32) sandboxer serve --host 0.0.0.0 --token-ref env:API_TOKEN',
        '  sandboxer serve --openapi > openapi.json',
    ].join('\n'),
    options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'token-ref': { type: 'string' },
        'max-body': { type: 'string' },
        'drain-timeout': { type: 'string' },
        openapi: { type: 'boolean' },
    },
    async run(ctx, { values }) {
        if (values.openapi) {
            ctx.out(JSON.stringify(buildOpenApi({ version: VERSION }), null, 2));
            return;
        }
        const port = parseInteger('port', values.port, DEFAULT_PORT, 65535);
        const maxBodyBytes = parseInteger('max-body', values['max-body'], DEFAULT_MAX_BODY_BYTES, 16 * 1024 * 1024);
        const graceMs = (0,duration/* parseDurationSeconds */.l)(String(values['drain-timeout'] ?? '30s'), '--drain-timeout') * 1000;
        const host = String(values.host ?? '127.0.0.1');
        const tokenRef = values['token-ref'] ?? ctx.env.SANDBOXER_API_TOKEN_REF;
        const manager = ctx.manager();
        const token = tokenRef ? await resolveApiToken(tokenRef, manager.credentials, ctx.env) : undefined;
        const server = await startApiServer({
            manager,
            host,
            port,
            maxBodyBytes,
            log: ctx.log,
            version: VERSION,
            ...(token ? { token } : {}),
        });
        const auth = token ? 'bearer' : 'none (loopback only)';
        ctx.out(ctx.json
            ? JSON.stringify({
                url: server.url,
                host: server.host,
                port: server.port,
                auth: token ? 'bearer' : 'none',
            })
            : `listening on ${server.url} (auth: ${auth}); state: ${manager.store.location}`);
        await new Promise((resolve) => {
            if (ctx.signal.aborted)
                resolve();
            else
                ctx.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        ctx.log.info(`draining: ${server.inFlight} operation(s) in flight`);
        await server.close({ graceMs });
        ctx.log.info('stopped');
    },
};

;// CONCATENATED MODULE: ./src/cli/commands/snapshots.ts

const SNAPSHOT_COLUMNS = ['id', 'name', 'sandbox', 'extension', 'state', 'created'];
const snapshotRow = (s) => ({
    id: s.id,
    name: s.name,
    sandbox: s.sandbox_id,
    extension: s.extension_id,
    state: s.state,
    created: s.created_at,
});
function describeSnapshot(s) {
    const lines = [
        ['id', s.id],
        ['name', s.name],
        ['state', s.state],
        ['sandbox', s.sandbox_id],
        ['profile', s.profile_id],
        ['extension', s.extension_id],
        ['created', s.created_at],
        [
            'handle',
            Object.entries(s.handle)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ') || undefined,
        ],
    ];
    return lines
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k.padEnd(10)} ${v}`)
        .join('\n');
}
const snapshot = {
    name: 'snapshot',
    summary: 'Checkpoint a ready sandbox; the snapshot goes into the snapshot index',
    usage: 'sandboxer snapshot ID [--name LABEL] [--json]',
    details: [
        'Backends without snapshot support fail with code "unsupported" and change nothing.',
        'Example:',
        '  sandboxer snapshot sbx-xxxxxxxxxxxx --name before-migration',
    ].join('\n'),
    options: { name: { type: 'string', short: 'n' } },
    positionals: ['id'],
    async run(ctx, { values, positionals }) {
        const snap = await ctx
            .manager()
            .snapshot(positionals[0], values.name === undefined ? undefined : String(values.name));
        ctx.out(ctx.json ? JSON.stringify(snap, null, 2) : describeSnapshot(snap));
    },
};
const restore = {
    name: 'restore',
    summary: 'Create a new sandbox from a snapshot (on the backend that took it)',
    usage: 'sandboxer restore SNAPSHOT_ID [--ttl DUR] [--json]',
    details: 'The new sandbox records restored_from; the source sandbox is not touched.',
    options: { ttl: { type: 'string' } },
    positionals: ['snapshot_id'],
    async run(ctx, { values, positionals }) {
        const record = await ctx.manager().restore(positionals[0], {
            signal: ctx.signal,
            ...(values.ttl ? { ttl: String(values.ttl) } : {}),
        });
        ctx.out(ctx.json ? JSON.stringify(record, null, 2) : describeRecord(record));
    },
};
const snapshotsList = {
    name: 'snapshots list',
    summary: 'List the snapshot index',
    usage: 'sandboxer snapshots list [--sandbox ID] [--all] [--json]',
    details: 'Deleted snapshots are hidden unless --all is given.',
    options: { sandbox: { type: 'string', short: 's' }, all: { type: 'boolean', short: 'a' } },
    async run(ctx, { values }) {
        const snaps = await ctx.manager().listSnapshots({
            ...(values.sandbox ? { sandboxId: String(values.sandbox) } : {}),
            all: Boolean(values.all),
        });
        ctx.out(ctx.json ? JSON.stringify(snaps, null, 2) : table(snaps.map(snapshotRow), SNAPSHOT_COLUMNS));
    },
};
const snapshotsGet = {
    name: 'snapshots get',
    summary: 'Show one snapshot',
    usage: 'sandboxer snapshots get SNAPSHOT_ID [--json]',
    positionals: ['snapshot_id'],
    async run(ctx, { positionals }) {
        const snap = await ctx.manager().getSnapshot(positionals[0]);
        ctx.out(ctx.json ? JSON.stringify(snap, null, 2) : describeSnapshot(snap));
    },
};
const snapshotsDelete = {
    name: 'snapshots delete',
    summary: 'Delete a snapshot on its backend and mark it deleted in the index (idempotent)',
    usage: 'sandboxer snapshots delete SNAPSHOT_ID [--json]',
    details: 'Backends that cannot delete snapshots fail with code "unsupported" and keep the index entry.',
    positionals: ['snapshot_id'],
    async run(ctx, { positionals }) {
        const snap = await ctx.manager().deleteSnapshot(positionals[0], { signal: ctx.signal });
        ctx.out(ctx.json ? JSON.stringify(snap, null, 2) : describeSnapshot(snap));
    },
};
const snapshotCommands = [snapshot, restore, snapshotsList, snapshotsGet, snapshotsDelete];

// EXTERNAL MODULE: ./src/telemetry/reap.ts
var reap = __webpack_require__(35271);
// EXTERNAL MODULE: ./src/telemetry/stale.ts
var stale = __webpack_require__(62118);
;// CONCATENATED MODULE: ./src/cli/commands/stale.ts




/** Like parseDurationSeconds, but "0", "0s", "0m" mean zero (these ages may be turned off). */
function parseAge(value, flag) {
    if (value === undefined)
        return undefined;
    const text = String(value).trim();
    if (/^0+(\.0+)?[a-z]*$/i.test(text))
        return 0;
    return (0,duration/* parseDurationSeconds */.l)(text, flag);
}
const COMMON_OPTIONS = {
    'min-orphan-age': { type: 'string' },
    'stuck-after': { type: 'string' },
    extension: { type: 'string', short: 'e', multiple: true },
    'all-scopes': { type: 'boolean' },
};
const COMMON_DETAILS = [
    'Options:',
    `  --min-orphan-age DUR  backend objects (and "gone" records) younger than this are left alone (default ${stale/* DEFAULT_MIN_ORPHAN_AGE_S */._r / 60}m; 0 = any age)`,
    '  --stuck-after DUR     a requested/provisioning/destroying record older than this counts as stuck',
    '                        (default: requested 15m, provisioning ready_timeout_s + 15m, destroying 15m)',
    '  --extension ID        only this extension (repeatable)',
    '  --all-scopes          orphans of every ownership scope, not just this one (SANDBOXER_SCOPE / the repository)',
];
function findOptions(values) {
    const minOrphanAge_s = parseAge(values['min-orphan-age'], '--min-orphan-age');
    const stuck = parseAge(values['stuck-after'], '--stuck-after');
    const extensions = values.extension;
    return {
        ...(minOrphanAge_s !== undefined ? { minOrphanAge_s } : {}),
        ...(stuck !== undefined ? { bounds: { stuck_after_s: stuck } } : {}),
        ...(extensions?.length ? { extensions } : {}),
        ...(values['all-scopes'] ? { scope: '*' } : {}),
    };
}
const row = (i) => ({
    kind: i.kind,
    sandbox: i.sandbox_id,
    extension: i.extension_id,
    backend: i.backend_id,
    state: i.state,
    age: i.age_s === undefined ? undefined : `${i.age_s}s`,
    ...('outcome' in i ? { outcome: i.outcome, detail: i.error ?? i.note ?? i.reason } : { reason: i.reason }),
});
function unreachableLines(r) {
    const skipped = [...new Set(r.not_configured.map((u) => u.extension_id))];
    return [
        ...r.unreachable.map((u) => `warning: could not list ${u.extension_id}${u.profile_id ? ` (${u.profile_id})` : ''}: ${u.error}; its records were not checked for missing objects`),
        ...(skipped.length ? [`not listed (credentials not configured here): ${skipped.join(', ')}`] : []),
    ];
}
const inspectStale = {
    name: 'inspect stale',
    summary: 'List what reap-stale would act on: expired, stuck, cleanup-pending, gone and orphaned (read-only)',
    usage: 'sandboxer inspect stale [--min-orphan-age DUR] [--stuck-after DUR] [--extension ID]... [--all-scopes] [--json]',
    details: [
        ...COMMON_DETAILS,
        '',
        'Kinds: expired (TTL lapsed), stuck (non-terminal past a bound), cleanup (failed, backend cleanup pending),',
        'gone (ready record whose backend object no longer exists), orphaned (backend object with our labels and',
        'no live record).',
    ].join('\n'),
    options: COMMON_OPTIONS,
    async run(ctx, { values }) {
        const report = await (0,stale/* findStale */.TS)(ctx.manager(), { ...findOptions(values), signal: ctx.signal });
        if (ctx.json) {
            ctx.out(JSON.stringify({ ...report, items: report.items.map(({ object: _o, ...rest }) => rest) }, null, 2));
            return;
        }
        const e = report.examined;
        ctx.out([
            `${e.records} records (${e.live_records} live), ${e.backend_objects} backend objects on ${e.listed.join(', ') || 'no listable extension'}; scope ${report.scope}`,
            table(report.items.map(row), ['kind', 'sandbox', 'extension', 'backend', 'state', 'age', 'reason']),
            ...unreachableLines(report),
        ].join('\n'));
    },
};
const reapStaleCommand = {
    name: 'reap-stale',
    summary: 'Reconcile the state store and the backends: tear down what is stale (dry run unless --apply)',
    usage: 'sandboxer reap-stale [--apply] [--min-orphan-age DUR] [--stuck-after DUR] [--extension ID]... [--all-scopes] [--json]',
    details: [
        ...COMMON_DETAILS,
        '  --apply               act; without it nothing is changed and the planned actions are listed',
        '',
        "Records are torn down through the same path as 'sandboxer destroy' (teardown_requested_by: reaper);",
        'orphaned backend objects with the extension teardown. Every action is logged in the state store',
        "collection 'reaper'. After an applied run the fin-hub outbox is replayed. Exit 1 if any action failed.",
        'Examples:',
        '  sandboxer reap-stale                      # what would be reaped',
        '  sandboxer reap-stale --apply --min-orphan-age 30m',
    ].join('\n'),
    options: { ...COMMON_OPTIONS, apply: { type: 'boolean' } },
    async run(ctx, { values }) {
        const report = await (0,reap/* reapStale */.I2)(ctx.manager(), {
            ...findOptions(values),
            apply: Boolean(values.apply),
            signal: ctx.signal,
            env: ctx.env,
            log: ctx.log,
        });
        if (ctx.json) {
            ctx.out(JSON.stringify(report, null, 2));
        }
        else {
            const s = report.summary;
            ctx.out([
                report.apply
                    ? `reaped: ${s.done} done, ${s.skipped} skipped, ${s.error} failed`
                    : `dry run: ${s.planned} planned, ${s.skipped} skipped (run with --apply to act)`,
                table(report.actions.map(row), [
                    'kind',
                    'sandbox',
                    'extension',
                    'backend',
                    'state',
                    'age',
                    'outcome',
                    'detail',
                ]),
                ...unreachableLines(report),
                ...(report.outbox && !report.outbox.ok ? [`warning: outbox replay: ${report.outbox.error}`] : []),
            ].join('\n'));
        }
        return report.summary.error > 0 ? 1 : 0;
    },
};
const staleCommands = [inspectStale, reapStaleCommand];

;// CONCATENATED MODULE: ./src/cli/commands/ttl.ts


const extendTtl = {
    name: 'extend-ttl',
    summary: "Push a sandbox's expiry later (on the backend where it can extend; always in the record)",
    usage: 'sandboxer extend-ttl ID --duration DUR [--json]',
    details: [
        'The new expiry is max(current expiry, now) + DUR, capped by the profile ttl.max.',
        'Backends that cannot extend a running sandbox get the new expiry recorded only (the output says so);',
        "'sandboxer expire' and 'sandboxer reap-stale' enforce it.",
        'Example:',
        '  sandboxer extend-ttl sbx-xxxxxxxxxxxx --duration 2h',
    ].join('\n'),
    options: { duration: { type: 'string', short: 'd' } },
    positionals: ['id'],
    async run(ctx, { values, positionals }) {
        if (values.duration === undefined)
            throw (0,errors/* usageError */.Wp)('extend-ttl: --duration is required', 'e.g. --duration 2h (units: s, m, h, d)');
        const { record, pushed, note } = await ctx.manager().extendTtl(positionals[0], String(values.duration));
        if (ctx.json) {
            ctx.out(JSON.stringify({ record, pushed, ...(note ? { note } : {}) }, null, 2));
            return;
        }
        ctx.out([
            `${record.id} now expires at ${record.expires_at} (${pushed ? 'pushed to the backend' : 'recorded only'})`,
            ...(note ? [`note: ${note}`] : []),
        ].join('\n'));
    },
};
const expire = {
    name: 'expire',
    summary: 'Tear down live sandboxes whose TTL has lapsed (dry run unless --apply)',
    usage: 'sandboxer expire [--apply] [--json]',
    details: [
        'Without --apply it lists what would expire and changes nothing. With --apply each one is torn down',
        "through the normal destroy path and ends in the 'expired' state. Exit 1 if any teardown failed.",
    ].join('\n'),
    options: { apply: { type: 'boolean' } },
    async run(ctx, { values }) {
        const apply = Boolean(values.apply);
        const { expired, errors } = await ctx.manager().expire({ apply, signal: ctx.signal });
        if (ctx.json) {
            ctx.out(JSON.stringify({ apply, expired, errors }, null, 2));
        }
        else {
            const title = apply ? `expired ${expired.length}` : `would expire ${expired.length} (dry run)`;
            ctx.out([
                title,
                ...(expired.length ? [table(expired.map(recordRow), RECORD_COLUMNS)] : []),
                ...errors.map((e) => `error: ${e.id}: ${e.error}`),
            ].join('\n'));
        }
        return errors.length ? 1 : 0;
    },
};
const ttlCommands = [extendTtl, expire];

;// CONCATENATED MODULE: ./src/cli/commands/index.ts










/** Every CLI verb. Verb groups add their commands here. */
const commands_commands = [
    ...sandboxCommands,
    ...catalogCommands,
    serve,
    ...creditsCommands,
    ...exportCommands,
    ...snapshotCommands,
    ...ttlCommands,
    ...staleCommands,
    inspectHost,
    ...routeCommands,
];

;// CONCATENATED MODULE: ./src/cli/run.ts






const GLOBAL_OPTIONS = {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    verbose: { type: 'boolean', short: 'v' },
    quiet: { type: 'boolean', short: 'q' },
};
const VERSION = '0.1.0';
function topHelp(commands) {
    const width = Math.max(...commands.map((c) => c.name.length));
    return [
        'sandboxer — establish sandboxes: profiles, routing, lifecycle, metering, reaping',
        '',
        'Usage: sandboxer <command> [options]',
        '',
        'Commands:',
        ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
        '',
        'Global options:',
        '  --json         machine-readable output on stdout (errors too, as {"error": {...}})',
        '  -h, --help     help for sandboxer or for a command',
        '  -v, --verbose  debug logging on stderr',
        '  -q, --quiet    no progress logging',
        '  --version      print the version',
        '',
        'Environment: SANDBOXER_STATE_DIR (state, default ~/.local/share/sandboxer), SANDBOXER_CATALOG_PATH',
        '(extra catalog roots holding profiles/ and extensions/), SANDBOXER_DEFAULT_PROFILE (profile used when',
        'create gets no --profile; default: the catalog default, profile.sandbox-canary).',
        'Exit codes: 0 ok, 1 runtime failure, 2 usage or validation error.',
        "Run 'sandboxer <command> --help' for a command's options.",
    ].join('\n');
}
function commandHelp(c) {
    const opts = Object.entries(c.options ?? {}).map(([name, o]) => `  ${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ' VALUE' : ''}${o.multiple ? ' (repeatable)' : ''}`);
    return [
        `${c.summary}`,
        '',
        `Usage: ${c.usage}`,
        ...(opts.length ? ['', 'Options:', ...opts] : []),
        ...(c.details ? ['', c.details] : []),
    ].join('\n');
}
function findCommand(commands, words) {
    for (const n of [2, 1]) {
        const name = words.slice(0, n).join(' ');
        const command = commands.find((c) => c.name === name);
        if (command)
            return { command, rest: words.slice(n) };
    }
    return undefined;
}
/** Run the CLI; returns the exit code. Never throws. */
async function runCli(argv, io, commands = commands_commands) {
    const json = argv.includes('--json');
    const fail = (err) => {
        const e = (0,errors/* toSandboxerError */.Sb)(err);
        if (json)
            io.stdout(JSON.stringify({ error: e.toJSON() }, null, 2));
        io.stderr(`error: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ''}`);
        if (e.code === 'internal' && io.env.SANDBOXER_DEBUG)
            io.stderr(String(err?.stack ?? ''));
        return e.exitCode;
    };
    try {
        if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
            const sub = argv[0] === 'help' ? findCommand(commands, argv.slice(1)) : undefined;
            io.stdout(sub ? commandHelp(sub.command) : topHelp(commands));
            return 0;
        }
        if (argv[0] === '--version') {
            io.stdout(VERSION);
            return 0;
        }
        const words = argv.filter((a) => !a.startsWith('-')).slice(0, 2);
        const found = findCommand(commands, words);
        if (!found) {
            const groups = commands.filter((c) => c.name.startsWith(`${words[0]} `));
            if (groups.length)
                throw (0,errors/* usageError */.Wp)(`'${words.join(' ')}' needs a subcommand`, `one of: ${groups.map((c) => c.name).join(', ')}`);
            throw (0,errors/* usageError */.Wp)(`unknown command '${words[0] ?? argv[0]}'`, "run 'sandboxer --help' for the list of commands");
        }
        const { command } = found;
        // Remove the command words (first occurrences) from argv, keep everything else for parseArgs.
        const rest = [...argv];
        for (const w of command.name.split(' '))
            rest.splice(rest.indexOf(w), 1);
        let parsed;
        try {
            parsed = (0,external_node_util_.parseArgs)({
                args: rest,
                options: { ...GLOBAL_OPTIONS, ...(command.options ?? {}) },
                allowPositionals: true,
                strict: true,
            });
        }
        catch (err) {
            throw (0,errors/* usageError */.Wp)(`${command.name}: ${err.message.replace(/\. To specify.*$/s, '')}`, `usage: ${command.usage}`);
        }
        const values = parsed.values;
        if (values.help) {
            io.stdout(commandHelp(command));
            return 0;
        }
        const want = command.positionals ?? [];
        const required = want.filter((p) => !p.endsWith('?')).length;
        if (parsed.positionals.length < required)
            throw (0,errors/* usageError */.Wp)(`${command.name}: missing ${want[parsed.positionals.length].replace('?', '').toUpperCase()}`, `usage: ${command.usage}`);
        if (parsed.positionals.length > want.length)
            throw (0,errors/* usageError */.Wp)(`${command.name}: unexpected argument '${parsed.positionals[want.length]}'`, `usage: ${command.usage}`);
        const log = (0,logger/* stderrLogger */.D)({ verbose: Boolean(values.verbose), quiet: Boolean(values.quiet) });
        let manager;
        const ctx = {
            manager: () => (manager ??= (0,factory/* createManager */.i)({
                env: io.env,
                log,
                credentials: (0,credentials/* createCredentialResolver */.s)(io.env, (line) => io.stderr(`::add-mask::${line}`)),
            })),
            json,
            log,
            signal: io.signal,
            env: io.env,
            out: io.stdout,
        };
        const code = await command.run(ctx, { values, positionals: parsed.positionals });
        return typeof code === 'number' ? code : 0;
    }
    catch (err) {
        return fail(err instanceof errors/* SandboxerError */.j8 ? err : err);
    }
}

;// CONCATENATED MODULE: ./src/cli/main.ts

/** Process entry: wires signals to an AbortSignal (a second signal exits at once) and sets the exit code. */
async function main(argv = process.argv.slice(2)) {
    const controller = new AbortController();
    let signals = 0;
    const onSignal = (sig) => {
        signals += 1;
        if (signals > 1)
            process.exit(130);
        process.stderr.write(`received ${sig}: cancelling and cleaning up (send again to exit at once)\n`);
        controller.abort(new Error(sig));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const code = await runCli(argv, {
        stdout: (s) => process.stdout.write(`${s}\n`),
        stderr: (s) => process.stderr.write(`${s}\n`),
        env: process.env,
        signal: controller.signal,
    });
    process.exitCode = code;
}


/***/ }),

/***/ 79375:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   H: () => (/* binding */ parseKeyValues)
/* harmony export */ });
/* harmony import */ var _core_errors_ts__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(74296);

/** `k=v` pairs (repeatable --input) into a record; the value may contain '='. */
function parseKeyValues(items, flag = '--input', hint = `repeat ${flag} name=value for each value, e.g. ${flag} repo=./app`) {
    const out = {};
    for (const item of items) {
        const i = item.indexOf('=');
        if (i <= 0)
            throw (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_0__/* .usageError */ .Wp)(`${flag} '${item}' is not of the form key=value`, hint);
        const key = item.slice(0, i).trim();
        if (!/^[a-z][a-z0-9_]*$/.test(key))
            throw (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_0__/* .usageError */ .Wp)(`${flag} key '${key}' must be snake_case (a-z, 0-9, _)`, hint);
        if (key in out)
            throw (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_0__/* .usageError */ .Wp)(`${flag} '${key}' given twice`, hint);
        out[key] = item.slice(i + 1);
    }
    return out;
}


/***/ })

};
