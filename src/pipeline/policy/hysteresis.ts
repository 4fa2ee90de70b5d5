/**
 * Hysteresis of one alert condition over closed windows: it fires when at least `fireAfter` of the
 * last `of` windows breached a threshold (the current one among them), and once firing it resolves
 * after `resolveAfter` clean windows in a row. One noisy window neither raises nor clears an alert.
 * The history is a bit mask (bit 0: the latest window), so `of` is at most 32.
 */
import type { HysteresisSettings } from '../../config/types.js';

export interface HysteresisTrack {
  /** Breaches of the last `of` windows, bit 0 the latest. */
  readonly history: number;
  readonly firing: boolean;
  /** Clean windows in a row while firing. */
  readonly clean: number;
}

export type Transition = 'fired' | 'resolved' | null;

export const QUIET: HysteresisTrack = { history: 0, firing: false, clean: 0 };

function popcount(bits: number): number {
  let n = 0;
  for (let v = bits >>> 0; v !== 0; v &= v - 1) n++;
  return n;
}

export function stepHysteresis(track: HysteresisTrack, breach: boolean, settings: HysteresisSettings): { track: HysteresisTrack; transition: Transition } {
  const of = Math.min(32, Math.max(1, settings.of));
  const mask = of === 32 ? 0xffffffff : (1 << of) - 1;
  const history = (((track.history << 1) | (breach ? 1 : 0)) & mask) >>> 0;
  if (!track.firing) {
    const fires = breach && popcount(history) >= settings.fireAfter;
    return { track: { history, firing: fires, clean: 0 }, transition: fires ? 'fired' : null };
  }
  const clean = breach ? 0 : track.clean + 1;
  if (clean >= settings.resolveAfter) return { track: { history, firing: false, clean: 0 }, transition: 'resolved' };
  return { track: { history, firing: true, clean }, transition: null };
}
