import { startConsoleServer } from './console-server';
import { loadConsoleSettings } from './console.settings';

const { port, host, upstreams } = loadConsoleSettings(process.env);

startConsoleServer({ port, host, upstreams }).then(
  (running) => {
    console.log(JSON.stringify({ level: 'info', service: 'console', msg: `console at ${running.url}/console/`, upstreams }));
    const stop = () => void running.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  },
  (error: Error) => {
    console.error(`console did not start: ${error.message}`);
    process.exit(1);
  },
);
