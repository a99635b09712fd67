import 'reflect-metadata';
import { runService } from '@vigie/service-kit';
import { auditService } from './audit.service';

void runService(auditService);
