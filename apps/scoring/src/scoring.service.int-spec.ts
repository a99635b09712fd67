import { describeServiceLifecycle } from '@vigie/testing/service-lifecycle';
import { scoringService } from './scoring.service';

describeServiceLifecycle(scoringService, 'apps/scoring/src/main.ts');
