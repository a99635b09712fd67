import 'reflect-metadata';
import { runService } from '@vigie/service-kit';
import { ingestService } from './ingest.service';

void runService(ingestService);
