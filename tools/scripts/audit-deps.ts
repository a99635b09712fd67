// `npm run audit:deps`: the production dependencies against npm's advisory database; exits 1 on
// a high or critical advisory (the same check as the 'dependency audit' step of `npm test`).
import { auditDependencies } from './support/dependency-audit';

auditDependencies().then((result) => process.exit(result.ok ? 0 : 1));
