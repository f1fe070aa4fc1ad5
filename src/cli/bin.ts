import { errorMessage } from '../query/errors';
import { runCli } from './main';

// The bundled entry (dist-cli/istio-egress.js): real process I/O around runCli.
// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') {
    process.exit(0);
  }
  throw err;
});
runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  now: () => Date.now() / 1000,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`istio-egress: ${errorMessage(err)}\n`);
    process.exitCode = 1;
  }
);
