// The thinnest gateway Node can make, as the floor the Switchyard gateway is held to (issue 9):
// Fastify 5 parses the JSON body, undici `request()` forwards it (one Agent, pooled), the JSON
// answer is parsed and sent back, a stream is piped as it comes. argv[2] is JSON { upstream }.
import Fastify from 'fastify';
import { Agent, request } from 'undici';
import { launcherOptions, sendToParent, serveParent } from './child-ipc.js';

const { upstream } = launcherOptions<{ upstream: string }>();
const dispatcher = new Agent({ connections: 128 });
const app = Fastify({ logger: false });

app.post('/v1/chat/completions', async (incoming, reply) => {
  const body = incoming.body as { stream?: boolean };
  const response = await request(`${upstream}/chat/completions`, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: JSON.stringify(body),
  });
  reply.code(response.statusCode);
  if (body.stream) return reply.header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-cache').send(response.body);
  return reply.send(await response.body.json());
});

await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address() as { port: number };
serveParent({}, async () => {
  await app.close();
  await dispatcher.close();
});
sendToParent({ type: 'ready', url: `http://127.0.0.1:${address.port}` });
