/** The part of `docker inspect` / `podman inspect` output we read (both print the same shape). */
export interface ContainerInfo {
  Id: string;
  Name?: string;
  Created?: string;
  State?: { Status?: string; Running?: boolean; ExitCode?: number; Health?: { Status?: string } | null };
  Config?: { Labels?: Record<string, string> | null };
}
