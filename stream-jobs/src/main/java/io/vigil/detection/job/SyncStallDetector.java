package io.vigil.detection.job;

import io.vigil.detection.alert.Episode;
import io.vigil.detection.alert.KeyedDetector;
import io.vigil.detection.alert.Alerts;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.Collector;

/**
 * Synchronization-stall detector, keyed by job, fed one {@link JobWindow} per window. A job is paused in a window
 * when nearly all its reporting ranks draw near-idle power with no tensor activity and no NVLink/PCIe traffic —
 * utilisation is not used to decide, because ranks spinning in a collective read ~100%. A pause longer than the
 * job's own normal pauses (learned from the pauses it came back from; spinning and idle pauses apart) fires one
 * SYNC_STALL alert naming the duration and the odd rank out: the one idle while the others spin, or still
 * computing, is the likely culprit. The alert resolves when activity returns, or the job ends.
 */
public final class SyncStallDetector extends KeyedDetector<String, JobWindow, SyncStallDetector.StallState> {

    public static final class StallState {
        public long pauseStartMs = Long.MIN_VALUE;
        public long lastPausedEndMs;
        public boolean spinning;
        public int activeRun;
        /** The job's stall alert: open or not, its origin stream's sequence (its start is the pause's). */
        public Episode episode = new Episode();
        public ArrayDeque<Long> spinningPausesMs = new ArrayDeque<>();
        public ArrayDeque<Long> idlePausesMs = new ArrayDeque<>();
        public int oddRank = -1;
        public String oddWhere;
        public String oddHost;
        public int oddGpu = -1;
    }

    private static final int REMEMBERED_PAUSES = 8;

    private final SyncStallConfig config;

    public SyncStallDetector(SyncStallConfig config) {
        super("sync-stall", StallState.class);
        this.config = config;
    }

    @Override
    public void processElement(JobWindow w, Context ctx, Collector<AlertEvent> out) throws Exception {
        StallState st = load();
        if (w.ended()) {
            if (st != null && st.episode.close()) {
                out.collect(resolved(w, st, w.end() == JobWindow.End.JOB_ENDED ? "job ended" : "job stopped reporting"));
            }
            drop();
            return;
        }
        if (st == null) {
            st = new StallState();
        }
        List<RankWindow> present = new ArrayList<>();
        for (RankWindow r : w.ranks()) {
            if (r.samples() > 0) present.add(r);
        }
        if (present.size() < 2 || (w.worldSize() > 0 && present.size() * 2 < w.worldSize())) {
            save(st); // too few ranks report to judge the job: the silence detector's case
            return;
        }
        int paused = 0;
        double[] util = new double[present.size()];
        double[] tensor = new double[present.size()];
        double[] power = new double[present.size()];
        int nu = 0, nt = 0, np = 0;
        for (RankWindow r : present) {
            if (isPaused(r)) paused++;
            if (!Double.isNaN(r.utilPct())) util[nu++] = r.utilPct();
            if (!Double.isNaN(r.tensorActivePct())) tensor[nt++] = r.tensorActivePct();
            if (!Double.isNaN(r.powerW())) power[np++] = r.powerW();
        }
        RobustStats u = RobustStats.of(util, nu, 0, 1);
        RobustStats te = RobustStats.of(tensor, nt, 0, 1);
        RobustStats pw = RobustStats.of(power, np, 0, 1);
        boolean jobPaused = paused >= Math.ceil(config.stallFraction() * present.size());

        if (jobPaused) {
            st.activeRun = 0;
            if (st.pauseStartMs == Long.MIN_VALUE) {
                st.pauseStartMs = w.windowStart();
                st.spinning = false;
            }
            st.lastPausedEndMs = w.windowEnd();
            st.spinning |= nu > 0 && u.median >= config.spinningUtilPct();
            oddRankOut(present, u, te, st);
            long duration = w.windowEnd() - st.pauseStartMs;
            long threshold = thresholdMs(st);
            if (!st.episode.firing && duration >= threshold) {
                st.episode.fireNow(st.pauseStartMs);
                out.collect(firing(w, st, duration, threshold, paused, present.size(), u, pw));
            }
        } else if (st.pauseStartMs != Long.MIN_VALUE) {
            st.activeRun++;
            if (st.activeRun >= config.resumeWindows()) {
                long duration = st.lastPausedEndMs - st.pauseStartMs;
                if (st.episode.close()) {
                    out.collect(resolved(w, st, String.format("activity back after %.0f s", duration / 1000.0)));
                } else {
                    // A pause the job came back from on its own: part of its normal rhythm.
                    ArrayDeque<Long> history = st.spinning ? st.spinningPausesMs : st.idlePausesMs;
                    history.addLast(duration);
                    while (history.size() > REMEMBERED_PAUSES) history.removeFirst();
                }
                st.pauseStartMs = Long.MIN_VALUE;
                st.oddRank = -1;
                st.oddWhere = null;
                st.oddHost = null;
                st.oddGpu = -1;
            }
        }
        save(st);
    }

    private boolean isPaused(RankWindow r) {
        double limit = Double.isNaN(r.powerLimitW()) ? 700 : r.powerLimitW();
        boolean lowPower = Double.isNaN(r.powerW()) || r.powerW() <= config.pausedPowerFraction() * limit;
        boolean noTensor = Double.isNaN(r.tensorActivePct()) ? !Double.isNaN(r.smActivePct())
                && r.smActivePct() <= config.maxTensorPct() : r.tensorActivePct() <= config.maxTensorPct();
        boolean noTraffic = Double.isNaN(r.linkBps()) || r.linkBps() <= config.maxLinkBps();
        return lowPower && noTensor && noTraffic && !(Double.isNaN(r.powerW()) && Double.isNaN(r.tensorActivePct()));
    }

    long thresholdMs(StallState st) {
        ArrayDeque<Long> history = st.spinning ? st.spinningPausesMs : st.idlePausesMs;
        long learned = (long) (config.learnedFactor() * history.stream().mapToLong(Long::longValue).max().orElse(0));
        long min = (st.spinning ? config.minSpinningStall() : config.minIdleStall()).toMillis();
        return Math.min(config.maxStall().toMillis(), Math.max(min, learned));
    }

    /** The rank that behaves unlike the rest in a stalled job: idle among spinners, or still computing. */
    private void oddRankOut(List<RankWindow> present, RobustStats u, RobustStats te, StallState st) {
        RankWindow odd = null;
        double worst = 0;
        for (RankWindow r : present) {
            double score = 0;
            if (!Double.isNaN(r.utilPct()) && Math.abs(r.utilPct() - u.median) >= 50) {
                score = Math.abs(r.utilPct() - u.median);
            }
            if (!Double.isNaN(r.tensorActivePct()) && te.median <= config.maxTensorPct() && r.tensorActivePct() >= 20) {
                score = Math.max(score, 100 + r.tensorActivePct());
            }
            if (score > worst) {
                worst = score;
                odd = r;
            }
        }
        if (odd != null) {
            st.oddRank = odd.rank();
            st.oddHost = odd.host();
            st.oddGpu = odd.gpu();
            st.oddWhere = odd.where() + String.format(" (util %.0f%%, tensor %.0f%%)", odd.utilPct(),
                    odd.tensorActivePct());
        }
    }

    private AlertEvent firing(JobWindow w, StallState st, long durationMs, long thresholdMs, int paused, int ranks,
                              RobustStats u, RobustStats pw) {
        long normal = (st.spinning ? st.spinningPausesMs : st.idlePausesMs).stream().mapToLong(Long::longValue)
                .max().orElse(0);
        String culprit = st.oddRank >= 0
                ? String.format("; odd rank out: rank %d on %s, the likely culprit", st.oddRank, st.oddWhere)
                : "; no odd rank out";
        // Exact counts: of the ranks that reported in the window, and of the job's world size when it is known.
        String of = w.worldSize() > ranks ? String.format("%d of the %d reporting ranks (job of %d)", paused, ranks,
                w.worldSize()) : String.format("%d of %d ranks", paused, ranks);
        String summary = String.format("%s stalled for %.0f s (%s; threshold %.0f s%s): %s at %.0f%% "
                        + "utilisation, %.0f W, no tensor or NVLink/PCIe traffic%s", w.jobId(), durationMs / 1000.0,
                st.spinning ? "ranks spinning in a collective" : "ranks idle",
                thresholdMs / 1000.0, normal > 0 ? String.format(", normal pauses up to %.0f s", normal / 1000.0) : "",
                of, u.median, pw.median, culprit);
        Map<String, Double> evidence = Alerts.evidence("stallSeconds", durationMs / 1000.0,
                "thresholdSeconds", thresholdMs / 1000.0, "normalPauseSeconds", normal > 0 ? normal / 1000.0 : null,
                "pausedRanks", (double) paused, "ranks", (double) ranks,
                "worldSize", w.worldSize() > 0 ? (double) w.worldSize() : null, "medianUtilPct", u.median,
                "medianPowerW", pw.median, "oddRank", st.oddRank >= 0 ? (double) st.oddRank : null);
        return Alerts.event(AlertType.SYNC_STALL, AlertEvent.Severity.CRITICAL, AlertEvent.State.FIRING, identity(w),
                extra(st), st.pauseStartMs, null, w.decidedAt(), summary, evidence, st.episode.nextOrigin(origin(w)));
    }

    private AlertEvent resolved(JobWindow w, StallState st, String why) {
        return Alerts.event(AlertType.SYNC_STALL, AlertEvent.Severity.CRITICAL, AlertEvent.State.RESOLVED, identity(w),
                extra(st), st.pauseStartMs, w.windowEnd(), w.decidedAt(), w.jobId() + ": " + why, Map.of(), 
                st.episode.nextOrigin(origin(w)));
    }

    private static Map<String, String> identity(JobWindow w) {
        return Alerts.labels("cluster", w.cluster(), "job", w.jobId());
    }

    private static Map<String, String> extra(StallState st) {
        if (st.oddRank < 0) return Map.of();
        return Alerts.labels("rank", String.valueOf(st.oddRank), "host", st.oddHost,
                "gpu", st.oddGpu < 0 ? null : String.valueOf(st.oddGpu));
    }

    private static String origin(JobWindow w) {
        return "detector-stall:" + w.jobKey();
    }
}
