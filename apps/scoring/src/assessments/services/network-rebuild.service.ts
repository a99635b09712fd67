import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NetworkState } from './network-state.service';

interface WindowRow {
  platform_id: string;
  ad_id: string;
  title: string;
  body: string;
  contacts: string[];
  names: string[];
  city: string | null;
  received_at: Date;
  /** `received_at` at full precision (microseconds), for the keyset: a Date keeps milliseconds. */
  cursor_at: string;
}

/** Assessments read per query: a week of a large platform is millions of ads of up to 40,000 characters. */
export const REBUILD_PAGE_SIZE = 10_000;

/**
 * The network state lives in memory; at start it is rebuilt from the assessments still
 * inside the contact window, in business-time order, so a restart loses no signal. The rows
 * are read a page at a time (keyset on time, platform and ad): the window read whole held
 * every ad's text at once, gigabytes before the first batch.
 */
@Injectable()
export class NetworkRebuild implements OnApplicationBootstrap {
  constructor(
    private readonly dataSource: DataSource,
    private readonly network: NetworkState,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.rebuild();
    this.network.markLoaded('recent-ads');
  }

  /** Observes every ad of the window again; returns how many. */
  async rebuild(pageSize = REBUILD_PAGE_SIZE): Promise<number> {
    const since = new Date(Date.now() - this.network.contacts.windowMs);
    let after: { at: string; platformId: string; adId: string } | null = null;
    let observed = 0;
    for (;;) {
      const rows: WindowRow[] = await this.dataSource.query(
        `SELECT platform_id, ad_id, title, body, contacts, names, city, received_at, received_at::text AS cursor_at
           FROM scoring.assessments
          WHERE received_at >= $1 AND NOT removed
            AND ($2::timestamptz IS NULL OR (received_at, platform_id, ad_id) > ($2, $3, $4))
          ORDER BY received_at, platform_id, ad_id
          LIMIT $5`,
        [since, after?.at ?? null, after?.platformId ?? null, after?.adId ?? null, pageSize],
      );
      for (const row of rows) {
        this.network.observe({
          adKey: `${row.platform_id}:${row.ad_id}`,
          text: `${row.title}\n${row.body}`,
          contacts: row.contacts,
          names: row.names,
          city: row.city ?? undefined,
          at: row.received_at.getTime(),
          images: [],
        });
      }
      observed += rows.length;
      if (rows.length < pageSize) return observed;
      const last = rows[rows.length - 1];
      after = { at: last.cursor_at, platformId: last.platform_id, adId: last.ad_id };
    }
  }
}
