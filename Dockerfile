# The hub as a container: built in one stage, run in a smaller one as a non-root user.
#   docker build -t control-mapping-hub .
#   docker run -p 4000:4000 control-mapping-hub            # embedded PGlite in /app/.data (a volume)
#   docker compose up                                        # PostgreSQL, migrations, hub (compose.yaml)
# NODE_IMAGE is any Debian-based image with Node and npm (the official node image by default).
ARG NODE_IMAGE=node:26-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY seeds ./seeds
COPY web ./web
# The server, then the dashboard (web/ -> dist/web, served at /); then only what runs stays.
RUN npx tsc -p tsconfig.build.json && npx tsc -p web/tsconfig.json && npx vite build --config web/vite.config.mts \
  && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app
RUN groupadd --system --gid 10001 hub && useradd --system --uid 10001 --gid hub --home-dir /app --shell /usr/sbin/nologin hub \
  && mkdir -p /app/.data && chown hub:hub /app/.data
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/seeds ./seeds
COPY --chown=root:root deploy/entrypoint.sh /usr/local/bin/hub-entrypoint
USER hub
VOLUME ["/app/.data"]
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/local/bin/hub-entrypoint"]
CMD ["serve"]
