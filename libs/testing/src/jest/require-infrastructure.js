// globalSetup of jest.int.config.js. Integration specs talk to a real Kafka broker and PostgreSQL;
// without them the run must fail loudly, never pass by skipping.
module.exports = async function requireInfrastructure() {
  const missing = ['KAFKA_BROKERS', 'DATABASE_URL'].filter((name) => !process.env[name]);
  if (missing.length === 0) return;
  throw new Error(
    `Integration tests need a Kafka broker and a PostgreSQL database, but ${missing.join(' and ')} ` +
      `${missing.length > 1 ? 'are' : 'is'} not set.\n` +
      '`npm test` provisions both (a local Kafka broker via Java + Maven or Docker; the local, a Docker or an ' +
      'embedded PostgreSQL) and sets these variables for you. To run the integration config directly, export ' +
      'KAFKA_BROKERS=host:port[,host:port] and DATABASE_URL=postgres://user:password@host:port/database first.',
  );
};
