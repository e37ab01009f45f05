// Bundle-only stand-in for the `@actions/artifact` package entry (scripts/build.mjs points the bundle's import of
// it here; the library and the tests under tsx use the real package). The entry's DefaultArtifactClient imports
// every operation up front: upload with its zip writer (archiver) and the Azure blob client, download with
// unzip-stream, list and delete with octokit. This one has the same methods, calling the same internal functions,
// each imported when first called: a setup step that only uploads one record never parses the rest.
// Messages and GHES refusal are the package's own (lib/internal/client.js of @actions/artifact 6.x).
import { warning } from '@actions/core';
import { isGhes } from '@actions/artifact/lib/internal/shared/config.js';
import { GHESNotSupportedError } from '@actions/artifact/lib/internal/shared/errors.js';

const internal = {
  upload: () => import('@actions/artifact/lib/internal/upload/upload-artifact.js'),
  download: () => import('@actions/artifact/lib/internal/download/download-artifact.js'),
  list: () => import('@actions/artifact/lib/internal/find/list-artifacts.js'),
  get: () => import('@actions/artifact/lib/internal/find/get-artifact.js'),
  delete: () => import('@actions/artifact/lib/internal/delete/delete-artifact.js'),
};

const status = (apis) =>
  `Errors can be temporary, so please try again and optionally run the action with debug mode enabled for more information.\n\nIf the error persists, please check whether ${apis} operating normally at [https://githubstatus.com](https://www.githubstatus.com).`;

/**
 * The package's guard: refuse on GHES with its warning. As in the package, a failure of the operation itself
 * is not wrapped (the package returns the operation's promise from inside its try, so only a throw before it
 * prints the warning).
 */
async function guarded(what, apis, call) {
  if (isGhes()) {
    const error = new GHESNotSupportedError();
    warning(`${what} failed with error: ${error}.\n\n${status(apis)}`);
    throw error;
  }
  return call();
}

export class DefaultArtifactClient {
  uploadArtifact(name, files, rootDirectory, options) {
    return guarded('Artifact upload', 'Actions is', async () =>
      (await internal.upload()).uploadArtifact(name, files, rootDirectory, options),
    );
  }

  downloadArtifact(artifactId, options) {
    return guarded('Download Artifact', 'Actions and API requests are', async () => {
      const m = await internal.download();
      if (!options?.findBy) return m.downloadArtifactInternal(artifactId, options);
      const { findBy, ...downloadOptions } = options;
      return m.downloadArtifactPublic(
        artifactId,
        findBy.repositoryOwner,
        findBy.repositoryName,
        findBy.token,
        downloadOptions,
      );
    });
  }

  listArtifacts(options) {
    return guarded('Listing Artifacts', 'Actions and API requests are', async () => {
      const m = await internal.list();
      const f = options?.findBy;
      return f
        ? m.listArtifactsPublic(
            f.workflowRunId,
            f.repositoryOwner,
            f.repositoryName,
            f.token,
            options?.latest,
          )
        : m.listArtifactsInternal(options?.latest);
    });
  }

  getArtifact(artifactName, options) {
    return guarded('Get Artifact', 'Actions and API requests are', async () => {
      const m = await internal.get();
      const f = options?.findBy;
      return f
        ? m.getArtifactPublic(artifactName, f.workflowRunId, f.repositoryOwner, f.repositoryName, f.token)
        : m.getArtifactInternal(artifactName);
    });
  }

  deleteArtifact(artifactName, options) {
    return guarded('Delete Artifact', 'Actions and API requests are', async () => {
      const m = await internal.delete();
      const f = options?.findBy;
      return f
        ? m.deleteArtifactPublic(artifactName, f.workflowRunId, f.repositoryOwner, f.repositoryName, f.token)
        : m.deleteArtifactInternal(artifactName);
    });
  }
}

export * from '@actions/artifact/lib/internal/shared/errors.js';
