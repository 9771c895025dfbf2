import { setTimeout as sleep } from 'node:timers/promises';
import { windowBounds } from '../../src/governance/limits/limiter.ts';

/**
 * Per-minute limits count calls in calendar minutes, so calls that straddle a minute's end are counted in
 * two windows. A test that needs `ms` of calls in one window waits for the next minute when less is left.
 */
export async function inOneMinute(ms: number): Promise<void> {
  const left = windowBounds('minute', Date.now()).end - Date.now();
  if (left < ms) await sleep(left + 50);
}
