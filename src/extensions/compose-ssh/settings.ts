/** Where sandboxes live on the host: SANDBOXER_BASE_DIR, else config.base_dir, else /var/tmp/sandboxer. */
export const baseDir = (config: Record<string, unknown>, env: NodeJS.ProcessEnv) =>
  String(env.SANDBOXER_BASE_DIR ?? config.base_dir ?? '/var/tmp/sandboxer');

/** Seconds compose gives a container to stop (config.stop_timeout_s, default 10). */
export const stopTimeout = (config: Record<string, unknown>) => Number(config.stop_timeout_s ?? 10);
