# syntax=docker/dockerfile:1
# check=error=true

# The fluxd image: ghcr.io/flux-ts/fluxd:<version>, the image `fluxctl install` puts in its
# Deployment. Build from the repository root:
#   docker build -t ghcr.io/flux-ts/fluxd:0.1.0 --build-arg VERSION=0.1.0 .
# See docs/packaging.md. The versions below match scripts/setup (SOPS_VERSION, PNPM_VERSION);
# test/packaging/dockerfile.int.test.ts keeps them equal.

# sops, built from its Go module as scripts/setup does (Debian does not package it), so that
# `fluxd --sops` works in the image.
FROM golang:1.26-bookworm AS sops
ARG SOPS_VERSION=v3.13.3
ENV CGO_ENABLED=0 GOTOOLCHAIN=local
RUN go install -trimpath -ldflags="-s -w" "github.com/getsops/sops/v3/cmd/sops@${SOPS_VERSION}" \
 && /go/bin/sops --version

# The workspace: install from the lockfile, compile fluxd and the packages it references, then
# collect @flux-ts/daemon with its production dependencies only into /out.
FROM node:20-bookworm-slim AS build
ARG PNPM_VERSION=12.21.0
RUN npm install -g --no-fund --no-audit "pnpm@${PNPM_VERSION}"
WORKDIR /src
# `pnpm fetch` needs only the lockfile: this layer is reused until the lockfile changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch
COPY . .
RUN pnpm install --frozen-lockfile --offline \
 && pnpm exec tsc -b packages/daemon \
 && pnpm --filter @flux-ts/daemon deploy --prod --legacy /out \
 && node /out/dist/bin/fluxd.js --version

# The runtime: Node 20, the tools fluxd runs (git, ssh, gpg, git-secret, sops), fluxd, a non-root
# user, and tini as PID 1 to reap the git and ssh processes fluxd starts (as Flux v1's image did).
FROM node:20-bookworm-slim
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="fluxd" \
      org.opencontainers.image.description="flux-ts fluxd: the Flux v1 GitOps daemon in TypeScript" \
      org.opencontainers.image.source="https://github.com/flux-ts/flux-ts" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates git openssh-client gnupg git-secret tini \
 && rm -rf /var/lib/apt/lists/*
# fluxd's user: numeric UID/GID 10001 so Kubernetes' runAsNonRoot can verify it. ssh writes
# ~/.ssh/known_hosts (StrictHostKeyChecking=accept-new) and gpg ~/.gnupg under its home.
RUN groupadd --gid 10001 flux \
 && useradd --uid 10001 --gid 10001 --home-dir /home/flux --create-home --shell /usr/sbin/nologin flux
COPY --from=sops /go/bin/sops /usr/local/bin/sops
COPY --from=build /out /opt/fluxd
RUN chmod 0755 /opt/fluxd/dist/bin/fluxd.js \
 && ln -s /opt/fluxd/dist/bin/fluxd.js /usr/local/bin/fluxd \
 && fluxd --version
ENV NODE_ENV=production \
    HOME=/home/flux
WORKDIR /home/flux
USER 10001:10001
# The Flux v1 HTTP API (and /metrics unless --listen-metrics moves it).
EXPOSE 3030
ENTRYPOINT ["/usr/bin/tini", "--", "fluxd"]
