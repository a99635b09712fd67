import { classifyProbe, isHostFailure, resolveRedirect } from './probe-outcome';

const url = 'https://annonces.example/rencontres/8812345';
const answer = (statusCode: number | null, location: string | null = null) => ({
  statusCode,
  location,
  error: statusCode === null ? 'unreachable: ECONNREFUSED' : null,
});

describe('verification probe outcome', () => {
  it.each([
    [404, 'not-found'],
    [410, 'gone'],
    [451, 'removal-notice'],
    [403, 'restricted'],
    [401, 'restricted'],
  ] as const)('a removal answered %i is verified (%s)', (status, outcome) => {
    expect(classifyProbe('takedown', url, answer(status))).toEqual({ verified: true, outcome, finalUrl: null });
  });

  it('a redirect to another page is a removal notice, with where it leads', () => {
    expect(classifyProbe('takedown', url, answer(302, '/annonce-retiree?id=8812345'))).toEqual({
      verified: true,
      outcome: 'removal-notice',
      finalUrl: 'https://annonces.example/annonce-retiree?id=8812345',
    });
  });

  it('a redirect to the same page (scheme, trailing slash, query) proves nothing', () => {
    for (const location of ['http://annonces.example/rencontres/8812345', `${url}/`, `${url}?ref=1`]) {
      expect(classifyProbe('takedown', url, answer(301, location))).toMatchObject({ verified: false, outcome: 'inconclusive' });
    }
  });

  it('a live page is still live, no answer is unreachable, a server error is inconclusive', () => {
    expect(classifyProbe('takedown', url, answer(200))).toEqual({ verified: false, outcome: 'still-live', finalUrl: null });
    expect(classifyProbe('takedown', url, answer(null))).toEqual({ verified: false, outcome: 'unreachable', finalUrl: null });
    expect(classifyProbe('takedown', url, answer(503))).toMatchObject({ verified: false, outcome: 'inconclusive' });
  });

  it('a reinstatement is verified by the page answering 200 again', () => {
    expect(classifyProbe('reinstatement', url, answer(200))).toEqual({ verified: true, outcome: 'reinstated', finalUrl: null });
    expect(classifyProbe('reinstatement', url, answer(404))).toMatchObject({ verified: false, outcome: 'inconclusive' });
    expect(classifyProbe('reinstatement', url, answer(null))).toMatchObject({ verified: false, outcome: 'unreachable' });
  });

  it('counts only silence and 5xx against the host', () => {
    expect(isHostFailure(answer(null))).toBe(true);
    expect(isHostFailure(answer(502))).toBe(true);
    expect(isHostFailure(answer(404))).toBe(false);
    expect(isHostFailure(answer(200))).toBe(false);
  });

  it('ignores redirects to nowhere or to other schemes', () => {
    expect(resolveRedirect(url, null)).toBeNull();
    expect(resolveRedirect(url, 'javascript:alert(1)')).toBeNull();
    expect(classifyProbe('takedown', url, answer(302, null))).toMatchObject({ verified: false, outcome: 'inconclusive' });
  });
});
