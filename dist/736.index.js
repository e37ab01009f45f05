export const id = 736;
export const ids = [736];
export const modules = {

/***/ 31658:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Sy: () => (/* binding */ writeSummary),
/* harmony export */   sD: () => (/* binding */ setRecordOutputs)
/* harmony export */ });
/* unused harmony exports routeText, SUMMARY_HEADER, summaryRow */
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(33838);
/* harmony import */ var _core_duration_ts__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(98571);


/** Step outputs of setup-sandbox. The handle is JSON of non-secret backend facts (host, ports, provider ids). */
function setRecordOutputs(r) {
    const host = r.handle.host ?? r.placement.host ?? '';
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('sandbox-id', r.id);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('extension-id', r.extension_id);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('state', r.state);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('host', String(host));
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('handle', JSON.stringify(r.handle));
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('expires-at', r.expires_at ?? '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('estimate-usd', r.estimate_usd ?? '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('route-decision', JSON.stringify(r.route ?? {}));
}
function routeText(r) {
    if (!r.route)
        return r.extension_id;
    const tried = r.route.candidates
        .map((c) => `${c.extension_id}: ${c.outcome ?? (c.eligible ? 'eligible' : 'skipped')}`)
        .join(', ');
    return `${r.route.strategy} → ${r.route.chosen ?? '-'} (${tried})`;
}
const SUMMARY_HEADER = [
    'Sandbox',
    'State',
    'Backend',
    'Route decision',
    'TTL',
    'Estimate',
    'Actual cost',
];
function summaryRow(r) {
    return [
        r.id,
        r.state,
        r.extension_id,
        routeText(r),
        r.ttl_s ? `${(0,_core_duration_ts__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a)(r.ttl_s)}${r.expires_at ? ` (until ${r.expires_at})` : ''}` : 'none',
        r.estimate_usd ? `$${r.estimate_usd}` : '-',
        r.meter ? `$${r.meter.actual_usd} (${r.meter.duration_s}s)` : r.state === 'ready' ? 'at teardown' : '-',
    ];
}
/** The job summary: one table row per sandbox; failures in writing it never fail the step. */
async function writeSummary(title, records, notes = []) {
    if (!process.env.GITHUB_STEP_SUMMARY)
        return;
    try {
        const s = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .summary */ .z
            .addHeading(title, 3)
            .addTable([SUMMARY_HEADER.map((h) => ({ data: h, header: true })), ...records.map(summaryRow)]);
        for (const n of notes)
            s.addRaw(n, true);
        await s.write();
    }
    catch (err) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(`job summary: ${err.message}`);
    }
}


/***/ }),

/***/ 68627:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  v0: () => (/* binding */ actionLogger),
  U2: () => (/* binding */ actionManager),
  fi: () => (/* binding */ actionStateDir),
  rL: () => (/* binding */ onSignals),
  Ch: () => (/* binding */ openStore),
  eg: () => (/* binding */ runStep)
});

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(33838);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(74296);
// EXTERNAL MODULE: ./src/manager/factory.ts + 14 modules
var factory = __webpack_require__(76453);
// EXTERNAL MODULE: ./src/state/artifact/artifact-store.ts
var artifact_store = __webpack_require__(82028);
// EXTERNAL MODULE: ./src/state/artifact/run-artifacts.ts
var run_artifacts = __webpack_require__(21407);
// EXTERNAL MODULE: ./src/state/artifact/mirrored-store.ts
var mirrored_store = __webpack_require__(3704);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: ./src/core/record.ts
var core_record = __webpack_require__(14130);
;// CONCATENATED MODULE: ./src/state/cache/cache-mirror.ts





/**
 * Sandbox records in the GitHub Actions cache (`state-store: cache`). Limits, which is why artifacts are the
 * default and the reaper's source of truth:
 * - keys are immutable, so every revision is a new entry `sandboxer-<id>-r<revision>`; a restore takes the
 *   newest entry with the `sandboxer-<id>-` prefix;
 * - entries are scoped to a branch: a run on another branch (a scheduled reaper on the default branch reading a
 *   PR's entries) cannot restore them;
 * - entries idle 7 days are evicted and the repository's cache quota evicts old ones early;
 * - the cache service cannot delete: a terminal record is saved as the last revision (a tombstone).
 * The record file lives at the same path in every job (`<os tmpdir>/sandboxer-cache/<id>.json`, not under
 * RUNNER_TEMP, which differs between runners), because the cache version hashes the paths.
 */
class CacheMirror {
    kind = 'cache';
    dir;
    constructor(dir = (0,external_node_path_.join)((0,external_node_os_.tmpdir)(), 'sandboxer-cache')) {
        this.dir = dir;
    }
    file(id) {
        return (0,external_node_path_.join)(this.dir, `${id}.json`);
    }
    async cache() {
        return Promise.all(/* import() */[__webpack_require__.e(110), __webpack_require__.e(91)]).then(__webpack_require__.bind(__webpack_require__, 18091));
    }
    async put(record) {
        const cache = await this.cache();
        await (0,promises_.mkdir)(this.dir, { recursive: true });
        const file = this.file(record.id);
        await (0,promises_.writeFile)(file, JSON.stringify(core_record/* SandboxRecord */.Vg.parse(record)));
        try {
            // A duplicate key (the same revision saved twice) returns -1 rather than throwing.
            return await cache.saveCache([file], `sandboxer-${record.id}-r${record.revision}`);
        }
        finally {
            await (0,promises_.rm)(file, { force: true });
        }
    }
    retire(record) {
        return this.put(record);
    }
    async find(sandboxId) {
        const cache = await this.cache();
        const file = this.file(sandboxId);
        await (0,promises_.mkdir)(this.dir, { recursive: true });
        const hit = await cache.restoreCache([file], `sandboxer-${sandboxId}-latest`, [
            `sandboxer-${sandboxId}-`,
        ]);
        if (!hit)
            return undefined;
        try {
            const parsed = core_record/* SandboxRecord */.Vg.safeParse(JSON.parse(await (0,promises_.readFile)(file, 'utf8')));
            if (!parsed.success)
                throw new errors/* SandboxerError */.j8('state_store', `cache entry ${hit} does not hold a sandbox record`);
            return { record: parsed.data };
        }
        finally {
            await (0,promises_.rm)(file, { force: true });
        }
    }
}

;// CONCATENATED MODULE: ./src/state/cache/cache-store.ts


/** `state-store: cache`: the local store mirrored to the Actions cache (see CacheMirror for its limits). */
class CacheStateStore extends mirrored_store/* MirroredStateStore */.B {
    constructor(local, opts = {}) {
        super(local, new CacheMirror(), opts.log);
    }
}

// EXTERNAL MODULE: ./src/state/file/file-store.ts + 3 modules
var file_store = __webpack_require__(80064);
;// CONCATENATED MODULE: ./src/action/runtime.ts









/** Lifecycle messages go to the job log; groups fold with core.group. */
const actionLogger = {
    debug: (m) => core/* debug */.Yz(m),
    info: (m) => core/* info */.pq(m),
    warn: (m) => core/* warning */.$e(m),
    error: (m) => core/* error */.z3(m),
    group: (title, fn) => core/* group */.Os(title, fn),
};
/**
 * The job-local state directory. RUNNER_TEMP is emptied after every job, which is why the record is also kept
 * in an artifact; SANDBOXER_STATE_DIR overrides it (tests, self-hosted runners that want a persistent ledger).
 */
function actionStateDir(env = process.env) {
    return env.SANDBOXER_STATE_DIR ?? (0,external_node_path_.join)(env.RUNNER_TEMP ?? (0,external_node_os_.tmpdir)(), 'sandboxer-state');
}
function openStore(kind, opts = {}) {
    const env = opts.env ?? process.env;
    const log = opts.log ?? actionLogger;
    const local = new file_store/* FileStateStore */.n(actionStateDir(env));
    if (kind === 'artifact') {
        if (!(0,run_artifacts/* hasArtifactRuntime */.BL)(env)) {
            log.warn('state-store artifact: ACTIONS_RUNTIME_TOKEN/ACTIONS_RESULTS_URL are not set (not a JavaScript action step?); the record stays in this job only');
            return { store: local, flush: async () => [] };
        }
        const store = new artifact_store/* ArtifactStateStore */.p(local, new run_artifacts/* RunArtifacts */.Tn({
            attempt: env.GITHUB_RUN_ATTEMPT ?? '1',
            ...(opts.retentionDays ? { retentionDays: opts.retentionDays } : {}),
            ...(env.RUNNER_TEMP ? { tmp: env.RUNNER_TEMP } : {}),
        }), log);
        return { store, flush: () => store.flush().then(() => store.errors) };
    }
    if (kind === 'cache') {
        const store = new CacheStateStore(local, { log });
        return { store, flush: () => store.flush().then(() => store.errors) };
    }
    return { store: local, flush: async () => [] };
}
function actionManager(store, env = process.env) {
    return (0,factory/* createManager */.i)({ store, env, log: actionLogger });
}
/**
 * Cancellation: the runner sends SIGINT on cancel, SIGTERM 7.5 s later and kills 2.5 s after that. `onSignal`
 * decides what a signal means for the step (main aborts provisioning, which tears down what was made).
 */
function onSignals(handler) {
    const h = (sig) => handler(sig);
    process.on('SIGINT', h);
    process.on('SIGTERM', h);
    return () => {
        process.off('SIGINT', h);
        process.off('SIGTERM', h);
    };
}
/** Run one step body: a main step fails the step on error; a post step only warns (it must never fail a job). */
async function runStep(kind, body) {
    try {
        await body();
    }
    catch (err) {
        const e = (0,errors/* toSandboxerError */.Sb)(err);
        const text = `${e.message}${e.hint ? ` (${e.hint})` : ''}`;
        if (kind === 'post')
            core/* warning */.$e(text);
        else
            core/* setFailed */.C1(text);
    }
}


/***/ }),

/***/ 82028:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   p: () => (/* binding */ ArtifactStateStore)
/* harmony export */ });
/* harmony import */ var _mirrored_store_ts__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3704);

/** `state-store: artifact` (the default): the local store mirrored to one workflow artifact per sandbox. */
class ArtifactStateStore extends _mirrored_store_ts__WEBPACK_IMPORTED_MODULE_0__/* .MirroredStateStore */ .B {
    artifacts;
    constructor(local, artifacts, log) {
        super(local, artifacts, log);
        this.artifacts = artifacts;
    }
}


/***/ }),

/***/ 3704:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   B: () => (/* binding */ MirroredStateStore)
/* harmony export */ });
/* harmony import */ var _core_ids_ts__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(89921);
/* harmony import */ var _core_errors_ts__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(74296);
/* harmony import */ var _core_lifecycle_ts__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(62043);
/* harmony import */ var _core_logger_ts__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(11227);




/**
 * The job's state store in GitHub Actions. Reads and writes go to a local store on the runner (fast, atomic,
 * locked); every sandbox record is mirrored (one workflow artifact per sandbox, or a cache entry) so other jobs
 * (teardown-sandbox) and later runs (reap-stale) can find it when this runner is gone. A terminal record's
 * artifact is deleted.
 *
 * Mirroring is write-behind and coalescing: the lifecycle never waits on the remote service (the provider
 * call is not delayed), at most one upload per sandbox is in flight, and intermediate revisions are skipped.
 * Callers `flush()` before the step ends. Mirroring failures are logged, not thrown: the backend's ownership
 * labels still let reap-stale find the sandbox.
 * Collections (ledger, outbox) and snapshots stay in the local store: they live as long as the job.
 */
class MirroredStateStore {
    local;
    remote;
    log;
    opts;
    kind;
    location;
    latest = new Map();
    synced = new Map();
    workers = new Map();
    pinned = new Set();
    /** Ids whose copy must be written again even at the same revision (pinned after being retired). */
    dirty = new Set();
    wake = new Set();
    flushing = false;
    errors = [];
    constructor(local, remote, log = _core_logger_ts__WEBPACK_IMPORTED_MODULE_3__/* .silentLogger */ .q, opts = {}) {
        this.local = local;
        this.remote = remote;
        this.log = log;
        this.opts = opts;
        this.kind = remote.kind;
        this.location = `${remote.kind} (local copy: ${local.location})`;
    }
    schedule(record) {
        this.latest.set(record.id, record);
        if (this.workers.has(record.id))
            return;
        // The worker removes itself in the same tick as its last check, so a write never slips between the two.
        this.workers.set(record.id, this.settle().then(() => this.drain(record.id)));
    }
    /**
     * The first copy of a sandbox waits a moment (or until `flush`): the revisions written on the way to the
     * provider call coalesce into one upload, and loading the remote client does not delay that call.
     */
    settle() {
        if (this.flushing || this.opts.delayMs === 0)
            return Promise.resolve();
        return new Promise((resolve) => {
            const t = setTimeout(resolve, this.opts.delayMs ?? 300);
            this.wake.add(() => {
                clearTimeout(t);
                resolve();
            });
        });
    }
    async drain(id) {
        for (;;) {
            const record = this.latest.get(id);
            const done = this.synced.get(id);
            if (done && done.revision >= record.revision && !this.dirty.has(id)) {
                this.workers.delete(id);
                return;
            }
            this.dirty.delete(id);
            try {
                if ((0,_core_lifecycle_ts__WEBPACK_IMPORTED_MODULE_2__/* .isTerminal */ .Hd)(record.state) && !record.cleanup_pending && !this.pinned.has(id)) {
                    await this.remote.retire(record);
                    this.synced.set(id, { revision: record.revision, uploaded: false });
                }
                else {
                    await this.remote.put(record, done?.uploaded ?? false);
                    this.synced.set(id, { revision: record.revision, uploaded: true });
                }
            }
            catch (err) {
                const msg = `state ${this.kind} for ${id}: ${(0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_1__/* .toSandboxerError */ .Sb)(err).message}`;
                this.errors.push(msg);
                this.log.warn(msg);
                // Keep what the service holds unknown-but-present so the next attempt replaces rather than duplicates.
                this.synced.set(id, { revision: record.revision, uploaded: true });
            }
        }
    }
    /**
     * Keep a terminal record's copy (instead of dropping it) because something is still owed on it, e.g. a usage
     * record fin-hub has not acknowledged: reap-stale finds the copy and replays the export.
     */
    async pin(id) {
        const record = await this.local.getSandbox(id);
        if (!record)
            return;
        this.pinned.add(id);
        this.dirty.add(id);
        this.schedule(record);
    }
    /** Wait until every record written so far is mirrored (or has failed to be). */
    async flush() {
        this.flushing = true;
        try {
            while (this.workers.size > 0) {
                for (const w of this.wake)
                    w();
                this.wake.clear();
                await Promise.all([...this.workers.values()]);
            }
        }
        finally {
            this.flushing = false;
        }
    }
    /** Take a record found elsewhere (another job's artifact) into the local store without re-uploading it. */
    async adopt(record, uploaded = true) {
        if (!(await this.local.getSandbox(record.id)))
            await this.local.createSandbox(record);
        this.synced.set(record.id, { revision: record.revision, uploaded });
    }
    async createSandbox(record) {
        await this.local.createSandbox(record);
        this.schedule(record);
    }
    async getSandbox(id) {
        const mine = await this.local.getSandbox(id);
        if (mine)
            return mine;
        if (!_core_ids_ts__WEBPACK_IMPORTED_MODULE_0__/* .SANDBOX_ID_RE */ .aY.test(id))
            return undefined;
        const found = await this.remote.find(id);
        if (!found)
            return undefined;
        await this.adopt(found.record);
        return this.local.getSandbox(id);
    }
    listSandboxes() {
        return this.local.listSandboxes();
    }
    async updateSandbox(id, fn) {
        await this.getSandbox(id); // local first; adopts the artifact copy when only that exists
        const next = await this.local.updateSandbox(id, fn);
        this.schedule(next);
        return next;
    }
    putSnapshot(record) {
        return this.local.putSnapshot(record);
    }
    getSnapshot(id) {
        return this.local.getSnapshot(id);
    }
    listSnapshots() {
        return this.local.listSnapshots();
    }
    appendOnce(collection, key, value) {
        return this.local.appendOnce(collection, key, value);
    }
    readCollection(collection) {
        return this.local.readCollection(collection);
    }
    removeFromCollection(collection, key) {
        return this.local.removeFromCollection(collection, key);
    }
}


/***/ }),

/***/ 15380:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Cs: () => (/* binding */ artifactName),
/* harmony export */   TZ: () => (/* binding */ parseArtifactName)
/* harmony export */ });
/* unused harmony export ARTIFACT_PREFIX */
/**
 * One artifact per sandbox and run attempt: `sandboxer-<sandbox id>-a<attempt>.json`. Artifact names are unique
 * within a workflow run across jobs and attempts (a duplicate is refused), hence the attempt in the name; the
 * `.json` suffix is there because the record is uploaded unzipped (the file name is the artifact name).
 */
const ARTIFACT_PREFIX = 'sandboxer-';
const NAME_RE = /^sandboxer-(sbx-[a-z0-9]{12})-a(\d+)\.json$/;
function artifactName(sandboxId, attempt) {
    return `${ARTIFACT_PREFIX}${sandboxId}-a${attempt}.json`;
}
function parseArtifactName(name) {
    const m = NAME_RE.exec(name);
    return m ? { sandboxId: m[1], attempt: Number(m[2]) } : undefined;
}


/***/ }),

/***/ 21407:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   BL: () => (/* binding */ hasArtifactRuntime),
/* harmony export */   Tn: () => (/* binding */ RunArtifacts)
/* harmony export */ });
/* unused harmony export artifactClient */
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(48161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _core_errors_ts__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(74296);
/* harmony import */ var _core_record_ts__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(14130);
/* harmony import */ var _names_ts__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(15380);






/** Whether this process can reach the workflow run's artifact service (JavaScript actions only). */
function hasArtifactRuntime(env = process.env) {
    return Boolean(env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL);
}
let clientPromise;
/** The SDK is large: it is loaded on first use, so the CLI and `state-store: none` never pay for it. */
function artifactClient() {
    clientPromise ??= Promise.all(/* import() */[__webpack_require__.e(251), __webpack_require__.e(110), __webpack_require__.e(351), __webpack_require__.e(518)]).then(__webpack_require__.bind(__webpack_require__, 56518)).then((m) => new m.DefaultArtifactClient());
    return clientPromise;
}
/** Sandbox records stored as artifacts of the current workflow run (Twirp API, scoped by the runtime token). */
class RunArtifacts {
    opts;
    kind = 'artifact';
    constructor(opts = { attempt: '1' }) {
        this.opts = opts;
    }
    async scratch() {
        return (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.mkdtemp)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(this.opts.tmp ?? (0,node_os__WEBPACK_IMPORTED_MODULE_1__.tmpdir)(), 'sandboxer-artifact-'));
    }
    /** Upload (or replace) the record of one sandbox. Artifacts are immutable: a replace deletes first. */
    async put(record, replace) {
        const client = await artifactClient();
        const name = (0,_names_ts__WEBPACK_IMPORTED_MODULE_5__/* .artifactName */ .Cs)(record.id, this.opts.attempt);
        if (replace)
            await this.deleteByName(name);
        const dir = await this.scratch();
        try {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.writeFile)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, name), JSON.stringify(_core_record_ts__WEBPACK_IMPORTED_MODULE_4__/* .SandboxRecord */ .Vg.parse(record)));
            const upload = () => client.uploadArtifact(name, [(0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, name)], dir, {
                skipArchive: true,
                ...(this.opts.retentionDays ? { retentionDays: this.opts.retentionDays } : {}),
            });
            try {
                return (await upload()).id ?? 0;
            }
            catch (err) {
                // Another step of this job (the main, when this is the post) uploaded it: replace it.
                if (replace || !(err instanceof Error && /\(409\)|already exists/i.test(err.message)))
                    throw err;
                await this.deleteByName(name);
                return (await upload()).id ?? 0;
            }
        }
        finally {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rm)(dir, { recursive: true, force: true });
        }
    }
    async list() {
        const client = await artifactClient();
        const { artifacts } = await client.listArtifacts();
        const out = [];
        for (const a of artifacts) {
            const parsed = (0,_names_ts__WEBPACK_IMPORTED_MODULE_5__/* .parseArtifactName */ .TZ)(a.name);
            if (parsed)
                out.push({ id: a.id, name: a.name, ...parsed });
        }
        return out;
    }
    /** The newest record of a sandbox in this run (highest attempt), or undefined. */
    async find(sandboxId) {
        const found = (await this.list())
            .filter((a) => a.sandboxId === sandboxId)
            .sort((a, b) => b.attempt - a.attempt)[0];
        if (!found)
            return undefined;
        return { record: await this.download(found.id), artifact: found };
    }
    async download(artifactId, findBy) {
        const client = await artifactClient();
        const dir = await this.scratch();
        try {
            await client.downloadArtifact(artifactId, { path: dir, ...(findBy ? { findBy } : {}) });
            const files = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readdir)(dir);
            if (files.length !== 1)
                throw new _core_errors_ts__WEBPACK_IMPORTED_MODULE_3__/* .SandboxerError */ .j8('state_store', `artifact ${artifactId} holds ${files.length} files, not one record`);
            const parsed = _core_record_ts__WEBPACK_IMPORTED_MODULE_4__/* .SandboxRecord */ .Vg.safeParse(JSON.parse(await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, files[0]), 'utf8')));
            if (!parsed.success)
                throw new _core_errors_ts__WEBPACK_IMPORTED_MODULE_3__/* .SandboxerError */ .j8('state_store', `artifact ${artifactId} does not hold a sandbox record`, {
                    hint: 'it was written by an incompatible version; delete it from the run if the sandbox is gone',
                });
            return parsed.data;
        }
        finally {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rm)(dir, { recursive: true, force: true });
        }
    }
    /** Delete one artifact of this run by name; a missing artifact is not an error. */
    async deleteByName(name) {
        const client = await artifactClient();
        try {
            await client.deleteArtifact(name);
            return true;
        }
        catch (err) {
            if (err instanceof Error && (err.name === 'ArtifactNotFoundError' || /not found/i.test(err.message)))
                return false;
            throw err;
        }
    }
    retire(record) {
        return this.deleteSandbox(record.id);
    }
    /** Delete every attempt's artifact of a sandbox in this run. */
    async deleteSandbox(sandboxId) {
        let n = 0;
        for (const a of await this.list())
            if (a.sandboxId === sandboxId && (await this.deleteByName(a.name)))
                n++;
        return n;
    }
}


/***/ })

};
