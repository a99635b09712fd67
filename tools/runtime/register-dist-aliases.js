// Lets the compiled services in dist/ resolve the workspace aliases (@vigie/...), using the
// same map as tsconfig.base.json with .ts entry points turned into their compiled .js.
// Preloaded with `node -r`: `node -r ./tools/runtime/register-dist-aliases.js dist/apps/<app>/src/main.js`.
const { join } = require('node:path');
const { register } = require('tsconfig-paths');
const { compilerOptions } = require('../../tsconfig.base.json');

const paths = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, targets]) => [alias, targets.map((target) => target.replace(/\.ts$/, '.js'))]),
);
register({ baseUrl: join(__dirname, '..', '..', 'dist'), paths });
