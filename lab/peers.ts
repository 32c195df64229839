/**
 * The stacks measured beside the lab (peers/): the seeds' Django service, plain node:http, and the
 * barest uWS server. One list for compare/ and the Makefile (mk/peers.mk checks PEER through
 * `node dist/lab/cli.js check-peer`).
 */
export const PEER_NAMES = ['django', 'node-http', 'uws-bare'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

/** Whether a name is a peer's. */
export function isPeerName(name: string): name is PeerName {
  return (PEER_NAMES as readonly string[]).includes(name);
}
