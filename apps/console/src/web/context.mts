import type { Identity } from './api.mjs';

/** What every page is rendered with. */
export interface Context {
  identity: Identity;
  main: HTMLElement;
  navigate(hash: string): void;
  /** Timers a page starts (countdowns, polling); cleared when another page is shown. */
  timers: number[];
}
