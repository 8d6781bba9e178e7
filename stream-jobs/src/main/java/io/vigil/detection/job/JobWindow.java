package io.vigil.detection.job;

import java.util.List;

/**
 * A job's ranks over one window of event time, closed when the watermark passed its end; the input of the
 * job-level detectors. {@code decidedAt} is the event time at which, running live, the window closes: its end plus
 * the watermark's allowance for out-of-order data. Detectors stamp it on their alerts as {@code detectedAt}; it does
 * not depend on how fast a replay runs. {@code end} is set once, when the job ended or
 * went silent for good: detectors close their alerts and drop the job's state.
 *
 * @param worldSize ranks the job holds by its latest START or RESIZE event, 0 when unknown
 */
public record JobWindow(String cluster, String jobId, long windowStart, long windowEnd, long decidedAt,
                        int worldSize, List<RankWindow> ranks, End end) {

    public enum End { NONE, JOB_ENDED, SILENT }

    public String jobKey() {
        return cluster + "/" + jobId;
    }

    public boolean ended() {
        return end != End.NONE;
    }
}
