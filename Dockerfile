# syntax=docker/dockerfile:1
#
# Fieldbook: the auth proxy (Express) serving the built PWA, in front of CouchDB.
# The container first bootstraps CouchDB (dist/couch/bootstrap.js: system and per-user
# databases, security, design docs; idempotent), then replaces itself with the proxy alone
# (dist/proxy/main.js). Both are compiled JavaScript built by `npm run build` and run with
# plain node; the design documents are JSON built from TypeScript (dist/couch/design/). The
# image has no tsx, no TypeScript compiler, no sources and no embedded PouchDB Server.
#
#   docker build -t fieldbook .
#   docker run -e COUCH_URL=http://admin:secret@couchdb:5984 -p 8080:8080 fieldbook
#   docker compose exec proxy node dist/couch/user-cli.js list     (`npm run user` compiled;
#   also dist/couch/conflicts-cli.js, `npm run conflicts`; dist/couch/migrate-cli.js, `npm run migrate`;
#   dist/couch/settings-cli.js, `npm run settings`; dist/couch/photos-cli.js, `npm run photos`)
#
# Env: COUCH_URL (required: CouchDB URL carrying a server admin's credentials), PORT (8080),
# HOST (0.0.0.0: the container's interfaces; only here, never on a bare host),
# FIELDBOOK_SECURE_COOKIES (true behind HTTPS), FIELDBOOK_SESSION_DAYS (30),
# FIELDBOOK_PROXY_WORKERS (1: proxy processes on the port, node:cluster workers sharing one
# CouchDB; README "Scale out").

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: all dependencies, then the PWA, the proxy, the design docs and the bootstrap ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NG_CLI_ANALYTICS=false CI=true
# patches/ before `npm ci`: its postinstall applies them (patch-package).
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
# Fails if the production PWA carries a test hook (scripts/check-app-build.ts).
RUN npm run build

# --- runtime dependencies only ------------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the only install script is our postinstall (patch-package, a
# devDependency, patching pouchdb-server's validation plugin, also a devDependency).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime ------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 FIELDBOOK_STATIC_DIR=/app/dist/fieldbook/browser
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
# Only what runs: the PWA, the proxy bundle, the bootstrap and CLI bundles and the design docs they read.
COPY --from=build /app/dist/fieldbook ./dist/fieldbook
COPY --from=build /app/dist/proxy ./dist/proxy
COPY --from=build /app/dist/couch ./dist/couch
# Fail the image build, not the first start, if something is missing: each bundle, run
# without COUCH_URL, loads all of itself and then asks for it; the design docs are there.
RUN (node dist/couch/bootstrap.js 2>&1 || true) | grep -q 'COUCH_URL (with admin credentials) is required' \
 && (node dist/proxy/main.js 2>&1 || true) | grep -q 'COUCH_URL (with admin credentials) is required' \
 && node -e "for (const f of ['fieldbook', 'read-only']) JSON.parse(require('fs').readFileSync('dist/couch/design/' + f + '.json', 'utf8'))" \
 && ! test -e node_modules/typescript && ! test -e node_modules/tsx
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The bootstrap, then `exec`: the proxy is the one long-running process and gets the stop
# signal itself (compose runs it under an init with `init: true`); SIGTERM drains it
# (FIELDBOOK_DRAIN_MS). Node's flags as scripts/build-proxy.ts PROXY_NODE_FLAGS gives them.
CMD ["sh", "-c", "node dist/couch/bootstrap.js && exec node --max-semi-space-size=2 dist/proxy/main.js"]
