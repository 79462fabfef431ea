// Placeholder until the demo issue lands: it says plainly that the real demo is not built yet.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8888);
const host = process.env.HOST ?? '127.0.0.1';

createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  response.end('tsgi demo placeholder: the real demo (apps/demo) is not built yet.\n');
}).listen(port, host, () => {
  console.log(`tsgi demo placeholder listening on http://${host}:${port}`);
});
