package io.vigil.detection.job;

/**
 * One rank's signals averaged over one window (NaN where nothing was measured). {@code clockEventReasons} is the OR
 * of the window's masks; {@code steps} counts the steps that ended in the window and {@code stepCostMs} is their
 * mean cost.
 */
public record RankWindow(int rank, String host, int gpu, String rack, int samples, double utilPct,
                         double smActivePct, double tensorActivePct, double smClockMHz, double powerW,
                         double powerLimitW, long clockEventReasons, double linkBps, int steps, double stepCostMs) {

    /** Where the rank runs, for messages: {@code host/gpuN}. */
    public String where() {
        return host == null ? "?" : host + (gpu >= 0 ? "/gpu" + gpu : "");
    }
}
