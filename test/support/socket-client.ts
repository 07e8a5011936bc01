import { io, type Socket } from 'socket.io-client';

export interface FeedClient {
  socket: Socket;
  /** Every `job:updated` received, in order. */
  jobs: { id: string; tenant_id: string | null; type: string; status: string; outcome: string | null }[];
  /** Every `autonomy:status` received, in order. */
  statuses: any[];
  close(): void;
}

/** A socket.io client of the `/autonomy` namespace that records what it is pushed. Resolves once connected. */
export async function connectFeed(baseUrl: string, token: string | undefined): Promise<FeedClient> {
  const socket = io(`${baseUrl}/autonomy`, { auth: token === undefined ? {} : { token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 5000 });
  const feed: FeedClient = { socket, jobs: [], statuses: [], close: () => socket.close() };
  socket.on('job:updated', (j) => feed.jobs.push(j));
  socket.on('autonomy:status', (s) => feed.statuses.push(s));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => {
      socket.close();
      reject(e);
    });
  });
  return feed;
}
