import type { Outbox } from '@vigie/messaging';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { ProjectionSettingsProvider } from '../../projections/services/projection-settings';
import { AlertDispatcher } from './alert-dispatcher.service';
import type { SlaMetrics } from './sla-metrics';

/**
 * A schedule with `backlog` due rows. The batch itself is faked: each transaction "picks" up to
 * 200 of them and sends none, which is all dispatchDue looks at to go on or stop.
 */
function dispatcherOver(backlog: number, onBatch: (batch: number) => void = () => undefined) {
  let left = backlog;
  let batches = 0;
  const dataSource = {
    transaction: async <T>(): Promise<T> => {
      const picked = Math.min(200, left);
      left -= picked;
      batches++;
      onBatch(batches);
      return { picked, alerts: [] } as T;
    },
  };
  const metrics = { alertsSent: jest.fn() } as unknown as SlaMetrics;
  const dispatcher = new AlertDispatcher(
    dataSource as unknown as DataSource,
    { value: { alertsEnabled: false, alertsPollMs: 1000 } } as unknown as ProjectionSettingsProvider,
    {} as Outbox,
    { error: jest.fn() } as unknown as Logger,
    metrics,
  );
  return { dispatcher, batches: () => batches, left: () => left };
}

describe('AlertDispatcher.dispatchDue', () => {
  it('works through a backlog batch after batch until it is empty', async () => {
    const { dispatcher, batches, left } = dispatcherOver(1_000);
    await dispatcher.dispatchDue();
    expect(left()).toBe(0);
    // 5 full batches, then one that finds nothing left.
    expect(batches()).toBe(6);
  });

  it('stops between batches at shutdown, leaving the rest due', async () => {
    let shutdown: Promise<void> | undefined;
    const { dispatcher, batches, left } = dispatcherOver(1_000_000, (batch) => {
      if (batch === 3) shutdown = dispatcher.onApplicationShutdown();
    });
    await dispatcher.dispatchDue();
    await shutdown;
    expect(batches()).toBe(3);
    expect(left()).toBe(1_000_000 - 600);
  });
});
