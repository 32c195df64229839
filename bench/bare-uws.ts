/**
 * The reference for `make bench-hello`: the smallest uWebSockets.js hello server, as in uWS's own
 * examples. Our server's /hello is measured against this one in the same run.
 */
import { createRequire } from 'node:module';
import type * as uWS from 'uWebSockets.js';
import { readHost } from '../lab/index.js';

const uws = createRequire(import.meta.url)('uWebSockets.js') as typeof uWS;
const host = readHost();
uws
  .App()
  .get('/hello', (res) => {
    // The same answer as the lab's /hello (status, Content-Type, body), so the ratio measures the
    // server around it, not a different response.
    res.writeHeader('Content-Type', 'text/plain; charset=utf-8').end('Hello, World!');
  })
  .listen(host, Number(process.env['PORT'] ?? 0), (token) => {
    if (!token) {
      console.error('bare-uws: cannot listen');
      process.exit(1);
    }
    console.log(`listening on http://${host}:${uws.us_socket_local_port(token)}`);
  });
process.on('SIGTERM', () => process.exit(0));
