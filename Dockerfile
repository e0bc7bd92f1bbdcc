# The scangate image, for running scangate in a container yourself:
# `docker run --rm -v "$PWD:/src" scangate scan .` (the GitHub Action,
# action.yml, installs the release binary instead; docs/github.md).
#
# Base images are pinned by tag. They are not pinned by digest: the digests
# could not be verified where this file was written (no registry access).
# Before a release, pin each FROM to the digest `docker buildx imagetools
# inspect <image>` prints, as golang:1.26.8-bookworm@sha256:....
#
# scripts/dockerfile-check.sh runs the build stage's go build on the host.

ARG GO_IMAGE=golang:1.26.8-bookworm
ARG DEBIAN_IMAGE=debian:12.11-slim

# --- build: scangate and its govulncheck companion, with the pinned Go version ---
FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# scangate-govulncheck is the small child process scangate runs for
# govulncheck, found beside scangate (see scanners/govulncheck).
RUN CGO_ENABLED=0 GOTOOLCHAIN=local go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/ ./cmd/scangate ./cmd/scangate-govulncheck

# --- python: bandit and safety in a virtual environment, pinned ---
# safety 2.x, because `safety check` needs no account (3.x's `safety scan`
# does); scangate reads both.
FROM ${DEBIAN_IMAGE} AS python
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && python3 -m venv /opt/py \
 && /opt/py/bin/pip install --no-cache-dir bandit==1.9.4 safety==2.3.5 \
 && /opt/py/bin/pip uninstall -y pip \
 && rm -rf /var/lib/apt/lists/*

# --- runtime: scangate, the Go toolchain (go/packages runs `go list` at
# scan time), python3 with bandit and safety, git; nothing else ---
FROM ${DEBIAN_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 git ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 # The workspace GitHub mounts belongs to the runner's user, not to root:
 # without this git refuses it ("dubious ownership").
 && git config --system --add safe.directory '*' \
 && useradd --create-home --uid 10001 --shell /usr/sbin/nologin scangate
COPY --from=build /usr/local/go /usr/local/go
COPY --from=python /opt/py /opt/py
COPY --from=build /out/scangate /out/scangate-govulncheck /usr/local/bin/
# GOTOOLCHAIN=local: a scanned go.mod never makes us download a toolchain.
# CGO_ENABLED=0: there is no C compiler here, so go list skips cgo files
# rather than failing on them.
ENV PATH=/usr/local/go/bin:/opt/py/bin:$PATH \
    GOTOOLCHAIN=local \
    CGO_ENABLED=0
WORKDIR /src
ENTRYPOINT ["scangate"]
CMD ["--help"]

# --- nonroot: for running the image yourself (docker build --target nonroot).
FROM runtime AS nonroot
USER scangate

# --- action: the default target, for running the image as a Docker action
# (`scangate action` reads the INPUT_* variables). GitHub runs Docker
# actions as root and mounts the workspace and its command files owned by
# the runner's user; an image with USER could not write the SARIF file or
# the step outputs there, so this target keeps root.
FROM runtime AS action
