# One image for the four Vigie services; docker-compose.yml picks the entry point per service.
FROM node:20-bookworm-slim
WORKDIR /vigie
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY libs ./libs
COPY apps ./apps
ENV NODE_ENV=production TS_NODE_PROJECT=/vigie/tsconfig.json HOST=0.0.0.0
USER node
ENTRYPOINT ["node", "-r", "ts-node/register/transpile-only", "-r", "tsconfig-paths/register"]
