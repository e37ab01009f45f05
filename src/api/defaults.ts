/** The HTTP API's defaults, apart from the server so `sandboxer serve --help` can name them without loading it. */
export const DEFAULT_PORT = 7878;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
