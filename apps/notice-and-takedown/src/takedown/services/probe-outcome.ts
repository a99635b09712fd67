/**
 * What an HTTP GET of an ad's public address says about a command. Pure: the verifier does
 * the request, this decides what it proves.
 */

export type VerifiedOutcome = 'not-found' | 'gone' | 'removal-notice' | 'restricted' | 'reinstated';
export type UnverifiedOutcome = 'still-live' | 'unreachable' | 'inconclusive';

export interface ProbeObservation {
  /** Null when no answer arrived (network error, timeout). */
  statusCode: number | null;
  /** The Location header of a redirect, as sent. */
  location: string | null;
  error: string | null;
}

export type ProbeVerdict =
  | { verified: true; outcome: VerifiedOutcome; finalUrl: string | null }
  | { verified: false; outcome: UnverifiedOutcome; finalUrl: string | null };

/** Where a redirect leads, absolute; null when the Location header is missing or not an http(s) URL. */
export function resolveRedirect(url: string, location: string | null): string | null {
  if (!location) return null;
  try {
    const target = new URL(location, url);
    return target.protocol === 'http:' || target.protocol === 'https:' ? target.toString() : null;
  } catch {
    return null;
  }
}

/** Same page, ignoring the scheme, a trailing slash, the query and the fragment (http→https is not a removal). */
function samePage(a: string, b: string): boolean {
  const key = (value: string) => {
    const parsed = new URL(value);
    return `${parsed.host.toLowerCase()}${parsed.pathname.replace(/\/+$/, '')}`;
  };
  return key(a) === key(b);
}

export function classifyProbe(kind: 'takedown' | 'reinstatement', url: string, observation: ProbeObservation): ProbeVerdict {
  const { statusCode } = observation;
  if (statusCode === null) return { verified: false, outcome: 'unreachable', finalUrl: null };
  const finalUrl = statusCode >= 300 && statusCode < 400 ? resolveRedirect(url, observation.location) : null;
  const movedAway = finalUrl !== null && !samePage(url, finalUrl);

  if (kind === 'reinstatement') {
    if (statusCode >= 200 && statusCode < 300) return { verified: true, outcome: 'reinstated', finalUrl: null };
    return { verified: false, outcome: 'inconclusive', finalUrl };
  }
  if (statusCode === 404) return { verified: true, outcome: 'not-found', finalUrl: null };
  if (statusCode === 410) return { verified: true, outcome: 'gone', finalUrl: null };
  // 451 Unavailable For Legal Reasons: the platform serves a removal notice in place of the ad.
  if (statusCode === 451) return { verified: true, outcome: 'removal-notice', finalUrl: null };
  // Restricted visibility: the ad is no longer public, only behind a login or an age gate.
  if (statusCode === 401 || statusCode === 403) return { verified: true, outcome: 'restricted', finalUrl: null };
  if (movedAway) return { verified: true, outcome: 'removal-notice', finalUrl };
  if (statusCode >= 200 && statusCode < 300) return { verified: false, outcome: 'still-live', finalUrl: null };
  return { verified: false, outcome: 'inconclusive', finalUrl };
}

/** Whether an answer means the host itself is failing (counts against its circuit breaker). */
export function isHostFailure(observation: ProbeObservation): boolean {
  return observation.statusCode === null || observation.statusCode >= 500;
}
