import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NetworkState } from './network-state.service';

/**
 * The network state lives in memory; at start it is rebuilt from the assessments still
 * inside the contact window, in business-time order, so a restart loses no signal.
 */
@Injectable()
export class NetworkRebuild implements OnApplicationBootstrap {
  constructor(
    private readonly dataSource: DataSource,
    private readonly network: NetworkState,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const since = new Date(Date.now() - this.network.contacts.windowMs);
    const rows: { platform_id: string; ad_id: string; title: string; body: string; contacts: string[]; names: string[]; city: string | null; received_at: Date }[] =
      await this.dataSource.query(
        `SELECT platform_id, ad_id, title, body, contacts, names, city, received_at
           FROM scoring.assessments WHERE received_at >= $1 AND NOT removed ORDER BY received_at`,
        [since],
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
  }
}
