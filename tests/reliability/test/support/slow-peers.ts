/** Clients as an attacker or an unlucky user runs them: an uploader that trickles, a reader that never reads. */
import { connect, type Socket } from 'node:net';
import { request } from './hostile-corpus.js';

export interface Peer {
  readonly socket: Socket;
  /** Everything the server sent so far. */
  received(): Buffer;
  stop(): void;
}

function open(port: number, onConnect: (socket: Socket) => void): Peer {
  const socket = connect(port, '127.0.0.1', () => onConnect(socket));
  const parts: Buffer[] = [];
  socket.on('data', (data: Buffer) => parts.push(data));
  socket.on('error', () => {});
  return { socket, received: () => Buffer.concat(parts), stop: () => socket.destroy() };
}

/** POSTs `path` with a `length`-byte body, sent one byte every `everyMs` (1 byte/s by default), until stopped. */
export function trickleUpload(port: number, path: string, length = 1000, everyMs = 1000): Peer {
  let timer: NodeJS.Timeout | undefined;
  const peer = open(port, (socket) => {
    socket.write(request(`POST ${path} HTTP/1.1`, ['Host: a', `Content-Length: ${length}`]));
    let sent = 0;
    const next = () => {
      if (socket.destroyed || sent >= length) return;
      socket.write('x');
      sent++;
      timer = setTimeout(next, everyMs);
    };
    next();
  });
  peer.socket.once('close', () => clearTimeout(timer));
  return peer;
}

/** GETs `path` and never reads a byte of the response. */
export function neverRead(port: number, path: string, headers: string[] = []): Peer {
  const peer = open(port, (socket) => socket.write(request(`GET ${path} HTTP/1.1`, ['Host: a', ...headers])));
  peer.socket.pause();
  return peer;
}
