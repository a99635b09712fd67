import 'reflect-metadata';
import { runService } from '@vigie/service-kit';
import { noticeAndTakedownService } from './notice-and-takedown.service';

void runService(noticeAndTakedownService);
