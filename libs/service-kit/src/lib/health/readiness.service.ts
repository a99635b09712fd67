import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { KAFKA_CLIENT } from '../infrastructure';

export interface DependencyStatus {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: { database: DependencyStatus; kafka: DependencyStatus };
}

const checkTimeoutMs = 3000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Readiness = this process can reach both the database and the Kafka cluster right now. */
@Injectable()
export class ReadinessService implements OnApplicationShutdown {
  private admin: Admin | undefined;
  private adminConnected: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
  ) {}

  async check(): Promise<ReadinessReport> {
    const [database, kafka] = await Promise.all([
      this.probe(() => this.dataSource.query('SELECT 1'), 'database'),
      this.probe(async () => {
        this.admin ??= this.kafka.admin();
        this.adminConnected ??= this.admin.connect();
        await this.adminConnected;
        await this.admin.describeCluster();
      }, 'kafka'),
    ]);
    if (!kafka.ok) {
      // Reconnect from scratch next time instead of reusing a broken admin client.
      const stale = this.admin;
      this.admin = undefined;
      this.adminConnected = undefined;
      void stale?.disconnect().catch(() => undefined);
    }
    return { ready: database.ok && kafka.ok, checks: { database, kafka } };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }

  private async probe(run: () => Promise<unknown>, what: string): Promise<DependencyStatus> {
    const started = Date.now();
    try {
      await withTimeout(run(), checkTimeoutMs, what);
      return { ok: true, latencyMs: Date.now() - started };
    } catch (error) {
      return { ok: false, latencyMs: Date.now() - started, error: (error as Error).message };
    }
  }
}
