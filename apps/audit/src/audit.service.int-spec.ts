import { describeServiceLifecycle } from '@vigie/testing/service-lifecycle';
import { auditService } from './audit.service';

describeServiceLifecycle(auditService, 'apps/audit/src/main.ts');
