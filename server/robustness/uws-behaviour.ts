/**
 * What each uWS build the lab carries decides by itself, as measured by the robustness suite
 * (`make test-robustness` on the host's build, `make test-runtimes` on the image's). The suite
 * asserts the row of the build that loaded, so a build that changes one shows up as a failure, and
 * the README's "HTTP robustness" table is this file in prose. A build with no row fails the suite:
 * measure it, then add its row.
 */
export interface UwsBehaviour {
  /** `GET / HTTP/1.0`: answered with this status then closed, or held until the idle timeout. */
  readonly http10: 505 | 'idle-close';
  /** Each smuggling probe: uWS's own 400 then a close, or a close with no answer (the server's framing guard). */
  readonly smuggling: Readonly<Record<'CL.TE' | 'TE.CL' | 'TE obfuscated' | 'conflicting Content-Length', 400 | 'close'>>;
  /** Headers one byte a second (slowloris): closed by uWS's 10 s timeout, or held as long as bytes trickle in. */
  readonly slowloris: 'idle-close' | 'held';
  /** A client that pipelines without ever reading: every connection closed by uWS, or no longer read (some may be closed). */
  readonly slowReader: 'closed' | 'stops-reading';
}

export const UWS_BEHAVIOUR: Readonly<Record<string, UwsBehaviour>> = {
  // @btc-vision/uwebsockets.js 20.57.0 under Node 24 on glibc 2.41 (the image's build; make test-runtimes).
  '20.57': {
    http10: 505,
    smuggling: { 'CL.TE': 400, 'TE.CL': 400, 'TE obfuscated': 400, 'conflicting Content-Length': 'close' },
    slowloris: 'held',
    slowReader: 'stops-reading',
  },
  // @based/uws 6.0.1 under Node 22 (the host's build on glibc < 2.38).
  '20.51': {
    http10: 505,
    smuggling: { 'CL.TE': 400, 'TE.CL': 400, 'TE obfuscated': 400, 'conflicting Content-Length': 'close' },
    slowloris: 'idle-close',
    slowReader: 'stops-reading',
  },
};

/** The row of `release`, or an error that says how to make one. */
export function behaviourOf(release: string): UwsBehaviour {
  const row = UWS_BEHAVIOUR[release];
  if (!row) throw new Error(`no recorded robustness behaviour for uWS v${release}: run the suite, then add its row to server/robustness/uws-behaviour.ts and the README`);
  return row;
}
