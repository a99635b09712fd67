import fc from 'fast-check';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { phoneRegionOf, validPhoneNumber } from './phone-numbers';

/** What the library's full text parser says about the same digits. */
function fullParser(digits: string, plus: boolean, region: CountryCode): string | undefined {
  const parsed = parsePhoneNumberFromString(plus ? `+${digits}` : digits, { defaultCountry: region, extract: false });
  return parsed !== undefined && parsed.isValid() ? parsed.number : undefined;
}

describe('validPhoneNumber', () => {
  it.each<[string, boolean, CountryCode, string | undefined]>([
    ['0612345678', false, 'FR', '+33612345678'],
    ['33612345678', true, 'GB', '+33612345678'],
    ['0033612345678', false, 'FR', '+33612345678'],
    ['02079460958', false, 'GB', '+442079460958'],
    ['0612345678', false, 'GB', undefined],
    ['0612', false, 'FR', undefined],
  ])('reads %s (plus: %s) in %s', (digits, plus, region, expected) => {
    expect(validPhoneNumber(digits, plus, region)).toBe(expected);
  });

  it('agrees with the full libphonenumber parser', () => {
    const regions: CountryCode[] = ['FR', 'GB', 'BE', 'CH', 'DE', 'ES', 'IT', 'US', 'BR', 'MX', 'AR', 'RU', 'NG', 'RO'];
    fc.assert(
      fc.property(
        fc.constantFrom(...regions),
        fc.boolean(),
        fc.oneof(fc.stringMatching(/^0[1-9]\d{8}$/), fc.stringMatching(/^\d{8,13}$/), fc.stringMatching(/^00\d{9,12}$/)),
        (region, plus, digits) => validPhoneNumber(digits, plus, region) === fullParser(digits, plus, region),
      ),
      { numRuns: 3000 },
    );
  });

  it('agrees with the full parser on international numbers of every calling code', () => {
    // Exercises the compiled numbering plans: main countries of shared calling codes (+1, +7,
    // +44), non-geographic codes (+800, +882…), plans with and without type patterns.
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{3,16}$/), (digits) => validPhoneNumber(digits, true, 'FR') === fullParser(digits, true, 'FR')),
      { numRuns: 5000 },
    );
    for (const digits of ['12015550123', '16135550123', '447624123456', '441481123456', '79123456789', '77012345678', '80012345678', '882123456789', '3197010123456']) {
      expect(validPhoneNumber(digits, true, 'FR')).toBe(fullParser(digits, true, 'FR'));
    }
  });

  it('falls back to France for unknown countries', () => {
    expect(phoneRegionOf('gb')).toBe('GB');
    expect(phoneRegionOf('ZZ')).toBe('FR');
    expect(phoneRegionOf(undefined)).toBe('FR');
  });
});
