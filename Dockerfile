# policyhub with every bundled policy pack; its one state is the decision record (a volume, or PostgreSQL).
#   docker build -t policyhub:0.1.0 .
#   podman build --format docker -t policyhub:0.1.0 .   # podman's default OCI format drops HEALTHCHECK
#   docker run --rm -p 127.0.0.1:50051:50051 -p 127.0.0.1:9464:9464 policyhub:0.1.0
# Both stages use the same base: durable_rules is compiled in the first for the second's Python.
# No `# syntax=` line: BuildKit's built-in frontend builds this file, so no frontend image is
# fetched and the build works without a registry beyond the base image's.

FROM python:3.11-slim-bookworm AS build

# durable_rules ships only an sdist: its C engine is compiled here, never in the runtime stage.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY requirements/runtime.txt ./requirements/
COPY pyproject.toml README.md ./
COPY src ./src
COPY policy_packs ./policy_packs

# Wheels of the core, its runtime dependencies (no dev extras) and every pack, at the versions
# pinned in requirements/runtime.txt (`make lock`), the ones `make test` runs on.
RUN pip wheel --no-cache-dir --constraint requirements/runtime.txt --wheel-dir /wheels . policy_packs/*/

# Install exactly as the runtime stage does (same path, same wheels) and pin every pack file:
# with a pack whose files differ from what was locked here, the server exits 3 at start.
RUN python -m venv --without-pip /opt/policyhub \
 && pip --python /opt/policyhub/bin/python install --no-cache-dir --no-index /wheels/*.whl \
 && /opt/policyhub/bin/policyhub pack lock --output /src/packs.lock


FROM python:3.11-slim-bookworm AS runtime

RUN groupadd --system --gid 10001 policyhub \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin policyhub

# Only the wheels: no compiler, no sources, no dev tools, and no pip or setuptools in the venv
# (the base's pip installs into it from outside). The wheels are mounted, not copied, so they
# leave no layer behind.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m venv --without-pip /opt/policyhub \
 && pip --python /opt/policyhub/bin/python install --no-cache-dir --no-index /wheels/*.whl

COPY --from=build /src/packs.lock /etc/policyhub/packs.lock

# The decision record's default home (SQLite and its generated pseudonym key): a volume, so
# records outlive the container. Past one machine set POLICYHUB_SERVE_DECISION_STORE to a
# postgresql:// URL and POLICYHUB_SERVE_DECISION_KEY_FILE (compose.yaml, deploy/).
RUN mkdir -p /var/lib/policyhub && chown 10001:10001 /var/lib/policyhub
VOLUME ["/var/lib/policyhub"]

# Defaults for `policyhub serve` (each flag is POLICYHUB_SERVE_<FLAG>). Workers are set, not
# taken from the core count: inside a container that is the host's count, not the CPU limit.
# GRACE is 8 s so that a plain `docker stop` / `podman stop` (SIGKILL after 10 s) still sees the
# drain finish and exit 0; a longer grace needs `stop -t`, `--stop-timeout` or compose's
# stop_grace_period longer than DRAIN_DELAY + GRACE + 5.
ENV PATH="/opt/policyhub/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    POLICYHUB_LOG_LEVEL=info \
    POLICYHUB_SERVE_HOST=0.0.0.0 \
    POLICYHUB_SERVE_PORT=50051 \
    POLICYHUB_SERVE_METRICS_PORT=9464 \
    POLICYHUB_SERVE_WORKERS=2 \
    POLICYHUB_SERVE_GRACE=8 \
    POLICYHUB_SERVE_LOCK_FILE=/etc/policyhub/packs.lock \
    POLICYHUB_SERVE_STATE_DIR=/var/lib/policyhub

WORKDIR /srv/policyhub
# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001

# gRPC, Prometheus /metrics.
EXPOSE 50051 9464

# grpc.health.v1 on 127.0.0.1:$POLICYHUB_SERVE_PORT (the health command's default target).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["policyhub", "health", "--timeout", "3"]

# SIGTERM (docker/podman stop, Kubernetes) drains in-flight calls within POLICYHUB_SERVE_GRACE
# and exits 0; a pack set that fails the lock exits 3 at start, before ever answering SERVING.
STOPSIGNAL SIGTERM
ENTRYPOINT ["policyhub"]
CMD ["serve"]
