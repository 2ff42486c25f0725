/**
 * A segment sweep stopped by the server's shutdown before it reached every subject. Each subject it
 * reached has its changes stored (a subject's are applied in one write, SegmentStore.apply), the
 * others none: their stored membership is as it was, and the next sweep (the schedule's, due at
 * once when it was the one stopped) re-evaluates them. Its own class, so that the schedule records
 * no failure for it and the log says what happened.
 *
 * @example
 * try { await membership.sweep(); } catch (err) { if (err instanceof SweepStopped) log(err.message, { subjects: err.subjects }); }
 */
export class SweepStopped extends Error {
  constructor(readonly reason: string, readonly subjects: number) {
    super(`The segment sweep (reason \`${reason}\`) was stopped by the server's shutdown after ${subjects} subject${subjects === 1 ? '' : 's'}: their changes are stored, the others' stored membership is unchanged until the next sweep.`);
    this.name = 'SweepStopped';
  }
}
