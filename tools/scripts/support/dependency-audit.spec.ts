import { readAuditOutput } from './dependency-audit';

describe('dependency audit', () => {
  it('blocks on high and critical advisories only, naming the advisory and the fix', () => {
    const outcome = readAuditOutput(
      JSON.stringify({
        auditReportVersion: 2,
        vulnerabilities: {
          'fast-xml': { name: 'fast-xml', severity: 'critical', range: '<4.2.5', via: [{ title: 'Prototype pollution', url: 'https://example.test/GHSA-1' }], fixAvailable: true },
          lodashy: { name: 'lodashy', severity: 'high', range: '*', via: ['fast-xml'], fixAvailable: { name: 'parent', version: '2.0.0' } },
          small: { name: 'small', severity: 'moderate', range: '<1.0.1', via: [{ title: 'ReDoS' }], fixAvailable: false },
        },
        metadata: { vulnerabilities: { info: 0, low: 0, moderate: 1, high: 1, critical: 1, total: 3 } },
      }),
    );
    expect(outcome.kind).toBe('report');
    if (outcome.kind !== 'report') return;
    expect(outcome.blocking.map((entry) => [entry.name, entry.severity, entry.fix])).toEqual([
      ['fast-xml', 'critical', 'npm audit fix'],
      ['lodashy', 'high', 'upgrade parent to 2.0.0'],
    ]);
    expect(outcome.blocking[0]?.advisories).toEqual(['Prototype pollution (https://example.test/GHSA-1)']);
  });

  it('passes a clean report', () => {
    expect(readAuditOutput(JSON.stringify({ auditReportVersion: 2, vulnerabilities: {}, metadata: { vulnerabilities: { total: 0 } } }))).toEqual({
      kind: 'report',
      blocking: [],
      counts: { total: 0 },
    });
  });

  it('tells an unreachable advisory endpoint apart from a clean report', () => {
    expect(readAuditOutput(JSON.stringify({ message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk', statusCode: 405 }))).toEqual({
      kind: 'unavailable',
      reason: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk',
    });
    expect(readAuditOutput('').kind).toBe('unavailable');
  });
});
