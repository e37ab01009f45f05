export const id = 271;
export const ids = [271];
export const modules = {

/***/ 35271:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   I2: () => (/* binding */ reapStale)
/* harmony export */ });
/* unused harmony exports REAP_LOG, REAPER */
/* harmony import */ var _core_errors_ts__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(74296);
/* harmony import */ var _core_labels_ts__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(96236);
/* harmony import */ var _core_logger_ts__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(11227);
/* harmony import */ var _core_lifecycle_ts__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(62043);
/* harmony import */ var _export_outbox_ts__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(48025);
/* harmony import */ var _stale_ts__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(62118);






/** The state-store collection holding one entry per reap action (an audit trail across runs). */
const REAP_LOG = 'reaper';
const REAPER = 'reaper';
const strip = (item) => {
    const { object: _o, target: _t, ...rest } = item;
    void _o;
    void _t;
    return rest;
};
/**
 * Reconcile the state store with the backends, both ways. Dry run by default. With `apply`:
 * 1. every stale record (expired, stuck, cleanup pending, backend object gone) is torn down through
 *    `manager.destroy` — the same path as `sandboxer destroy`, so history, meters, hooks and events follow — with
 *    `teardown_requested_by: 'reaper'`; a record that changed since inspection is left alone;
 * 2. the extensions touched in step 1 are listed again, and every orphan (an object with our labels that no live
 *    record owns) older than the minimum age is torn down with the extension's idempotent `teardown`;
 * 3. every action is appended to the `reaper` collection of the state store and passed to `onAction`;
 * 4. the fin-hub outbox is replayed (best effort) when `replayOutbox` is given.
 */
async function reapStale(manager, opts = {}) {
    const calls = opts.calls ?? (0,_stale_ts__WEBPACK_IMPORTED_MODULE_5__/* .newCallCounter */ .NR)();
    const minAge = opts.minOrphanAge_s ?? _stale_ts__WEBPACK_IMPORTED_MODULE_5__/* .DEFAULT_MIN_ORPHAN_AGE_S */ ._r;
    const log = opts.log ?? _core_logger_ts__WEBPACK_IMPORTED_MODULE_2__/* .silentLogger */ .q;
    const stale = await (0,_stale_ts__WEBPACK_IMPORTED_MODULE_5__/* .findStale */ .TS)(manager, { ...opts, calls, minOrphanAge_s: minAge });
    const report = {
        apply: Boolean(opts.apply),
        at: stale.at,
        scope: stale.scope,
        min_orphan_age_s: minAge,
        actions: [],
        examined: stale.examined,
        unreachable: stale.unreachable,
        not_configured: stale.not_configured,
        calls,
        summary: { planned: 0, done: 0, skipped: 0, error: 0 },
    };
    const stamp = () => (opts.now ? opts.now.toISOString() : new Date().toISOString());
    const record = async (action) => {
        report.actions.push(action);
        report.summary[action.outcome] += 1;
        if (!opts.apply)
            return;
        // Unique per run even when two reapers start in the same millisecond.
        const key = `${report.at}-${process.pid}-${String(report.actions.length).padStart(5, '0')}`;
        await manager.store.appendOnce(REAP_LOG, key, action).catch((err) => {
            log.warn(`reaper log: ${(0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_0__/* .toSandboxerError */ .Sb)(err).message}`);
        });
        await manager.announceReaped(action);
        try {
            await opts.onAction?.(action);
        }
        catch {
            // best effort by contract
        }
    };
    const recordItems = stale.items.filter((i) => i.kind !== 'orphaned');
    let orphans = stale.items.filter((i) => i.kind === 'orphaned');
    if (!opts.apply) {
        for (const item of [...recordItems, ...orphans]) {
            const young = item.kind === 'orphaned' && !(0,_stale_ts__WEBPACK_IMPORTED_MODULE_5__/* .orphanOldEnough */ .cv)(item, minAge);
            await record({
                ...strip(item),
                outcome: young ? 'skipped' : 'planned',
                at: stamp(),
                ...(young ? { note: `younger than the minimum orphan age (${minAge}s)` } : {}),
            });
        }
        return report;
    }
    const touched = new Set();
    for (const item of recordItems) {
        if (opts.signal?.aborted) {
            await record({ ...strip(item), outcome: 'skipped', at: stamp(), note: 'cancelled' });
            continue;
        }
        await record(await reapRecord(manager, item, calls, opts.signal, stamp));
        touched.add(item.extension_id);
    }
    // Step 1 may have turned objects into orphans (a record closed without a handle) or removed them: list again.
    if (touched.size) {
        const fresh = new Map((await manager.store.listSandboxes()).map((r) => [r.id, r]));
        const now = (opts.now ?? new Date()).getTime();
        orphans = orphans.filter((o) => !touched.has(o.extension_id));
        for (const { manifest, ext } of (0,_stale_ts__WEBPACK_IMPORTED_MODULE_5__/* .inspectableExtensions */ .Hv)(manager, [...touched])) {
            if (!ext.list)
                continue;
            const listed = await (0,_stale_ts__WEBPACK_IMPORTED_MODULE_5__/* .listExtension */ .GN)(manager, manifest, ext, stale, {
                ...(opts.signal ? { signal: opts.signal } : {}),
                calls,
            });
            orphans.push(...(0,_stale_ts__WEBPACK_IMPORTED_MODULE_5__/* .orphansOf */ .hw)(listed, fresh, now, stale.scope));
        }
    }
    for (const item of orphans) {
        if (!(0,_stale_ts__WEBPACK_IMPORTED_MODULE_5__/* .orphanOldEnough */ .cv)(item, minAge)) {
            await record({
                ...strip(item),
                outcome: 'skipped',
                at: stamp(),
                note: `younger than the minimum orphan age (${minAge}s)`,
            });
            continue;
        }
        if (opts.signal?.aborted) {
            await record({ ...strip(item), outcome: 'skipped', at: stamp(), note: 'cancelled' });
            continue;
        }
        await record(await reapOrphan(manager, item, stale, { calls, log, signal: opts.signal }, stamp));
    }
    if (opts.replayOutbox !== false) {
        const replay = opts.replayOutbox ??
            (() => (0,_export_outbox_ts__WEBPACK_IMPORTED_MODULE_4__/* .replayOutbox */ .$2)(manager.store, opts.env ?? process.env, {
                log,
                ...(opts.signal ? { signal: opts.signal } : {}),
            }));
        try {
            report.outbox = { ok: true, result: await replay() };
        }
        catch (err) {
            report.outbox = { ok: false, error: (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_0__/* .toSandboxerError */ .Sb)(err).message };
        }
    }
    return report;
}
async function reapRecord(manager, item, calls, signal, stamp) {
    const base = strip(item);
    const current = await manager.store.getSandbox(item.sandbox_id);
    if (!current)
        return { ...base, outcome: 'skipped', at: stamp(), note: 'record vanished' };
    if (current.revision !== item.revision) {
        return {
            ...base,
            outcome: 'skipped',
            at: stamp(),
            note: `record changed since inspection (now ${current.state}); run again to re-check`,
        };
    }
    try {
        calls.destroy += 1;
        const final = await manager.destroy(current.id, {
            reason: item.kind === 'expired' ? 'ttl' : 'reap',
            detail: item.reason,
            requestedBy: REAPER,
            ...(signal ? { signal } : {}),
        });
        return { ...base, outcome: 'done', at: stamp(), final_state: final.state };
    }
    catch (err) {
        return { ...base, outcome: 'error', at: stamp(), error: (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_0__/* .toSandboxerError */ .Sb)(err).message };
    }
}
async function reapOrphan(manager, item, stale, { calls, log, signal }, stamp) {
    const base = strip(item);
    const object = item.object;
    // A record may have appeared (or come back to life) since the listing: then it is not ours to touch.
    const existing = item.sandbox_id ? await manager.store.getSandbox(item.sandbox_id) : undefined;
    if (existing &&
        existing.extension_id === item.extension_id &&
        (!(0,_core_lifecycle_ts__WEBPACK_IMPORTED_MODULE_3__/* .isTerminal */ .Hd)(existing.state) || existing.cleanup_pending)) {
        return { ...base, outcome: 'skipped', at: stamp(), note: `record ${existing.id} is ${existing.state}` };
    }
    try {
        const { ext, manifest } = manager.extensionFor({ extension_id: item.extension_id });
        const target = item.target === undefined ? undefined : stale.targets[item.target];
        const profile = profileFor(manager, manifest, object.labels[_core_labels_ts__WEBPACK_IMPORTED_MODULE_1__/* .LABEL */ .d_.profile], target?.profile_id);
        const ctx = await manager.contextFor(manifest, {
            ...(profile ? { profile } : {}),
            signal: (0,_stale_ts__WEBPACK_IMPORTED_MODULE_5__/* .boundedSignal */ .gm)(signal),
        });
        calls.teardown += 1;
        await log.group(`reap orphan ${object.backend_id} on ${manifest.id}`, () => ext.teardown({ ...ctx, sandbox: orphanView(manager, manifest, item, existing, ctx.config, profile) }));
        return { ...base, outcome: 'done', at: stamp(), note: 'orphan torn down' };
    }
    catch (err) {
        return { ...base, outcome: 'error', at: stamp(), error: (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_0__/* .toSandboxerError */ .Sb)(err).message };
    }
}
/** The profile whose context reaches an orphan: the one named in its labels, else the one that listed it. */
function profileFor(manager, manifest, labelled, listedBy) {
    const targets = (0,_stale_ts__WEBPACK_IMPORTED_MODULE_5__/* .listTargets */ .nJ)(manager, manifest);
    const fromLabel = targets.find((t) => t.profile?.id === labelled)?.profile;
    if (fromLabel && fromLabel.id === listedBy)
        return fromLabel;
    return targets.find((t) => t.profile?.id === listedBy)?.profile ?? fromLabel;
}
/** What an extension's teardown sees for an object without a live record: the object's own handle and labels. */
function orphanView(manager, manifest, item, existing, config, profile) {
    const o = item.object;
    if (existing)
        return { ...existing, extension_id: manifest.id, handle: o.handle, labels: o.labels, config };
    return {
        id: item.sandbox_id ?? o.backend_id,
        revision: 0,
        profile_id: o.labels[_core_labels_ts__WEBPACK_IMPORTED_MODULE_1__/* .LABEL */ .d_.profile] ?? profile?.id ?? 'unknown',
        profile_version: profile?.version ?? '0.0.0',
        extension_id: manifest.id,
        state: 'destroying',
        placement: {},
        handle: o.handle,
        inputs: {},
        resources: profile?.resources ?? { cpu: 1, memory_mib: 512, gpu_count: 0 },
        labels: o.labels,
        owner: { scope: o.labels[_core_labels_ts__WEBPACK_IMPORTED_MODULE_1__/* .LABEL */ .d_.scope] ?? manager.owner.scope },
        created_at: o.created_at ?? new Date().toISOString(),
        config,
        history: [],
    };
}


/***/ }),

/***/ 62118:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GN: () => (/* binding */ listExtension),
/* harmony export */   Hv: () => (/* binding */ inspectableExtensions),
/* harmony export */   NR: () => (/* binding */ newCallCounter),
/* harmony export */   TS: () => (/* binding */ findStale),
/* harmony export */   _r: () => (/* binding */ DEFAULT_MIN_ORPHAN_AGE_S),
/* harmony export */   cv: () => (/* binding */ orphanOldEnough),
/* harmony export */   gm: () => (/* binding */ boundedSignal),
/* harmony export */   hw: () => (/* binding */ orphansOf),
/* harmony export */   nJ: () => (/* binding */ listTargets)
/* harmony export */ });
/* unused harmony exports DEFAULT_BOUNDS, BACKEND_CALL_TIMEOUT_MS, stuckBound, classifyRecord */
/* harmony import */ var _catalog_schema_ts__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(53596);
/* harmony import */ var _core_errors_ts__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(74296);
/* harmony import */ var _core_labels_ts__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(96236);
/* harmony import */ var _core_lifecycle_ts__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(62043);




const DEFAULT_BOUNDS = {
    requested_s: 900,
    provisioning_margin_s: 900,
    destroying_s: 900,
};
const DEFAULT_READY_TIMEOUT_S = 600;
const newCallCounter = () => ({ list: 0, teardown: 0, destroy: 0 });
const DEFAULT_MIN_ORPHAN_AGE_S = 600;
/** Bound on one listing or one orphan teardown, so an unresponsive backend cannot hang a reaper run. */
const BACKEND_CALL_TIMEOUT_MS = 180_000;
const boundedSignal = (signal) => signal
    ? AbortSignal.any([signal, AbortSignal.timeout(BACKEND_CALL_TIMEOUT_MS)])
    : AbortSignal.timeout(BACKEND_CALL_TIMEOUT_MS);
const ageSeconds = (now, iso) => iso === undefined || Number.isNaN(Date.parse(iso))
    ? undefined
    : Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
const lastTransitionAt = (r) => r.history.at(-1)?.at ?? r.created_at;
/** The non-terminal bound for a record's current state, in seconds. */
function stuckBound(r, bounds) {
    if (bounds.stuck_after_s !== undefined && !(0,_core_lifecycle_ts__WEBPACK_IMPORTED_MODULE_3__/* .isTerminal */ .Hd)(r.state))
        return bounds.stuck_after_s;
    switch (r.state) {
        case 'requested':
            return bounds.requested_s;
        case 'provisioning':
            return Number(r.config.ready_timeout_s ?? DEFAULT_READY_TIMEOUT_S) + bounds.provisioning_margin_s;
        case 'destroying':
            return bounds.destroying_s;
        default:
            return undefined;
    }
}
/** Classify one record by itself (without backend facts). */
function classifyRecord(r, now, bounds) {
    const base = { sandbox_id: r.id, state: r.state, revision: r.revision };
    if (r.state === 'failed' && r.cleanup_pending) {
        return {
            ...base,
            kind: 'cleanup',
            age_s: ageSeconds(now, lastTransitionAt(r)) ?? 0,
            reason: 'failed with backend cleanup pending',
        };
    }
    if ((0,_core_lifecycle_ts__WEBPACK_IMPORTED_MODULE_3__/* .isTerminal */ .Hd)(r.state))
        return undefined;
    if (r.expires_at && Date.parse(r.expires_at) <= now) {
        return {
            ...base,
            kind: 'expired',
            age_s: ageSeconds(now, r.expires_at) ?? 0,
            reason: `TTL lapsed at ${r.expires_at}`,
        };
    }
    const bound = stuckBound(r, bounds);
    const since = ageSeconds(now, lastTransitionAt(r)) ?? 0;
    if (bound !== undefined && r.state !== 'ready' && since >= bound) {
        return { ...base, kind: 'stuck', age_s: since, reason: `${r.state} for ${since}s (bound ${bound}s)` };
    }
    return undefined;
}
const objectSandboxId = (o) => o.sandbox_id ?? o.labels[_core_labels_ts__WEBPACK_IMPORTED_MODULE_2__/* .LABEL */ .d_.sandboxId];
/**
 * The listing contexts for one extension: one per distinct effective config among the profiles that can use
 * it (a self-hosted backend may live on several hosts), or the bare manifest when no profile names it.
 */
function listTargets(manager, manifest) {
    const seen = new Set();
    const out = [];
    for (const entry of manager.catalog.profiles.values()) {
        const p = entry.value;
        if (!(0,_catalog_schema_ts__WEBPACK_IMPORTED_MODULE_0__/* .profileCandidates */ .qc)(p).includes(manifest.id))
            continue;
        const key = JSON.stringify([p.config, p.placement.host ?? null, p.placement.key_ref ?? null]);
        if (seen.has(key))
            continue;
        seen.add(key);
        out.push({ target: { extension_id: manifest.id, profile_id: p.id }, profile: p });
    }
    if (out.length === 0)
        out.push({ target: { extension_id: manifest.id } });
    return out;
}
/** List every object carrying our `managed` label on one extension, over all its listing contexts. */
async function listExtension(manager, manifest, ext, report, opts) {
    const objects = new Map();
    let complete = true;
    let reached = 0;
    for (const { target, profile } of listTargets(manager, manifest)) {
        const index = report.targets.push(target) - 1;
        try {
            const ctx = await manager.contextFor(manifest, {
                ...(profile ? { profile } : {}),
                signal: boundedSignal(opts.signal),
            });
            if (opts.calls)
                opts.calls.list += 1;
            for (const o of await ext.list(ctx, { [_core_labels_ts__WEBPACK_IMPORTED_MODULE_2__/* .LABEL */ .d_.managed]: 'true' })) {
                if (!objects.has(o.backend_id))
                    objects.set(o.backend_id, { ...o, target: index });
            }
            reached += 1;
        }
        catch (err) {
            complete = false;
            const e = (0,_core_errors_ts__WEBPACK_IMPORTED_MODULE_1__/* .toSandboxerError */ .Sb)(err);
            (e.code === 'credentials' ? report.not_configured : report.unreachable).push({
                extension_id: manifest.id,
                ...(target.profile_id ? { profile_id: target.profile_id } : {}),
                error: e.message,
            });
        }
    }
    return { manifest, ext, objects: [...objects.values()], complete, reached };
}
/** The extensions to inspect: catalog extensions that have an implementation (optionally narrowed). */
function inspectableExtensions(manager, only) {
    const out = [];
    for (const entry of manager.catalog.extensions.values()) {
        const manifest = entry.value;
        if (only && !only.includes(manifest.id))
            continue;
        if (!manager.registry.has(manifest.id))
            continue;
        out.push({ manifest, ext: manager.registry.get(manifest) });
    }
    return out.sort((a, b) => a.manifest.id.localeCompare(b.manifest.id));
}
/** Objects on `listed` that no live record accounts for. */
function orphansOf(listed, records, now, scope) {
    const out = [];
    for (const o of listed.objects) {
        if (scope !== '*' && o.labels[_core_labels_ts__WEBPACK_IMPORTED_MODULE_2__/* .LABEL */ .d_.scope] !== scope)
            continue;
        const sid = objectSandboxId(o);
        const r = sid ? records.get(sid) : undefined;
        let reason;
        if (!sid)
            reason = 'carries our labels but no sandbox id';
        else if (!r)
            reason = 'no record of this sandbox';
        else if (r.extension_id !== listed.manifest.id)
            reason = `record ${r.id} lives on ${r.extension_id} (left behind by a fallback)`;
        else if ((0,_core_lifecycle_ts__WEBPACK_IMPORTED_MODULE_3__/* .isTerminal */ .Hd)(r.state) && !r.cleanup_pending)
            reason = `record ${r.id} is ${r.state}`;
        else
            continue; // a live record (or one the record pass will clean up) owns it
        const age = ageSeconds(now, o.created_at);
        out.push({
            kind: 'orphaned',
            extension_id: listed.manifest.id,
            ...(sid ? { sandbox_id: sid } : {}),
            ...(r ? { state: r.state, revision: r.revision } : {}),
            backend_id: o.backend_id,
            ...(age !== undefined ? { age_s: age } : {}),
            reason,
            object: o,
            target: o.target,
        });
    }
    return out;
}
/**
 * Everything the reaper would act on, read-only: live records past their TTL, records stuck in a non-terminal
 * state past a bound, failed records whose cleanup is pending, `ready` records whose backend object is gone,
 * and backend objects with our ownership labels that no live record accounts for (orphans).
 * Records are read before listing, so an object created after the read cannot make its record look `gone`.
 */
async function findStale(manager, opts = {}) {
    const nowDate = opts.now ?? new Date();
    const now = nowDate.getTime();
    const bounds = { ...DEFAULT_BOUNDS, ...(opts.bounds ?? {}) };
    const minAge = opts.minOrphanAge_s ?? DEFAULT_MIN_ORPHAN_AGE_S;
    const scope = opts.scope ?? manager.owner.scope;
    const report = {
        at: nowDate.toISOString(),
        scope,
        items: [],
        examined: { records: 0, live_records: 0, backend_objects: 0, listed: [], not_listable: [] },
        unreachable: [],
        not_configured: [],
        targets: [],
    };
    const all = await manager.store.listSandboxes();
    const records = new Map(all.map((r) => [r.id, r]));
    report.examined.records = all.length;
    report.examined.live_records = all.filter((r) => !(0,_core_lifecycle_ts__WEBPACK_IMPORTED_MODULE_3__/* .isTerminal */ .Hd)(r.state)).length;
    const byRecord = new Map();
    for (const r of all) {
        if (opts.extensions && !opts.extensions.includes(r.extension_id))
            continue;
        const c = classifyRecord(r, now, bounds);
        if (c)
            byRecord.set(r.id, { ...c, extension_id: r.extension_id });
    }
    for (const { manifest, ext } of inspectableExtensions(manager, opts.extensions)) {
        if (!ext.list) {
            report.examined.not_listable.push(manifest.id);
            continue;
        }
        const listed = await listExtension(manager, manifest, ext, report, {
            ...(opts.signal ? { signal: opts.signal } : {}),
            ...(opts.calls ? { calls: opts.calls } : {}),
        });
        if (listed.reached > 0)
            report.examined.listed.push(manifest.id);
        report.examined.backend_objects += listed.objects.length;
        if (listed.complete) {
            const present = new Set(listed.objects.map(objectSandboxId).filter((s) => s !== undefined));
            for (const r of all) {
                if (r.extension_id !== manifest.id || r.state !== 'ready' || byRecord.has(r.id))
                    continue;
                if (Object.keys(r.handle).length === 0 || present.has(r.id))
                    continue;
                const age = ageSeconds(now, r.ready_at ?? r.created_at) ?? 0;
                if (age < minAge)
                    continue;
                byRecord.set(r.id, {
                    kind: 'gone',
                    extension_id: r.extension_id,
                    sandbox_id: r.id,
                    state: r.state,
                    revision: r.revision,
                    age_s: age,
                    reason: `backend object is gone from ${manifest.id}`,
                });
            }
        }
        report.items.push(...orphansOf(listed, records, now, scope));
    }
    report.items.unshift(...byRecord.values());
    return report;
}
/** An orphan is only touched once it is older than the minimum age (unknown age counts as too young). */
const orphanOldEnough = (item, minAge_s) => minAge_s <= 0 || (item.age_s !== undefined && item.age_s >= minAge_s);


/***/ })

};
