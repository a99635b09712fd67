import { describeServiceLifecycle } from '@vigie/testing/service-lifecycle';
import { ingestService } from './ingest.service';

describeServiceLifecycle(ingestService, 'apps/ingest/src/main.ts');
