// Integration specs (`*.int-spec.ts`) run in band against the real Kafka broker and
// PostgreSQL that `npm test` provisions (KAFKA_BROKERS and DATABASE_URL are set by it).
module.exports = {
  ...require('./jest.preset'),
  displayName: 'integration',
  testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int-spec.ts'],
  testTimeout: 120000,
  globalSetup: '<rootDir>/libs/testing/src/jest/require-infrastructure.js',
};
