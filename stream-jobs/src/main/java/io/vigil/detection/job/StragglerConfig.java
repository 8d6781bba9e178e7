package io.vigil.detection.job;

import java.io.Serializable;

/**
 * Parameters of the straggler detector.
 *
 * @param minRanks           cohorts smaller than this are not judged (a median of two says nothing)
 * @param warmupWindows      windows of a job observed before any rank is judged (start-up, warm-up)
 * @param zThreshold         robust z-score (spreads from the median) a signal must pass
 * @param minClockDrop       SM clock below the job median by at least this fraction
 * @param minActivityGapPct  SM-activity (and, at 2/3 of it, tensor-activity) gap from the median, percentage points
 * @param minStepDeviation   step cost over the rank's own baseline ratio to the median, by at least this fraction
 * @param baselineMaxSkew    how far (as a ratio) a rank's learned step baseline may drift from the median: persistent
 *                           per-rank skew up to this is learned and not alerted
 * @param baselineAlpha      learning rate of that baseline, per window
 * @param fireWindows        K: deviant windows, among the last {@code historyWindows}, that fire an alert
 * @param historyWindows     N
 * @param resolveWindows     consecutive normal windows that resolve a firing alert (hysteresis)
 * @param hostFraction       share of a host's ranks in the job that, all deviant, make one host-level alert
 */
public record StragglerConfig(int minRanks, int warmupWindows, double zThreshold, double minClockDrop,
                              double minActivityGapPct, double minStepDeviation, double baselineMaxSkew,
                              double baselineAlpha, int fireWindows, int historyWindows, int resolveWindows,
                              double hostFraction) implements Serializable {

    public StragglerConfig {
        if (minRanks < 3) throw new IllegalArgumentException("straggler.min-ranks must be >= 3");
        if (fireWindows < 1 || historyWindows < fireWindows || historyWindows > 62) {
            throw new IllegalArgumentException("straggler: need 1 <= fire-windows <= history-windows <= 62");
        }
        if (resolveWindows < 1) throw new IllegalArgumentException("straggler.resolve-windows must be >= 1");
        if (hostFraction <= 0 || hostFraction > 1) throw new IllegalArgumentException("straggler.host-fraction must be in (0, 1]");
        if (baselineMaxSkew < 1) throw new IllegalArgumentException("straggler.baseline-max-skew must be >= 1");
    }

    public static StragglerConfig defaults() {
        return new StragglerConfig(4, 10, 3.5, 0.08, 12, 0.25, 1.2, 0.05, 3, 5, 5, 0.75);
    }
}
