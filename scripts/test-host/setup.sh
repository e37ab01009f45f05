#!/usr/bin/env bash
# Sets up a real SSH + container host on loopback, as described in shared/reference/test-host.md:
#   - OpenSSH sshd on 127.0.0.1:$SANDBOXER_TEST_HOST_PORT (default 2222) with a generated host key and user key;
#   - podman with runc and lowered default ulimits (CONTAINERS_CONF, handed to SSH sessions via sshd SetEnv);
#   - a tiny busybox image, localhost/bb:latest, built from busybox-static (no registry is needed).
# Idempotent and safe to run concurrently (flock). Needs root. Writes everything under $SANDBOXER_TEST_HOST_DIR
# (default /var/tmp/sandboxer-test-host) and prints the env file to source: KEY=VALUE lines.
#
#   bash scripts/test-host/setup.sh            # set up (or check) and print the env file path
#   bash scripts/test-host/setup.sh stop       # stop this sshd
set -euo pipefail

dir="${SANDBOXER_TEST_HOST_DIR:-/var/tmp/sandboxer-test-host}"
port="${SANDBOXER_TEST_HOST_PORT:-2222}"
image="localhost/bb:latest"

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/test-host/setup.sh: needs root (podman runs rootful here; sshd must run as root)" >&2
  exit 3
fi

mkdir -p "$dir"
chmod 700 "$dir"

if [ "${1:-}" = "stop" ]; then
  if [ -f "$dir/sshd.pid" ]; then kill "$(cat "$dir/sshd.pid")" 2>/dev/null || true; rm -f "$dir/sshd.pid"; fi
  exit 0
fi

exec 9>"$dir/.lock"
flock 9

need_pkgs=(openssh-server podman podman-compose runc busybox-static tar)
missing=()
for p in "${need_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test-host: apt-get install ${missing[*]}" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# podman: crun cannot set rlimits / handle hybrid cgroups here; runc with lower default ulimits works.
cat >"$dir/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=10000:10000", "nproc=1000:1000"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF="$dir/containers.conf"

if ! podman image exists "$image" 2>/dev/null; then
  rootfs="$(mktemp -d)"
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/www" "$rootfs/data"
  cp /bin/busybox "$rootfs/bin/busybox"
  for cmd in sh ash sleep httpd echo cat ls mkdir rm touch test true false wget nc env date id ps kill sed grep head tail wc; do
    ln -sf busybox "$rootfs/bin/$cmd"
  done
  echo ok >"$rootfs/www/index.html"
  tar -C "$rootfs" -cf "$rootfs.tar" .
  podman import -q --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' "$rootfs.tar" "$image" >/dev/null
  rm -rf "$rootfs" "$rootfs.tar"
fi

# Keys: an ed25519 host key and an ed25519 user key (root may log in with it, and only with keys).
[ -f "$dir/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C sandboxer-test-host -f "$dir/host_ed25519"
[ -f "$dir/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C sandboxer-test-user -f "$dir/id_ed25519"
# Replaced atomically: tests in other processes may be connecting while this runs.
install -m 600 "$dir/id_ed25519.pub" "$dir/authorized_keys.new" && mv "$dir/authorized_keys.new" "$dir/authorized_keys"
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" >"$dir/known_hosts.new"
mv "$dir/known_hosts.new" "$dir/known_hosts"

cat >"$dir/sshd_config.new" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
AuthorizedKeysFile $dir/authorized_keys
PidFile $dir/sshd.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
# Benchmarks and concurrency tests open many connections at once; the default 10:30:100 drops some.
MaxStartups 200
MaxSessions 20
# SHLVL=1: bash sources the user's ~/.bashrc for every command sshd runs when it is a top-level shell (Debian's
# SSH_SOURCE_BASHRC), here root's, which may do anything (this machine's runs pyenv init: ~0.1 s of CPU per
# command, most of what the suite spent on the host). Started at level 1, the command's shell is not top-level.
SetEnv CONTAINERS_CONF=$dir/containers.conf SHLVL=1
Subsystem sftp internal-sftp
EOF

changed=1
if cmp -s "$dir/sshd_config.new" "$dir/sshd_config"; then changed=0; fi
mv "$dir/sshd_config.new" "$dir/sshd_config"
running() { [ -f "$dir/sshd.pid" ] && kill -0 "$(cat "$dir/sshd.pid")" 2>/dev/null; }
if running; then
  # Pick up a changed config without dropping live sessions (an unchanged one needs nothing).
  if [ "$changed" = 1 ]; then kill -HUP "$(cat "$dir/sshd.pid")"; fi
else
  mkdir -p /run/sshd
  /usr/sbin/sshd -t -f "$dir/sshd_config"
  /usr/sbin/sshd -f "$dir/sshd_config"
fi
for _ in $(seq 1 50); do
  if ssh -q -o BatchMode=yes -o UserKnownHostsFile="$dir/known_hosts" -o StrictHostKeyChecking=yes \
    -i "$dir/id_ed25519" -p "$port" root@127.0.0.1 true 2>/dev/null; then
    break
  fi
  sleep 0.2
done

fingerprint="$(ssh-keygen -lf "$dir/host_ed25519.pub" | cut -d' ' -f2)"
compose_cmd="podman-compose"
cat >"$dir/env.new" <<EOF
SANDBOXER_HOST=root@127.0.0.1:$port
SANDBOXER_SSH_KEY_FILE=$dir/id_ed25519
SANDBOXER_KNOWN_HOSTS=$dir/known_hosts
SANDBOXER_TEST_HOST_KEY_SHA256=$fingerprint
SANDBOXER_COMPOSE_CMD=$compose_cmd
SANDBOXER_TEST_IMAGE=$image
CONTAINERS_CONF=$dir/containers.conf
EOF
mv "$dir/env.new" "$dir/env"
echo "$dir/env"
