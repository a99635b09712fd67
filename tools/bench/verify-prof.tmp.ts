import { Pool } from 'pg';
import { verifyAuditLog } from '../../apps/audit/src/verification/services/log-verifier';
(async () => {
  const pool = new Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/vigie_bench_audit_238570', max: 3 });
  for (let i = 0; i < 4; i++) {
    const report = await verifyAuditLog(async (sql, params) => (await pool.query(sql, params)).rows);
    console.log(report.ok, report.records, report.durationMs, report.recordsPerSec);
  }
  await pool.end();
})();
