import fc from 'fast-check';
import { EMAIL_PATTERN, HTTP_URL_PATTERN } from './patterns';

/** The patterns as they were written first: same languages, but backtracking in quadratic time. */
const QUADRATIC_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const QUADRATIC_URL = /^https?:\/\/[^\s/?#]+[^\s]*$/;
const email = new RegExp(EMAIL_PATTERN);
const url = new RegExp(HTTP_URL_PATTERN);

/** Short strings over the characters the patterns care about, where every case shows. */
const tricky = fc.array(fc.constantFrom('a', 'b', '.', '@', ' ', '/', '?', '#', '\t', 'é'), { maxLength: 10 }).map((chars) => chars.join(''));

describe('EMAIL_PATTERN and HTTP_URL_PATTERN', () => {
  it('accept exactly what the first patterns accepted', () => {
    fc.assert(
      fc.property(tricky, tricky, (head, tail) => {
        for (const candidate of [head, `${head}@${tail}`, `a@${head}.${tail}`]) expect(email.test(candidate)).toBe(QUADRATIC_EMAIL.test(candidate));
        for (const candidate of [`http://${head}`, `https://${head}${tail}`, head]) expect(url.test(candidate)).toBe(QUADRATIC_URL.test(candidate));
      }),
      { numRuns: 5_000 },
    );
  });

  it('keep their usual answers', () => {
    expect(email.test('someone@example.org')).toBe(true);
    expect(email.test('a@b.c')).toBe(true);
    expect(email.test('a@bc')).toBe(false);
    expect(email.test('a@b.')).toBe(false);
    expect(email.test('a b@c.d')).toBe(false);
    expect(url.test('https://annonces.example/ad/1?x=2#top')).toBe(true);
    expect(url.test('https:///path')).toBe(false);
    expect(url.test('ftp://host')).toBe(false);
  });

  // Not a speed target: a guard against the quadratic forms coming back. They take minutes on
  // these strings (450 ms at 20,000 characters, growing with the square); the linear ones, about
  // a millisecond.
  it('reject a million-character near miss at once', () => {
    const started = Date.now();
    expect(email.test(`a@${'.'.repeat(1_000_000)}@`)).toBe(false);
    expect(email.test(`a@b.${'x'.repeat(1_000_000)}@`)).toBe(false);
    expect(url.test(`http://${'a'.repeat(1_000_000)} `)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
