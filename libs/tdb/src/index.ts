export { TDB_MAX_BATCH, validateBatch, validateStatement, type BatchProblems, type StatementProblem } from './lib/validate-statement';
