// A TCP relay in front of the server that can cut every connection at
// once: a server-side network drop, as the client sees it.
import net from 'node:net';

export async function startProxy(targetPort) {
  const links = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const link = { client, upstream };
    links.add(link);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      links.delete(link);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy = {
    port: server.address().port,
    dropped: 0,
    cut() {
      for (const { client, upstream } of [...links]) {
        if (client.resetAndDestroy) client.resetAndDestroy();
        else client.destroy();
        upstream.destroy();
        proxy.dropped += 1;
      }
      links.clear();
    },
    close() {
      proxy.cut();
      return new Promise((resolve) => server.close(resolve));
    },
  };
  return proxy;
}
