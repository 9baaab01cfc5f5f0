# One image for the sandbox, the worker and the API; docker-compose.yml picks the
# entry file with `command`. TypeScript runs through tsx, as with `npm start`.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first, so that a code change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .
# The worker's workflow bundle, built once here instead of by webpack at every worker start
# (dist/workflow-bundles/, one per set of interceptor modules; worker/prebuilt-workflow-bundle.ts).
# The worker takes it only while its build id matches the code; otherwise it bundles as before.
RUN node_modules/.bin/tsx scripts/build-workflows.ts

# A worker container runs with NODE_OPTIONS=--stack-trace-limit=4 (docker-compose.yml sets it on the
# worker service only; worker/node-options.ts says why): set it wherever this image runs the worker.
USER node
EXPOSE 3000 4010 9464
CMD ["node_modules/.bin/tsx", "api/main.ts"]
