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

  it('falls back to France for unknown countries', () => {
    expect(phoneRegionOf('gb')).toBe('GB');
    expect(phoneRegionOf('ZZ')).toBe('FR');
    expect(phoneRegionOf(undefined)).toBe('FR');
  });
});
