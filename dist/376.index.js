export const id = 376;
export const ids = [376];
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

/***/ 23376:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   teardownMain: () => (/* binding */ teardownMain)
/* harmony export */ });
/* harmony import */ var _core_ids_ts__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(89921);
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(33838);
/* harmony import */ var _core_errors_ts__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(74296);
/* harmony import */ var _core_lifecycle_ts__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(62043);
/* harmony import */ var _core_money_ts__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(34247);
/* harmony import */ var _state_artifact_artifact_store_ts__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(82028);
/* harmony import */ var _inputs_ts__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(81729);
/* harmony import */ var _report_ts__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(31658);
/* harmony import */ var _runtime_ts__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(68627);









/**
 * teardown-sandbox: tear down one sandbox by id, or every sandbox this workflow run recorded, from any job.
 * The record is marked `teardown_requested_by` so the setup job's post step reports it instead of failing.
 */
async function teardownMain() {
    await (0,_runtime_ts__WEBPACK_IMPORTED_MODULE_7__/* .runStep */ .eg)('main', async () => {
        const wanted = _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .getInput */ .V4('sandbox-id').trim();
        const failOnError = _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .getInput */ .V4('fail-on-error').trim() !== 'false';
        const kind = (0,_inputs_ts__WEBPACK_IMPORTED_MODULE_5__/* .stateStoreInput */ .lg)();
        if (wanted && !_core_ids_ts__WEBPACK_IMPORTED_MODULE_0__/* .SANDBOX_ID_RE */ .aY.test(wanted))
            throw (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_2__/* .usageError */ .Wp)(`input sandbox-id: '${wanted}' is not a sandbox id`, 'pass the sandbox-id output of setup-sandbox (sbx-…)');
        const { store, flush } = (0,_runtime_ts__WEBPACK_IMPORTED_MODULE_7__/* .openStore */ .Ch)(kind);
        const manager = (0,_runtime_ts__WEBPACK_IMPORTED_MODULE_7__/* .actionManager */ .U2)(store);
        const controller = new AbortController();
        const off = (0,_runtime_ts__WEBPACK_IMPORTED_MODULE_7__/* .onSignals */ .rL)((sig) => {
            _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .warning */ .$e(`${sig}: stopping after the current teardown`);
            controller.abort(new Error(sig));
        });
        const done = [];
        const errors = [];
        try {
            let ids;
            if (wanted)
                ids = [wanted];
            else if (store instanceof _state_artifact_artifact_store_ts__WEBPACK_IMPORTED_MODULE_4__/* .ArtifactStateStore */ .p)
                ids = [...new Set((await store.artifacts.list()).map((a) => a.sandboxId))];
            else if (kind === 'cache')
                throw (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_2__/* .usageError */ .Wp)('state-store cache cannot list the sandboxes of a run', 'pass sandbox-id');
            else
                ids = (await manager.list({ state: [..._core_lifecycle_ts__WEBPACK_IMPORTED_MODULE_3__/* .LIVE_STATES */ ._d] })).map((r) => r.id);
            if (ids.length === 0)
                _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq('no sandbox recorded by this run: nothing to tear down');
            for (const id of ids) {
                if (controller.signal.aborted)
                    break;
                try {
                    const r = await manager.destroy(id, {
                        reason: 'user',
                        requestedBy: `teardown-sandbox${process.env.GITHUB_JOB ? ` (job ${process.env.GITHUB_JOB})` : ''}`,
                        signal: controller.signal,
                    });
                    _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq(`sandbox ${id} is ${r.state}${r.meter ? ` (actual $${r.meter.actual_usd})` : ''}`);
                    done.push(r);
                }
                catch (err) {
                    const e = (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_2__/* .toSandboxerError */ .Sb)(err);
                    errors.push(`${id}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`);
                }
            }
        }
        finally {
            off();
            for (const e of await _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .group */ .Os('save sandbox state', flush))
                _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .warning */ .$e(e);
        }
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .setOutput */ .uH('destroyed', JSON.stringify(done.map((r) => r.id)));
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .setOutput */ .uH('actual-usd', (0,_core_money_ts__WEBPACK_IMPORTED_MODULE_8__/* .fromMicros */ .SQ)((0,_core_money_ts__WEBPACK_IMPORTED_MODULE_8__/* .sumMicros */ .nt)(done.map((r) => (0,_core_money_ts__WEBPACK_IMPORTED_MODULE_8__/* .toMicros */ .tO)(r.meter?.actual_usd ?? '0')))));
        await (0,_report_ts__WEBPACK_IMPORTED_MODULE_6__/* .writeSummary */ .Sy)('Sandbox teardown', done, errors);
        if (errors.length) {
            const text = `teardown failed for ${errors.length} sandbox(es): ${errors.join('; ')}`;
            if (failOnError)
                _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .setFailed */ .C1(text);
            else
                _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .warning */ .$e(text);
        }
    });
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
