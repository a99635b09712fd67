// The baseline of `npm run bench:notices`: a bare Fastify server, run as its own process like
// the service under test, that parses the JSON body it is sent and answers a tiny JSON. What
// the service does beyond this (auth, validation, the database, the outbox) is what the ratio
// between the two measures.
import fastify from 'fastify';

async function main(): Promise<void> {
  const port = Number(process.env.HELLO_PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error('HELLO_PORT must be a TCP port');
  const app = fastify({ logger: false });
  app.post('/hello', async () => ({ hello: 'world' }));
  app.get('/ready', async () => ({ status: 'ready' }));
  await app.listen({ host: '127.0.0.1', port });
  const stop = () => {
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
