export const id = 839;
export const ids = [839];
export const modules = {

/***/ 81729:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   j8: () => (/* binding */ readSetupInputs),
/* harmony export */   lg: () => (/* binding */ stateStoreInput)
/* harmony export */ });
/* unused harmony exports TeardownPolicy, StateStoreKind */
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(33838);
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(12311);
/* harmony import */ var _catalog_schema_ts__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(53596);
/* harmony import */ var _core_errors_ts__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(74296);
/* harmony import */ var _core_money_ts__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(34247);
/* harmony import */ var _cli_parse_kv_ts__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(79375);






const TeardownPolicy = zod__WEBPACK_IMPORTED_MODULE_4__/* ["enum"] */ .k5n(['post', 'never', 'on-success']);
const StateStoreKind = zod__WEBPACK_IMPORTED_MODULE_4__/* ["enum"] */ .k5n(['artifact', 'cache', 'none']);
function choice(name, schema, fallback) {
    const raw = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4(name).trim();
    if (!raw)
        return fallback;
    const r = schema.safeParse(raw);
    if (!r.success)
        throw (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_2__/* .usageError */ .Wp)(`input ${name}: '${raw}' is not allowed`, `use one of: ${schema.options.join(', ')}`);
    return r.data;
}
function stateStoreInput() {
    return choice('state-store', StateStoreKind, 'artifact');
}
/** The setup action's inputs, validated; a bad one is a usage error that names the input and what to write. */
function readSetupInputs() {
    const profile = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4('profile').trim();
    const ttl = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4('ttl').trim();
    const budget = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4('budget').trim();
    if (budget && !_core_money_ts__WEBPACK_IMPORTED_MODULE_5__/* .DECIMAL_RE */ .sd.test(budget))
        throw (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_2__/* .usageError */ .Wp)(`input budget: '${budget}' is not a USD amount`, 'write a decimal such as "2.50"');
    const retention = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4('retention-days').trim();
    let retentionDays;
    if (retention) {
        retentionDays = Number(retention);
        if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 90)
            throw (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_2__/* .usageError */ .Wp)(`input retention-days: '${retention}' is not a whole number of days from 1 to 90`);
    }
    const route = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4('route').trim();
    const lines = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getMultilineInput */ .q3('inputs')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'));
    const inputs = (0,_cli_parse_kv_ts__WEBPACK_IMPORTED_MODULE_3__/* .parseKeyValues */ .H)(lines, 'inputs', 'write one key=value per line');
    return {
        ...(profile ? { profile } : {}),
        inputs,
        ...(ttl ? { ttl } : {}),
        ...(route ? { route: choice('route', _catalog_schema_ts__WEBPACK_IMPORTED_MODULE_1__/* .RouteStrategy */ .dl, 'explicit') } : {}),
        teardown: choice('teardown', TeardownPolicy, 'post'),
        stateStore: stateStoreInput(),
        ...(budget ? { budget } : {}),
        ...(retentionDays ? { retentionDays } : {}),
    };
}


/***/ }),

/***/ 34839:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  POST_BUDGET_S: () => (/* binding */ POST_BUDGET_S),
  TEARDOWN_BY: () => (/* binding */ TEARDOWN_BY),
  keepReason: () => (/* binding */ keepReason),
  setupMain: () => (/* binding */ setupMain),
  setupPost: () => (/* binding */ setupPost)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(33838);
// EXTERNAL MODULE: ./src/core/lifecycle.ts
var lifecycle = __webpack_require__(62043);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(74296);
// EXTERNAL MODULE: ./src/export/outbox.ts
var outbox = __webpack_require__(48025);
// EXTERNAL MODULE: ./src/state/artifact/mirrored-store.ts
var mirrored_store = __webpack_require__(3704);
// EXTERNAL MODULE: ./src/action/inputs.ts
var action_inputs = __webpack_require__(81729);
// EXTERNAL MODULE: ./src/action/report.ts
var report = __webpack_require__(31658);
// EXTERNAL MODULE: ./src/action/runtime.ts + 2 modules
var runtime = __webpack_require__(68627);
// EXTERNAL MODULE: ./src/core/ids.ts
var ids = __webpack_require__(89921);
// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 7 modules
var schemas = __webpack_require__(12311);
;// CONCATENATED MODULE: ./src/action/state.ts



/**
 * What the setup main step hands to its post step. The runner passes saved state to the post as STATE_<name>
 * env variables; it is read once, when this module is imported, and validated here so the post never guesses.
 */
const SavedState = schemas/* object */.Ikc({
    sandbox_id: schemas/* string */.YjP().regex(ids/* SANDBOX_ID_RE */.aY).optional(),
    teardown: schemas/* enum */.k5n(['post', 'never', 'on-success']).optional(),
    state_store: schemas/* enum */.k5n(['artifact', 'cache', 'none']).optional(),
    state_dir: schemas/* string */.YjP().optional(),
    /** Set once main finished (ready or failed): a post without it means main was killed mid-way. */
    main_done: schemas/* enum */.k5n(['ready', 'failed']).optional(),
});
const KEYS = Object.keys(SavedState.shape);
function readSavedState(env = process.env) {
    const raw = {};
    for (const k of KEYS) {
        const v = env[`STATE_${k}`];
        if (v)
            raw[k] = v;
    }
    const parsed = SavedState.safeParse(raw);
    if (parsed.success)
        return parsed.data;
    // Corrupt state must not stop the post from trying: keep the fields that validate on their own.
    const out = {};
    for (const k of KEYS) {
        const one = SavedState.shape[k].safeParse(raw[k]);
        if (one.success && one.data !== undefined)
            out[k] = one.data;
    }
    return out;
}
/** The state as it was when this process started (the post step reads this). */
const saved = readSavedState();
function saveState(key, value) {
    core/* saveState */.LZ(key, value);
}

;// CONCATENATED MODULE: ./src/action/setup.ts









/** A post step must end well inside the 5 minutes the runner allows after a cancel. */
const POST_BUDGET_S = 240;
const TEARDOWN_BY = 'teardown-sandbox';
/** setup-sandbox main: create the sandbox, save its id the moment it exists, set outputs, mirror the record. */
async function setupMain() {
    await (0,runtime/* runStep */.eg)('main', async () => {
        const inputs = (0,action_inputs/* readSetupInputs */.j8)();
        const env = {
            ...process.env,
            ...(inputs.budget ? { SANDBOXER_BUDGET_USD: inputs.budget } : {}),
        };
        saveState('teardown', inputs.teardown);
        saveState('state_store', inputs.stateStore);
        saveState('state_dir', (0,runtime/* actionStateDir */.fi)(env));
        const { store, flush } = (0,runtime/* openStore */.Ch)(inputs.stateStore, {
            env,
            ...(inputs.retentionDays ? { retentionDays: inputs.retentionDays } : {}),
        });
        const manager = (0,runtime/* actionManager */.U2)(store, env);
        const controller = new AbortController();
        const off = (0,runtime/* onSignals */.rL)((sig) => {
            core/* warning */.$e(`${sig}: cancelling the creation; whatever was made is torn down`);
            controller.abort(new Error(sig));
        });
        let record;
        try {
            core/* info */.pq(`creating a sandbox from ${inputs.profile ?? 'the default profile'}`);
            record = await manager.create({
                ...(inputs.profile ? { profileId: inputs.profile } : {}),
                inputs: inputs.inputs,
                ...(inputs.ttl ? { ttl: inputs.ttl } : {}),
                ...(inputs.route ? { route: inputs.route } : {}),
                signal: controller.signal,
                onCreated: (r) => {
                    // Before any backend call: a main killed from here on still gets a post that can tear down.
                    saveState('sandbox_id', r.id);
                    core/* setOutput */.uH('sandbox-id', r.id);
                },
            });
            saveState('main_done', 'ready');
            (0,report/* setRecordOutputs */.sD)(record);
            core/* info */.pq(`sandbox ${record.id} is ready on ${record.extension_id}`);
        }
        catch (err) {
            saveState('main_done', 'failed');
            throw err;
        }
        finally {
            off();
            await finishStore(flush);
        }
        await (0,report/* writeSummary */.Sy)('Sandbox', [record], [`Teardown: ${inputs.teardown}; state store: ${inputs.stateStore}.`]);
    });
}
async function finishStore(flush) {
    const errors = await core/* group */.Os('save sandbox state', flush);
    for (const e of errors)
        core/* warning */.$e(e);
}
/** setup-sandbox post: tear down per the teardown policy; every problem is a warning, never a failed job. */
async function setupPost() {
    await (0,runtime/* runStep */.eg)('post', async () => {
        const id = saved.sandbox_id;
        if (!id) {
            core/* info */.pq('no sandbox was created by this job: nothing to tear down');
            return;
        }
        const env = {
            ...process.env,
            ...(saved.state_dir ? { SANDBOXER_STATE_DIR: saved.state_dir } : {}),
        };
        // Inputs are evaluated again for the post step; a bad value was already reported by the main.
        const retentionDays = Number(core/* getInput */.V4('retention-days').trim());
        const { store, flush } = (0,runtime/* openStore */.Ch)(saved.state_store ?? 'artifact', {
            env,
            ...(Number.isInteger(retentionDays) && retentionDays >= 1 && retentionDays <= 90
                ? { retentionDays }
                : {}),
        });
        const manager = (0,runtime/* actionManager */.U2)(store, env);
        try {
            let record = await manager.get(id);
            if ((0,lifecycle/* isTerminal */.Hd)(record.state) && !record.cleanup_pending) {
                const by = record.teardown_requested_by ? ` by ${record.teardown_requested_by}` : '';
                core/* info */.pq(`sandbox ${id} is already ${record.state}${by}: nothing to do`);
                await (0,report/* writeSummary */.Sy)('Sandbox (post)', [record]);
                return;
            }
            const keep = keepReason(saved.teardown ?? 'post', core/* getInput */.V4('job-status').trim());
            if (keep) {
                core/* notice */.lm(`sandbox ${id} is kept (${keep}); it ends at its TTL${record.expires_at ? ` (${record.expires_at})` : ''} or with teardown-sandbox / reap-stale`);
                await (0,report/* writeSummary */.Sy)('Sandbox (post, kept)', [record]);
                return;
            }
            // Cancelling a teardown would leak the sandbox: signals are reported, the bounded teardown goes on.
            const off = (0,runtime/* onSignals */.rL)((sig) => core/* warning */.$e(`${sig}: teardown of ${id} continues (bounded)`));
            try {
                record = await manager.destroy(id, {
                    reason: 'post-job',
                    requestedBy: 'setup-sandbox post',
                    signal: AbortSignal.timeout(POST_BUDGET_S * 1000),
                });
            }
            finally {
                off();
            }
            core/* info */.pq(`sandbox ${id} is ${record.state}${record.meter ? `: actual cost $${record.meter.actual_usd} for ${record.meter.duration_s}s` : ''}`);
            if (!(await exportUsage(store, env)) && store instanceof mirrored_store/* MirroredStateStore */.B)
                await store.pin(id);
            await (0,report/* writeSummary */.Sy)('Sandbox (post)', [record]);
        }
        finally {
            await finishStore(flush);
        }
    });
}
/** Why the post keeps the sandbox, or undefined to tear it down. */
function keepReason(policy, jobStatus) {
    if (policy === 'never')
        return 'teardown: never';
    if (policy === 'on-success') {
        if (!jobStatus) {
            core/* warning */.$e('teardown: on-success needs job-status: ${{ job.status }}; tearing down to avoid a leak');
            return undefined;
        }
        if (jobStatus !== 'success')
            return `teardown: on-success and the job is ${jobStatus}`;
    }
    return undefined;
}
/**
 * The meter goes to fin-hub (when configured) now rather than at the next replay. False when something is
 * left undelivered: the caller then keeps the record's artifact so reap-stale replays the export.
 */
async function exportUsage(store, env) {
    try {
        const res = await (0,outbox/* replayOutbox */.$2)(store, env, { signal: AbortSignal.timeout(30_000) });
        if (res.enabled && res.remaining > 0) {
            core/* warning */.$e(`fin-hub: ${res.remaining} usage record(s) not delivered; the record is kept for reap-stale`);
            return false;
        }
        return true;
    }
    catch (err) {
        core/* warning */.$e(`fin-hub export: ${(0,errors/* toSandboxerError */.Sb)(err).message}; the record is kept for reap-stale`);
        return false;
    }
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
