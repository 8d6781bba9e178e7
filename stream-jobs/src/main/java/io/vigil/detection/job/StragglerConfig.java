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
 * @param minStepDeviation   step cost over the rank's own usual, beyond the job's own change, by at least this fraction
 * @param baselineAlpha      learning rate of each rank's usual (clock, activity, step cost), per window, once the
 *                           rank has been learned for its first windows
 * @param fireWindows        K: deviant windows, among the last {@code historyWindows}, that fire an alert
 * @param historyWindows     N
 * @param resolveWindows     consecutive normal windows that resolve a firing alert (hysteresis)
 * @param hostFraction       share of a host's ranks in the job that, all deviant, make one host-level alert
 */
public record StragglerConfig(int minRanks, int warmupWindows, double zThreshold, double minClockDrop,
                              double minActivityGapPct, double minStepDeviation, double baselineAlpha, int fireWindows, int historyWindows, int resolveWindows,
                              double hostFraction) implements Serializable {

    public StragglerConfig {
        if (minRanks < 3) throw new IllegalArgumentException("straggler.min-ranks must be >= 3");
        if (fireWindows < 1 || historyWindows < fireWindows || historyWindows > 62) {
            throw new IllegalArgumentException("straggler: need 1 <= fire-windows <= history-windows <= 62");
        }
        if (resolveWindows < 1) throw new IllegalArgumentException("straggler.resolve-windows must be >= 1");
        if (hostFraction <= 0 || hostFraction > 1) throw new IllegalArgumentException("straggler.host-fraction must be in (0, 1]");
        if (baselineAlpha <= 0 || baselineAlpha > 1) throw new IllegalArgumentException("straggler.baseline-alpha must be in (0, 1]");
    }

    public static StragglerConfig defaults() {
        return new StragglerConfig(4, 10, 3.5, 0.08, 12, 0.25, 0.05, 3, 5, 5, 0.75);
    }
}
