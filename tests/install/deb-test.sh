#!/usr/bin/env bash
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# The Debian packages (cmake/OpenENPackage.cmake) as an operator and an app
# developer use them, on this machine:
#   1. cpack -G DEB in the build directory makes the packages (five, six with Java); each holds
#      what it should, under /usr only, and says what it depends on.
#   2. apt-get install ./*.deb: the services' users and key directories
#      exist, every command answers --help from /usr/bin, systemd-analyze
#      verify has nothing to say about the installed units.
#   3. The keys made as docs/operations.md ("Running it as a service") says,
#      each server started with its unit's ExecStart= line, as its own user
#      (not under systemd: its sandboxing is checked by units-test.sh):
#      `openen health` finds both SERVING, and a tracer's code is issued.
#   4. An app's build finds the installed library with find_package(OpenEN)
#      and pkg-config, with no path given, and runs; a Java app compiles
#      against /usr/share/java/openen.jar and runs with no library path.
#   5. apt-get purge removes the packages and everything the servers kept,
#      and keeps their keys.
# Steps 2 to 5 change the machine: they run only as root and when asked
# (CI=true, as .ci/run sets, or OPENEN_TEST_PACKAGES=1); otherwise the test
# stops after step 1, skipped. They refuse to start where an OpenEN package,
# its users, /etc/openen or /var/lib/openen-* exist, or where apt would
# install anything but OpenEN's packages (run scripts/install-deps.sh first),
# and leave the machine as they found it: on exit, whatever they installed
# or made is purged or removed (a kill -9, such as ctest's timeout, leaves it:
# the next run says what to remove).
#
# usage: deb-test.sh BUILD_DIR WORK_DIR CC [FLAGS]
#   CC      the C compiler of the build
#   FLAGS   compile and link flags the build's objects need from the app
#           ("-fsanitize=address,undefined" for an instrumented build)
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  echo "usage: $0 BUILD_DIR WORK_DIR CC [FLAGS]" >&2
  exit 2
fi
build_dir="$(cd "$1" && pwd)"
work="$2"
cc="$3"
read -r -a flags <<<"${4:-}"
here="$(cd "$(dirname "$0")" && pwd)"
packages=(libopenen0 libopenen-dev openen openen-relay openen-verifier)
# The Java/Kotlin API's package, when the build has it (OPENEN_BUILD_JAVA).
if [ -f "$build_dir/bindings/java/openen.jar" ]; then packages+=(libopenen-java); fi

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

case "$work" in
  "" | / | /usr* | /etc* | /var/lib*) fail "refusing work directory '$work'" ;;
esac
rm -rf "$work"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

# --- 1. the packages -------------------------------------------------------
echo "== cpack -G DEB"
(cd "$build_dir" && cpack -G DEB -B "$work/debs") >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack"; }
arch="$(dpkg --print-architecture)"
version="$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build_dir/CPackConfig.cmake")"
[ -n "$version" ] || fail "no CPACK_PACKAGE_VERSION in $build_dir/CPackConfig.cmake"
deb() { echo "$work/debs/$1_${version}_${arch}.deb"; }
for p in "${packages[@]}"; do
  [ -f "$(deb "$p")" ] || fail "no package $p: $(ls "$work/debs")"
  [ "$(dpkg-deb -f "$(deb "$p")" Package)" = "$p" ] || fail "$p: wrong Package field"
  dpkg-deb -c "$(deb "$p")" | awk '{ print $6 }' | sed 's|^\./|/|' | grep -v '/$' \
    >"$work/$p.files"
  if grep -v '^/usr/' "$work/$p.files" || grep '^/usr/local/' "$work/$p.files"; then
    fail "$p installs outside /usr"
  fi
  grep -qx "/usr/share/doc/$p/copyright" "$work/$p.files" || fail "$p has no copyright file"
done

# expect PACKAGE PATTERN...: PACKAGE holds a file matching each (grep -E, whole path).
expect() {
  local p="$1"
  shift
  for pattern in "$@"; do
    grep -Eqx "$pattern" "$work/$p.files" || fail "$p holds nothing like $pattern"
  done
}
expect libopenen0 '/usr/lib/(.*/)?libopenen\.so\.0' '/usr/lib/(.*/)?libopenen_curl\.so\.0'
expect libopenen-dev /usr/include/openen/openen.h /usr/include/openen/openen_curl.h \
  '/usr/lib/(.*/)?libopenen\.so' '/usr/lib/(.*/)?libopenen\.a' \
  '/usr/lib/(.*/)?cmake/OpenEN/OpenENConfig\.cmake' '/usr/lib/(.*/)?pkgconfig/openen\.pc'
expect openen /usr/bin/openen /usr/libexec/openen/rotate-certificate-key.sh \
  /usr/libexec/openen/rotate-export-key.sh
for s in relay verifier; do
  expect "openen-$s" "/usr/bin/openen-$s" "/usr/lib/systemd/system/openen-$s.service" \
    "/usr/lib/sysusers.d/openen-$s.conf"
  for script in postinst prerm postrm; do
    dpkg-deb -I "$(deb "openen-$s")" "$script" >/dev/null || fail "openen-$s has no $script"
  done
  grep -q "libgrpc" <<<"$(dpkg-deb -f "$(deb "openen-$s")" Depends)" ||
    fail "openen-$s does not depend on the gRPC it links"
done
[[ "$(dpkg-deb -f "$(deb libopenen-dev)" Depends)" == *"libopenen0 (= $version)"* ]] ||
  fail "libopenen-dev does not depend on its libopenen0"
dpkg-deb -I "$(deb libopenen0)" shlibs | grep -q '^libopenen 0 libopenen0' ||
  fail "libopenen0 has no shlibs entry"
dpkg-deb -I "$(deb libopenen0)" postinst | grep -q 'ldconfig' || fail "libopenen0 does not run ldconfig"
for dev in libsodium-dev librocksdb-dev libzip-dev; do
  [[ "$(dpkg-deb -f "$(deb libopenen-dev)" Depends)" == *"$dev"* ]] ||
    fail "libopenen-dev does not depend on $dev, which libopenen.a needs"
done
if [[ " ${packages[*]} " == *" libopenen-java "* ]]; then
  expect libopenen-java /usr/share/java/openen.jar '/usr/lib/(.*/)?jni/libopenen_jni\.so'
  [[ "$(dpkg-deb -f "$(deb libopenen-java)" Depends)" == *"libopenen0 (= $version)"* ]] ||
    fail "libopenen-java does not depend on its libopenen0"
fi
echo "${#packages[@]} packages: ${packages[*]}"

if [ "$(id -u)" != 0 ] || { [ "${CI:-}" != true ] && [ "${OPENEN_TEST_PACKAGES:-}" != 1 ]; }; then
  echo "SKIP: installing the packages changes this machine: it runs as root with CI=true or OPENEN_TEST_PACKAGES=1"
  exit 77
fi
export PATH=/usr/sbin:/usr/bin:/sbin:/bin  # the packages' binaries, never another copy

# --- 2. apt-get install ----------------------------------------------------
for p in "${packages[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q installed; then
    fail "$p is installed already: this test installs and purges it, remove it first"
  fi
done
leftovers="remove what a killed run left: apt-get purge ${packages[*]}; userdel openen-relay; userdel openen-verifier; rm -rf /etc/openen /var/lib/openen-relay /var/lib/openen-verifier /var/lib/openen-verifier-staff"
for d in /etc/openen /var/lib/openen-relay /var/lib/openen-verifier /var/lib/openen-verifier-staff; do
  [ ! -e "$d" ] || fail "$d exists already: this test would remove it; $leftovers"
done
for user in openen-relay openen-verifier; do
  if getent passwd "$user" >/dev/null; then fail "user $user exists already; $leftovers"; fi
done
debs=()
for p in "${packages[@]}"; do debs+=("$(deb "$p")"); done
# Nothing but OpenEN's packages: no download, nothing left behind by the purge.
apt-get install -s -y "${debs[@]}" >"$work/apt-simulate.log" 2>&1 ||
  { cat "$work/apt-simulate.log"; fail "apt-get install -s"; }
others="$(sed -n 's/^Inst \([^ ]*\) .*/\1/p' "$work/apt-simulate.log" | grep -vxF -f <(printf '%s\n' "${packages[@]}") || true)"
[ -z "$others" ] || fail "apt would also install: $others (run scripts/install-deps.sh first)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${packages[@]}" >/dev/null 2>&1 || true
  rm -rf /etc/openen /var/lib/openen-relay /var/lib/openen-verifier /var/lib/openen-verifier-staff
  for user in openen-relay openen-verifier; do userdel "$user" 2>/dev/null || true; done
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
echo "== apt-get install ./*.deb"
apt-get install -y -q "${debs[@]}" >"$work/apt-install.log" 2>&1 ||
  { cat "$work/apt-install.log"; fail "apt-get install"; }
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" | grep -qx "install ok installed" || fail "$p not installed"
done

for s in relay verifier; do
  user="openen-$s"
  entry="$(getent passwd "$user")" || fail "no user $user"
  IFS=: read -r _ _ uid _ _ home shell <<<"$entry"
  [ "$uid" -lt 1000 ] || fail "$user is not a system user (uid $uid)"
  [ "$home" = "/var/lib/openen-$s" ] || fail "$user's home is $home"
  [ "$shell" = /usr/sbin/nologin ] || fail "$user has a shell: $shell"
  [ "$(stat -c '%a %U %G' "/etc/openen/$s")" = "750 root $user" ] ||
    fail "/etc/openen/$s is $(stat -c '%a %U %G' "/etc/openen/$s")"
  "/usr/bin/openen-$s" --help >/dev/null || fail "openen-$s --help"
  out="$(systemd-analyze verify "/usr/lib/systemd/system/openen-$s.service" 2>&1)" ||
    fail "systemd-analyze verify openen-$s.service: $out"
  [ -z "$out" ] || fail "systemd-analyze verify openen-$s.service: $out"
done
/usr/bin/openen --help >/dev/null || fail "openen --help"
/usr/libexec/openen/rotate-export-key.sh 2>/dev/null && fail "rotate-export-key.sh without arguments"

# --- 3. the services, as their units run them ------------------------------
echo "== keys as docs/operations.md makes them"
{
  cd /etc/openen/verifier &&
    openen-verifier keygen --out certificate.key >/etc/openen/relay/certificate.pub &&
    chgrp openen-verifier certificate.key &&
    chmod 0640 certificate.key &&
    openen-verifier integration add tracing --staff-dir /var/lib/openen-verifier-staff \
      --out "$work/tracing.key" &&
    chown -R openen-verifier:openen-verifier /var/lib/openen-verifier-staff &&
    cd /etc/openen/relay &&
    openen-relay keygen --out export.pem >export.spki &&
    openen log keygen --name example.org/openen-log --out log.key >log.vkey &&
    chgrp openen-relay export.pem log.key &&
    chmod 0640 export.pem log.key &&
    cd "$work"
} >"$work/keys.log" 2>&1 || { cat "$work/keys.log"; fail "making the keys"; }

# start SERVER [OPTION...]: runs the unit's ExecStart line as the unit's user,
# with the state directories systemd would make (StateDirectory=), the options
# variable set to a loopback port and OPTIONs; sets `port` to the port it
# listens on.
start() {
  local s="$1" unit="/usr/lib/systemd/system/openen-$1.service" line dir
  shift
  line="$(sed -n 's/^ExecStart=//p' "$unit")"
  [ -n "$line" ] || fail "$unit has no ExecStart"
  for dir in $(sed -n 's/^StateDirectory=//p' "$unit"); do
    install -d -o "openen-$s" -g "openen-$s" "/var/lib/$dir"
  done
  line="${line//\$OPENEN_${s^^}_OPTIONS/--listen 127.0.0.1:0 $*}"
  read -r -a command <<<"$line"
  : >"$work/$s.err"
  setpriv --reuid="openen-$s" --regid="openen-$s" --clear-groups -- "${command[@]}" \
    >"$work/$s.out" 2>>"$work/$s.err" &
  pids+=($!)
  for _ in $(seq 1 300); do
    if grep -q 'listening on 127.0.0.1:' "$work/$s.err"; then
      port="$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/$s.err" | head -1 | sed 's/.*://')"
      return
    fi
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  cat "$work/$s.err" >&2
  fail "openen-$s did not start as its unit runs it"
}
echo "== the servers as their units run them"
start relay
relay_port=$port
start verifier
verifier_port=$port
for p in "$relay_port" "$verifier_port"; do
  status="$(openen health "127.0.0.1:$p" 2>&1)" || fail "openen health 127.0.0.1:$p: $status"
  grep -q SERVING <<<"$status" || fail "openen health 127.0.0.1:$p: $status"
done
openen-verifier issue --server "127.0.0.1:$verifier_port" --api-key-file "$work/tracing.key" \
  --test-type confirmed --json >"$work/issue.json" 2>&1 || { cat "$work/issue.json"; fail "issuing a code"; }
grep -q '"short_code"' "$work/issue.json" || fail "no code issued: $(cat "$work/issue.json")"
[ "$(stat -c %U /var/lib/openen-relay/export/index.txt)" = openen-relay ] ||
  fail "the relay's export directory is not written by its user"
for pid in "${pids[@]}"; do
  kill -TERM "$pid"
  wait "$pid" || fail "a server exited $? on SIGTERM"
done
pids=()
grep -q '^{"time"' "$work/relay.err" || fail "the unit's --log-json gives no JSON lines"
echo "relay on $relay_port and verifier on $verifier_port: SERVING, a code issued"

# The installed rotation script, with the installed relay on PATH: the relay,
# as its user, reads the next key it made.
echo "== /usr/libexec/openen/rotate-export-key.sh new"
/usr/libexec/openen/rotate-export-key.sh new /etc/openen/relay v2 >"$work/rotate.log" 2>&1 ||
  { cat "$work/rotate.log"; fail "rotate-export-key.sh new"; }
start relay --next-signing-key /etc/openen/relay/export-v2.pem --next-signing-key-version v2
openen health "127.0.0.1:$port" >/dev/null || fail "the relay with the next export key is not SERVING"
kill -TERM "${pids[0]}"
wait "${pids[0]}" || fail "the relay exited $? on SIGTERM"
pids=()

# --- 4. an app's build ------------------------------------------------------
echo "== an app against the installed library"
cmake -S "$here" -B "$work/app" -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="${flags[*]}" \
  -DCMAKE_EXE_LINKER_FLAGS="${flags[*]}" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  >"$work/app-configure.log" 2>&1 || { cat "$work/app-configure.log"; fail "app configure"; }
grep -Eq "OpenEN 0.1.0 from /usr/lib/(.*/)?cmake/OpenEN" "$work/app-configure.log" ||
  { cat "$work/app-configure.log"; fail "find_package did not find the package's OpenEN"; }
cmake --build "$work/app" >"$work/app-build.log" 2>&1 || { cat "$work/app-build.log"; fail "app build"; }
mkdir -p "$work/run-shared" "$work/run-static" "$work/run-pc"
"$work/app/consumer_shared" "$work/run-shared" || fail "consumer_shared"
"$work/app/consumer_static" "$work/run-static" || fail "consumer_static"
# shellcheck disable=SC2046  # pkg-config's output is words
"$cc" "${flags[@]}" "$here/consumer.c" -o "$work/pc-shared" $(pkg-config --cflags --libs openen) ||
  fail "app build with pkg-config openen"
if readelf -d "$work/pc-shared" | grep 'RUNPATH\|RPATH' >/dev/null; then fail "the app needed a run path"; fi
"$work/pc-shared" "$work/run-pc" || fail "the pkg-config app"
if [[ " ${packages[*]} " == *" libopenen-java "* ]]; then
  echo "== a Java app against the installed openen.jar"
  mkdir -p "$work/java" "$work/run-java"
  javac --release 17 -cp /usr/share/java/openen.jar -d "$work/java" "$here/Consumer.java" ||
    fail "the Java app does not compile against /usr/share/java/openen.jar"
  jvm_env=()
  if [[ "${flags[*]}" == *sanitize=address* ]]; then
    # An instrumented build's libraries need the sanitizer runtimes loaded before the JVM's.
    jvm_env=(env "LD_PRELOAD=$("$cc" -print-file-name=libasan.so):$("$cc" -print-file-name=libubsan.so)"
      "ASAN_OPTIONS=handle_segv=0:allow_user_segv_handler=1:detect_leaks=0:detect_container_overflow=0")
  fi
  out="$("${jvm_env[@]}" java -cp "/usr/share/java/openen.jar:$work/java" Consumer "$work/run-java" 2>&1)" ||
    fail "the Java app: $out"
  grep -q ": 1 scan(s)" <<<"$out" || fail "the Java app printed: $out"
fi

# --- 5. apt-get purge -------------------------------------------------------
echo "== apt-get purge"
apt-get purge -y -q "${packages[@]}" >"$work/apt-purge.log" 2>&1 ||
  { cat "$work/apt-purge.log"; fail "apt-get purge"; }
for p in "${packages[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q installed; then fail "$p still installed"; fi
done
for gone in /usr/bin/openen-relay /usr/bin/openen-verifier /usr/bin/openen \
  /usr/lib/systemd/system/openen-relay.service /var/lib/openen-relay /var/lib/openen-verifier \
  /var/lib/openen-verifier-staff; do
  [ ! -e "$gone" ] || fail "$gone is still there after the purge"
done
for kept in /etc/openen/relay/export.pem /etc/openen/relay/log.key /etc/openen/verifier/certificate.key; do
  [ -e "$kept" ] || fail "the purge deleted $kept"
done
echo "PASS: installed, ran as the units run them, built an app, purged"
