package io.vigil.detection.job;

import static io.vigil.detection.job.StragglerDetector.CLOCK_LEARNING;
import static io.vigil.detection.job.StragglerDetector.RANK_WARMUP_WINDOWS;
import static io.vigil.detection.job.StragglerDetector.SETTLE_WINDOWS;

import io.vigil.detection.job.StragglerDetector.RankTrack;

/**
 * A rank's own usual, as the straggler detector learns it: its clock as a share of the job's, its SM and tensor
 * activity, its step cost. The first windows set each by their median, later ones move it slowly; the clock and
 * activity are learned from the window {@link StragglerDetector#SETTLE_WINDOWS} back, once it is as far from a
 * job-wide transition after it as before.
 */
final class RankBaseline {

    private RankBaseline() {}

    /** Keeps this window's clock and activity in the rank's ring of recent windows. */
    static void remember(RankWindow r, RankTrack t, boolean clean, double jobClock) {
        // A rank idle while its job computes (joining late, or hung) teaches nothing about its usual pace.
        boolean idle = !Double.isNaN(r.smActivePct()) ? r.smActivePct() < 5
                : !Double.isNaN(r.tensorActivePct()) && r.tensorActivePct() < 5;
        int slot = (int) (t.recentCount % (SETTLE_WINDOWS + 1)) * 4;
        t.recent[slot] = jobClock > 0 ? r.smClockMHz() / jobClock : Double.NaN;
        t.recent[slot + 1] = r.smActivePct();
        t.recent[slot + 2] = r.tensorActivePct();
        t.recent[slot + 3] = clean && !idle ? 1 : 0;
        t.recentCount++;
    }

    /** Where the oldest window of the ring starts (SETTLE_WINDOWS before the newest, once the ring is full). */
    static int oldest(RankTrack t) {
        return (int) (t.recentCount % (SETTLE_WINDOWS + 1)) * 4;
    }

    /**
     * Moves the rank's usual towards the window {@link StragglerDetector#SETTLE_WINDOWS} back (when {@code settled}),
     * and its step usual towards this window's steps: fast while the rank is new, slowly after.
     */
    static void learn(RankWindow r, RankTrack t, boolean settled, double alpha) {
        int o = oldest(t);
        if (settled && t.recent[o + 3] == 1) {
            // The first windows set the usual by their median, so that one or two odd ones among them (a worker
            // running with the other group for a second) do not become part of it; after that it moves slowly.
            if (t.clockLearned < RANK_WARMUP_WINDOWS) {
                t.warm[t.clockLearned] = t.recent[o];
                t.clockShare = median(t.warm, 0, t.clockLearned + 1);
            } else {
                // Slowly: a clock that declines over minutes (a fan failing, a power cap lowered step by step) is a
                // straggler in the making, not the rank's new usual.
                t.clockShare = ewma(t.clockShare, t.recent[o], alpha * CLOCK_LEARNING);
            }
            t.clockLearned++;
            if (t.learned < RANK_WARMUP_WINDOWS) {
                t.warm[RANK_WARMUP_WINDOWS + t.learned] = t.recent[o + 1];
                t.warm[2 * RANK_WARMUP_WINDOWS + t.learned] = t.recent[o + 2];
                t.baseSm = median(t.warm, RANK_WARMUP_WINDOWS, t.learned + 1);
                t.baseTensor = median(t.warm, 2 * RANK_WARMUP_WINDOWS, t.learned + 1);
            } else {
                t.baseSm = ewma(t.baseSm, t.recent[o + 1], alpha);
                t.baseTensor = ewma(t.baseTensor, t.recent[o + 2], alpha);
            }
            t.learned++;
        }
        if (!Double.isNaN(r.stepCostMs())) {
            // The same for steps: a worker of the slow group that runs a few steps with the fast one while it is
            // being learned must not pull its usual down by a fifth, or its next ordinary step reads as a straggler.
            if (t.stepLearned < RANK_WARMUP_WINDOWS) {
                if (t.warmStep == null) t.warmStep = new double[RANK_WARMUP_WINDOWS];
                t.warmStep[t.stepLearned] = r.stepCostMs();
                t.baseStep = median(t.warmStep, 0, t.stepLearned + 1);
            } else {
                t.baseStep = ewma(t.baseStep, r.stepCostMs(), alpha);
            }
            t.stepLearned++;
        }
    }

    /** The median of the {@code n} values from {@code from} that are not NaN; NaN if there is none. */
    static double median(double[] values, int from, int n) {
        double[] v = new double[n];
        int m = 0;
        for (int i = from; i < from + n; i++) if (!Double.isNaN(values[i])) v[m++] = values[i];
        if (m == 0) return Double.NaN;
        java.util.Arrays.sort(v, 0, m);
        return m % 2 == 1 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
    }

    static double ewma(double base, double value, double a) {
        if (Double.isNaN(value)) return base;
        if (Double.isNaN(base) || a >= 1) return value;
        return base + a * (value - base);
    }

    /** A firing rank after a new phase: its activity usual is learned again, its clock and step usual kept. */
    static void relearnActivity(RankTrack t) {
        int o = oldest(t);
        if (t.recent[o + 3] == 1 && t.learned < RANK_WARMUP_WINDOWS) {
            t.warm[RANK_WARMUP_WINDOWS + t.learned] = t.recent[o + 1];
            t.warm[2 * RANK_WARMUP_WINDOWS + t.learned] = t.recent[o + 2];
            t.learned++;
            if (t.learned == RANK_WARMUP_WINDOWS) {
                t.baseSm = median(t.warm, RANK_WARMUP_WINDOWS, t.learned);
                t.baseTensor = median(t.warm, 2 * RANK_WARMUP_WINDOWS, t.learned);
            }
        }
    }
}
