# musectl, to run `musectl watch` as a Cloud Run job (manifests/watcher.yaml).
#   docker build -t asia-northeast1-docker.pkg.dev/PROJECT/sessionmuse/musectl:latest .
# Multi-stage: the build stage compiles TypeScript with the dev dependencies; the runtime stage has
# only production dependencies and the compiled JavaScript, and runs as a non-root user.

FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY controllers ./controllers
COPY emulator ./emulator
COPY bench ./bench
COPY schema ./schema
COPY bin ./bin
# prepare builds dist/ during npm ci
RUN npm ci --no-audit --no-fund

FROM node:22-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY schema ./schema
COPY bin ./bin
# Manifests can be baked in (watch -f /app/manifests) or read from gs:// (the default in manifests/watcher.yaml).
COPY manifests ./manifests
USER node
# V8's young generation sized for the watcher's cycles (src/v8-flags.ts WATCHER_NODE_FLAGS).
ENTRYPOINT ["node", "--max-semi-space-size=64", "/app/bin/musectl.js"]
CMD ["watch", "--help"]
