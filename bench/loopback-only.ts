// Preloaded (`node --import`) into third-party servers that listen on every
// interface when given only a port (the Portkey gateway does): a listen call
// without a host gets 127.0.0.1, so benchmark traffic stays on loopback.
import { Server } from 'node:net';

const originalListen = Server.prototype.listen;

Server.prototype.listen = function listenOnLoopback(this: Server, ...args: unknown[]) {
  if (typeof args[0] === 'number') {
    if (args[1] === undefined) args[1] = '127.0.0.1';
    else if (typeof args[1] === 'function') args.splice(1, 0, '127.0.0.1');
  }
  if (typeof args[0] === 'object' && args[0] !== null && !('path' in args[0]) && !('host' in args[0])) {
    args[0] = { ...(args[0] as object), host: '127.0.0.1' };
  }
  return (originalListen as (...rest: unknown[]) => Server).apply(this, args);
} as typeof Server.prototype.listen;
