/**
 * Grouping in the manner of Alertmanager: the alerts of a model version are notified per group (one
 * group per alert kind), and a group is notified as a whole. A new group waits `waitMs` before its
 * first notification (to gather the alerts that arrive together), then waits `intervalMs` between
 * notifications about changes (an alert new, escalated or resolved), and repeats an unchanged group
 * of firing alerts every `repeatMs`. Time is event time: the end of the window being evaluated.
 */
import type { GroupingSettings } from '../../config/types.js';
import type { AlertKind } from '../../contracts/records.js';

export interface GroupState {
  readonly kind: AlertKind;
  /** When the group got its first alert (the group wait counts from here). */
  readonly since: number;
  /** When the group was last notified; null before its first notification. */
  readonly lastFlushAt: number | null;
}

export interface GroupActivity {
  /** Visible firing alerts in the group. */
  readonly firing: number;
  /** Firing alerts not notified at their current severity, plus resolved ones not notified yet. */
  readonly changes: number;
}

/** Whether the group is notified at `now`. */
export function groupDue(group: GroupState, activity: GroupActivity, now: number, settings: GroupingSettings): boolean {
  if (group.lastFlushAt === null) return activity.changes > 0 && now - group.since >= settings.waitMs;
  if (activity.changes > 0) return now - group.lastFlushAt >= settings.intervalMs;
  return activity.firing > 0 && now - group.lastFlushAt >= settings.repeatMs;
}
