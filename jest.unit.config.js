// Unit specs (`*.spec.ts`) sit beside the code and need no broker or database.
module.exports = {
  ...require('./jest.preset'),
  displayName: 'unit',
  testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '\\.int-spec\\.ts$'],
};
