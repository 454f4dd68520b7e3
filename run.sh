#!/usr/bin/env bash
# The front door.
#   ./run.sh start [flags]   install what is missing, build, serve on :8000
#   ./run.sh test            install what is missing, build, run every test:
#                            the UI, bench and fuzz suites against the -O2
#                            build, the rest against an ASan+UBSan build
#   ./run.sh build           install what is missing, build
#   ./run.sh build-sanitized [targets]
#                            the ASan+UBSan build alone (build-sanitize/)
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the build, the server and the tests need (README, "Run it").
packages=(
  build-essential cmake ninja-build
  libcaf-dev libboost1.81-dev rapidjson-dev libcurl4-openssl-dev
  libsqlite3-dev
  chromium ffmpeg
  clang libclang-rt-14-dev
  python3 python3-aiohttp python3-prometheus-client python3-pytest
  python3-pip python3-setuptools python3-wheel
  curl ca-certificates
)

# The benchmark's peers (tools/bench/compare.py), for the tests only: the
# suite runs the benchmark once, at a tenth of its load (bench.compare_quick).
bench_packages=(
  nginx-light libnginx-mod-nchan python3-fastapi python3-uvicorn python3-httpx
)

install_missing() {
  local missing=()
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null \
      | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "run.sh: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

# The JavaScript client's test tools (Vitest, jsdom, React, ...), from the
# npm registry, exactly as package-lock.json pins them. Node comes with the
# machine; Debian's is the fallback.
install_js_tools() {
  if ! command -v npm > /dev/null; then
    packages+=(nodejs npm)
    install_missing
  fi
  local lock=clients/js/package-lock.json
  local installed=clients/js/node_modules/.package-lock.json
  if [ ! -f "$installed" ] || [ "$lock" -nt "$installed" ]; then
    echo "run.sh: installing the JavaScript test tools (npm ci)" >&2
    (cd clients/js && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Line tables only (-g1): a third less compile time than -g; perf, gdb's
# backtraces and the sanitizers still name every file and line. With
# targets, only those (and what they need); without, everything.
build() {
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" > /dev/null
  if [ $# -gt 0 ]; then
    cmake --build build --target "$@"
  else
    cmake --build build
  fi
}

# The suites that run against the shipped -O2 build: what a person sees
# (ui: its timing is a person's), the benchmark (bench: its load is the
# point) and the fuzzers (fuzz: clang's own ASan+UBSan build). Every other
# suite runs once, against the sanitized build (twice cost ~10 minutes).
shipped_labels='^(ui|bench|fuzz)$'
# What those suites need built.
shipped_targets=(agenttheo agenttheo-loadgen agenttheo-store-bench agenttheo-fanout-floor fuzzers)
# The sanitized suites that drive the server from outside need only these;
# the suites labelled `compiled` (the unit tests, the browser actor's, the
# Beast WebSocket client) need their own test programs, which build while
# the others run.
server_targets=(agenttheo agenttheo-loadgen agenttheo_url_host agenttheo_slow_fsync)

# The same code with AddressSanitizer and UndefinedBehaviorSanitizer, for
# the tests' second pass. With targets, only those; without, everything.
build_sanitized() {
  cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DAGENTTHEO_SANITIZE=ON > /dev/null
  if [ $# -gt 0 ]; then
    cmake --build build-sanitize --target "$@"
  else
    cmake --build build-sanitize
  fi
}

# Part of the sanitized build (the targets given; none: the rest), started
# beside a test pass and given only the CPU time that pass leaves idle
# (SCHED_IDLE: any test's thread that wakes takes the core back at once),
# in a process group of its own so that a failing pass can stop it. Its
# output goes to a log, printed if it fails.
start_sanitized_build() {
  local idle="nice -n 19"
  chrt --idle 0 true 2> /dev/null && idle="chrt --idle 0"
  mkdir -p build-sanitize
  setsid $idle ./run.sh build-sanitized "$@" >> build-sanitize/build.log 2>&1 &
  sanitized_build=$!
  trap 'kill -- -$sanitized_build 2> /dev/null || true' EXIT
}

finish_sanitized_build() {
  if ! wait "$sanitized_build"; then
    cat build-sanitize/build.log >&2
    echo "run.sh: the sanitized build failed" >&2
    exit 1
  fi
  trap - EXIT
}

# Any report fails the test that caused it: ASan stops at its first (and
# LeakSanitizer checks every process at exit), UBSan (recoverable, so its
# suppressions apply) is told to stop too.
sanitizer_options() {
  export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$PWD/tests/ubsan.supp"
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp"
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  start)
    install_missing
    build agenttheo
    exec ./build/agenttheo serve "$@"
    ;;
  test)
    packages+=("${bench_packages[@]}")
    install_missing
    install_js_tools
    build "${shipped_targets[@]}"
    mkdir -p build-sanitize && : > build-sanitize/build.log
    start_sanitized_build "${server_targets[@]}"
    echo "run.sh: the UI, benchmark and fuzz suites, against the -O2 build" >&2
    (cd build && ctest --output-on-failure --timeout 600 --label-regex "$shipped_labels" "$@")
    finish_sanitized_build
    start_sanitized_build
    sanitizer_options
    echo "run.sh: the suites that drive the ASan+UBSan server from outside" >&2
    (cd build-sanitize && ctest --output-on-failure --timeout 900 \
      --label-exclude '^(ui|bench|fuzz|compiled)$' "$@")
    finish_sanitized_build
    echo "run.sh: the ASan+UBSan test programs" >&2
    cd build-sanitize
    exec ctest --output-on-failure --timeout 900 --label-regex '^compiled$' "$@"
    ;;
  build)
    install_missing
    build
    ;;
  build-sanitized)
    install_missing
    build_sanitized "$@"
    ;;
  *)
    echo "usage: ./run.sh start [flags] | test [ctest args] | build | build-sanitized [targets]" >&2
    exit 2
    ;;
esac
