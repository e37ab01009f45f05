export const id = 94;
export const ids = [94];
export const modules = {

/***/ 68094:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  reapMain: () => (/* binding */ reapMain)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(33838);
// EXTERNAL MODULE: ./src/core/duration.ts
var duration = __webpack_require__(98571);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(74296);
// EXTERNAL MODULE: ./src/core/lifecycle.ts
var lifecycle = __webpack_require__(62043);
// EXTERNAL MODULE: ./src/state/artifact/names.ts
var names = __webpack_require__(15380);
;// CONCATENATED MODULE: ./src/state/artifact/repo-artifacts.ts


/**
 * Repo-wide listing and deletion of sandbox-record artifacts over REST (the artifact client only sees one run).
 * Octokit carries plugin-throttling and plugin-retry: GITHUB_TOKEN has 1,000 requests/hour per repository,
 * shared by every workflow, so rate limits are waited out (bounded) instead of failing the reaper.
 */
class RepoArtifacts {
    opts;
    octokitPromise;
    constructor(opts) {
        this.opts = opts;
        if (!/^[^/\s]+\/[^/\s]+$/.test(opts.repository))
            throw new errors/* SandboxerError */.j8('usage', `repository '${opts.repository}' is not owner/name`, {
                exitCode: 2,
                hint: 'run inside GitHub Actions (GITHUB_REPOSITORY) or set it',
            });
    }
    get owner() {
        return this.opts.repository.split('/')[0];
    }
    get repo() {
        return this.opts.repository.split('/')[1];
    }
    octokit() {
        this.octokitPromise ??= (async () => {
            const [{ getOctokit }, { throttling }, { retry }] = await Promise.all([
                __webpack_require__.e(/* import() */ 351).then(__webpack_require__.bind(__webpack_require__, 61351)),
                Promise.all(/* import() */[__webpack_require__.e(251), __webpack_require__.e(856)]).then(__webpack_require__.bind(__webpack_require__, 86856)),
                Promise.all(/* import() */[__webpack_require__.e(251), __webpack_require__.e(735)]).then(__webpack_require__.bind(__webpack_require__, 49735)),
            ]);
            const log = this.opts.log;
            const maxRetries = this.opts.maxRetries ?? 2;
            const limit = (kind) => (retryAfter, options, _o, retryCount) => {
                log.warn(`${kind} rate limit on ${options.method} ${options.url}: retry ${retryCount + 1} after ${retryAfter}s`);
                return retryCount < maxRetries && retryAfter <= 120;
            };
            return getOctokit(this.opts.token, {
                throttle: { onRateLimit: limit('primary'), onSecondaryRateLimit: limit('secondary') },
                retry: { retries: maxRetries },
            }, throttling, retry);
        })();
        return this.octokitPromise;
    }
    /** Every unexpired sandbox-record artifact in the repository (all pages). */
    async list() {
        const octokit = await this.octokit();
        const out = [];
        for (let page = 1;; page++) {
            const res = await octokit.request('GET /repos/{owner}/{repo}/actions/artifacts', {
                owner: this.owner,
                repo: this.repo,
                per_page: 100,
                page,
            });
            const data = res.data;
            for (const a of data.artifacts) {
                const parsed = (0,names/* parseArtifactName */.TZ)(a.name);
                if (!parsed || a.expired)
                    continue;
                out.push({
                    id: a.id,
                    name: a.name,
                    ...parsed,
                    runId: a.workflow_run?.id ?? 0,
                    ...(a.created_at ? { createdAt: a.created_at } : {}),
                    expired: a.expired,
                });
            }
            if (data.artifacts.length < 100 || page * 100 >= data.total_count)
                break;
        }
        return out;
    }
    /** Delete one artifact; an artifact that is already gone counts as deleted. */
    async delete(artifactId) {
        const octokit = await this.octokit();
        try {
            await octokit.request('DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}', {
                owner: this.owner,
                repo: this.repo,
                artifact_id: artifactId,
            });
        }
        catch (err) {
            if (err.status === 404)
                return;
            throw new errors/* SandboxerError */.j8('state_store', `deleting artifact ${artifactId} failed: ${err.message}`, {
                retryable: true,
                hint: 'the workflow needs permissions: actions: write',
                cause: err,
            });
        }
    }
}

// EXTERNAL MODULE: ./src/state/artifact/run-artifacts.ts
var run_artifacts = __webpack_require__(21407);
// EXTERNAL MODULE: ./src/state/file/file-store.ts + 3 modules
var file_store = __webpack_require__(80064);
// EXTERNAL MODULE: ./src/telemetry/reap.ts
var reap = __webpack_require__(35271);
// EXTERNAL MODULE: ./src/action/report.ts
var action_report = __webpack_require__(31658);
// EXTERNAL MODULE: ./src/action/runtime.ts + 2 modules
var runtime = __webpack_require__(68627);
;// CONCATENATED MODULE: ./src/action/reap.ts










/**
 * reap-stale: gather every sandbox record kept as an artifact anywhere in the repository (REST, throttled and
 * retried), reconcile them with the backends' ownership labels through `reapStale`, and delete the artifacts
 * of sandboxes that are now gone. Dry run by default.
 */
async function reapMain() {
    await (0,runtime/* runStep */.eg)('main', async () => {
        const env = process.env;
        const apply = core/* getInput */.V4('dry-run').trim() === 'false';
        const minOrphanAge_s = (0,duration/* parseDurationSeconds */.l)(core/* getInput */.V4('min-orphan-age').trim() || '30m', 'min-orphan-age');
        const token = core/* getInput */.V4('token').trim() || env.GITHUB_TOKEN || '';
        const repository = env.GITHUB_REPOSITORY ?? '';
        if (!token)
            throw (0,errors/* usageError */.Wp)('no token for the REST API', 'pass token: ${{ github.token }} with permissions actions: write');
        const repo = new RepoArtifacts({ token, repository, log: runtime/* actionLogger */.v0 });
        const run = new run_artifacts/* RunArtifacts */.Tn({
            attempt: env.GITHUB_RUN_ATTEMPT ?? '1',
            ...(env.RUNNER_TEMP ? { tmp: env.RUNNER_TEMP } : {}),
        });
        const store = new file_store/* FileStateStore */.n((0,runtime/* actionStateDir */.fi)(env));
        const controller = new AbortController();
        const off = (0,runtime/* onSignals */.rL)((sig) => {
            core/* warning */.$e(`${sig}: stopping the reaper`);
            controller.abort(new Error(sig));
        });
        try {
            const artifacts = await core/* group */.Os('collect sandbox records from artifacts', () => collect(repo, run, store, token));
            const manager = (0,runtime/* actionManager */.U2)(store, env);
            const report = await core/* group */.Os(apply ? 'reap stale sandboxes' : 'find stale sandboxes (dry run)', () => (0,reap/* reapStale */.I2)(manager, { apply, minOrphanAge_s, signal: controller.signal, env, log: runtime/* actionLogger */.v0 }));
            const deleted = apply ? await retireArtifacts(repo, store, artifacts, report) : 0;
            const found = report.actions.filter((a) => a.outcome !== 'skipped').length;
            core/* setOutput */.uH('report', JSON.stringify({ ...report, artifacts: { found: artifacts.length, deleted } }));
            core/* setOutput */.uH('found', String(found));
            core/* setOutput */.uH('reaped', String(report.summary.done));
            core/* info */.pq(`${apply ? 'reaped' : 'would reap'} ${apply ? report.summary.done : report.summary.planned} of ${found} stale item(s); ${artifacts.length} record artifact(s), ${deleted} deleted`);
            await (0,action_report/* writeSummary */.Sy)(apply ? 'Reap stale sandboxes' : 'Reap stale sandboxes (dry run)', await store.listSandboxes(), report.actions.map((a) => `${a.outcome}: ${a.kind} ${a.sandbox_id ?? a.backend_id ?? ''} on ${a.extension_id} — ${a.reason}${a.error ? ` (${a.error})` : ''}`));
            if (report.summary.error > 0)
                core/* setFailed */.C1(`${report.summary.error} reap action(s) failed; see the report output`);
        }
        finally {
            off();
        }
    });
}
/** Download each record artifact (newest attempt per sandbox wins) into the local store. */
async function collect(repo, run, store, token) {
    const all = await repo.list();
    core/* info */.pq(`${all.length} sandbox record artifact(s) in ${repo.owner}/${repo.repo}`);
    const newest = new Map();
    for (const a of all) {
        const seen = newest.get(a.sandboxId);
        if (!seen || a.attempt > seen.attempt || (a.attempt === seen.attempt && a.id > seen.id))
            newest.set(a.sandboxId, a);
    }
    for (const a of newest.values()) {
        try {
            const record = await run.download(a.id, {
                token,
                workflowRunId: a.runId,
                repositoryOwner: repo.owner,
                repositoryName: repo.repo,
            });
            if (!(await store.getSandbox(record.id)))
                await store.createSandbox(record);
        }
        catch (err) {
            core/* warning */.$e(`artifact ${a.name} (${a.id}): ${(0,errors/* toSandboxerError */.Sb)(err).message}`);
        }
    }
    return all;
}
/** Delete the artifacts of sandboxes that are gone, unless their usage export is still owed. */
async function retireArtifacts(repo, store, artifacts, report) {
    const remaining = report.outbox?.result?.remaining ?? 0;
    const exportOwed = report.outbox !== undefined && (!report.outbox.ok || remaining > 0);
    let deleted = 0;
    for (const a of artifacts) {
        const r = await store.getSandbox(a.sandboxId);
        if (!r || !(0,lifecycle/* isTerminal */.Hd)(r.state) || r.cleanup_pending || (exportOwed && r.meter))
            continue;
        try {
            await repo.delete(a.id);
            deleted++;
        }
        catch (err) {
            core/* warning */.$e((0,errors/* toSandboxerError */.Sb)(err).message);
        }
    }
    return deleted;
}


/***/ })

};
