import 'reflect-metadata';
import { runService } from '@vigie/service-kit';
import { scoringService } from './scoring.service';

void runService(scoringService);
