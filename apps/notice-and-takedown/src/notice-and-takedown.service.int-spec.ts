import { describeServiceLifecycle } from '@vigie/testing/service-lifecycle';
import { noticeAndTakedownService } from './notice-and-takedown.service';

describeServiceLifecycle(noticeAndTakedownService, 'apps/notice-and-takedown/src/main.ts');
