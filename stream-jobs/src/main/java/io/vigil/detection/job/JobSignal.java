package io.vigil.detection.job;

import io.vigil.model.GpuSample;
import io.vigil.model.JobEvent;
import io.vigil.model.StepEvent;
import java.util.List;

/**
 * What the job-level detectors need from one record, whatever its kind: a rank's GPU sample (a few signals, not
 * the whole sample, to keep the shuffle small), a rank's training step, or a change of the job's allocation.
 */
public record JobSignal(
        Kind kind,
        long ts,
        String cluster,
        String jobId,
        int rank,
        String host,
        int gpu,
        String rack,
        double utilPct,
        double smActivePct,
        double tensorActivePct,
        double smClockMHz,
        double powerW,
        double powerLimitW,
        long clockEventReasons,
        double linkBps,
        double stepCostMs,
        JobEvent.Kind jobKind,
        List<JobEvent.RankAllocation> ranks) {

    public enum Kind { SAMPLE, STEP, JOB }

    /** The key of the job-level operators: jobs are named within a cluster. */
    public String jobKey() {
        return cluster + "/" + jobId;
    }

    /** A rank's sample; null when the sample is not a whole GPU working for a known rank of a job. */
    public static JobSignal of(GpuSample s) {
        if (s.jobId() == null || s.rank() == null || s.migInstance() != null) {
            return null;
        }
        double link = nz(s.nvlinkTxBps()) + nz(s.nvlinkRxBps()) + nz(s.pcieTxBps()) + nz(s.pcieRxBps());
        boolean noLink = s.nvlinkTxBps() == null && s.nvlinkRxBps() == null && s.pcieTxBps() == null
                && s.pcieRxBps() == null;
        return new JobSignal(Kind.SAMPLE, s.ts(), s.cluster(), s.jobId(), s.rank(), s.host(), s.gpu(), s.rack(),
                nan(s.gpuUtilPct()), nan(s.smActivePct()), nan(s.tensorActivePct()), nan(s.smClockMHz()),
                nan(s.powerW()), nan(s.powerLimitW()),
                s.clockEventReasons() == null ? 0 : s.clockEventReasons(), noLink ? Double.NaN : link, Double.NaN,
                null, null);
    }

    public static JobSignal of(StepEvent e) {
        return new JobSignal(Kind.STEP, e.endTs(), e.cluster(), e.jobId(), e.rank(), e.host(),
                e.gpu() == null ? -1 : e.gpu(), null, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, 0, Double.NaN, e.costMs(), null, null);
    }

    public static JobSignal of(JobEvent e) {
        return new JobSignal(Kind.JOB, e.ts(), e.cluster(), e.jobId(), -1, null, -1, null, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, e.kind(),
                e.ranks() == null ? List.of() : List.copyOf(e.ranks()));
    }

    private static double nan(Double v) {
        return v == null ? Double.NaN : v;
    }

    private static double nz(Double v) {
        return v == null ? 0 : v;
    }
}
