package io.vigil.detection.job;

import io.vigil.detection.alert.Alerts;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.ClockEventReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Straggler detector, keyed by job, fed one {@link JobWindow} per window. In each window every rank is compared
 * with the job's cohort by median and MAD ({@link RobustStats}) on SM clock, SM and tensor activity, and step cost
 * when step events come in; a rank deviant in K of the last N windows fires one STRAGGLER alert naming job, rank,
 * host and GPU, the signals with their magnitude, and an estimate of the job's slowdown. When most of one host's
 * ranks deviate together, one host-level alert replaces theirs (NIC, CPU, PCIe: the host, not the GPU).
 *
 * <p>A slowdown of the whole job moves the median with it and alerts nobody; a checkpoint pauses every rank at
 * once, likewise. Persistent per-rank skew in step cost (a slower input shard, a slower GPU bin) is learned as the
 * rank's own baseline, within {@link StragglerConfig#baselineMaxSkew()}, so only a change alerts. A rank that stops
 * reporting is not a straggler: absence is the silence detector's. State is one small record per rank of a job, and
 * goes with the job's end window.
 */
public final class StragglerDetector extends KeyedProcessFunction<String, JobWindow, AlertEvent> {

    /** One rank's track record. */
    public static final class RankTrack {
        public long history;
        public int normalRun;
        public int absentWindows;
        public boolean firing;
        public long startMs;
        public long firstDeviantMs;
        public double baseline = 1.0;
        public int deferred;
        public long seq;
        public String host;
        public int gpu = -1;
        public String rack;
    }

    /** A host whose ranks straggle together. */
    public static final class HostTrack {
        public boolean firing;
        public long startMs;
        public int normalRun;
        public long seq;
        public String rack;
        public String ranks;
    }

    public static final class JobState {
        public int windowsSeen;
        public HashMap<Integer, RankTrack> ranks = new HashMap<>();
        public HashMap<String, HostTrack> hosts = new HashMap<>();
    }

    private static final long THROTTLE_MASK = ClockEventReason.THERMAL_MASK | 0x8L | 0x80L | 0x4L;

    private final StragglerConfig config;
    private transient ValueState<JobState> state;

    public StragglerDetector(StragglerConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("straggler", JobState.class));
    }

    /** One window's cohort statistics. */
    private record Cohort(RobustStats clock, RobustStats sm, RobustStats tensor, RobustStats power, RobustStats step) {}

    /** What one rank's window says. */
    private record Verdict(RankWindow r, boolean deviant, boolean clockDev, boolean activityDev, boolean stepDev,
                           double stepRatio, double adjustedStep) {}

    @Override
    public void processElement(JobWindow w, Context ctx, Collector<AlertEvent> out) throws Exception {
        JobState current = state.value();
        if (w.ended()) {
            JobState st = current;
            if (st != null) {
                String why = w.end() == JobWindow.End.JOB_ENDED ? "job ended" : "job stopped reporting";
                st.ranks.forEach((rank, t) -> {
                    if (t.firing) out.collect(resolved(w, rank, t, why));
                });
                st.hosts.forEach((host, h) -> {
                    if (h.firing) out.collect(hostResolved(w, host, h, why));
                });
            }
            state.clear();
            return;
        }
        final JobState st = current == null ? new JobState() : current;
        st.windowsSeen++;
        List<RankWindow> present = new ArrayList<>();
        for (RankWindow r : w.ranks()) {
            if (r.samples() > 0 || r.steps() > 0) present.add(r);
        }
        Cohort c = cohort(present);
        // A job that is not computing (checkpoint, evaluation, a stall) has no pace to fall behind.
        boolean computing = c.step().count >= config.minRanks()
                || (c.sm().count > 0 && c.sm().median >= 5) || (c.tensor().count > 0 && c.tensor().median >= 5);
        boolean judged = present.size() >= config.minRanks() && st.windowsSeen > config.warmupWindows() && computing;
        if (!computing && st.windowsSeen > config.warmupWindows()) {
            // A pause (checkpoint, evaluation, stall) says nothing about pace: open alerts neither resolve nor grow.
            state.update(st);
            return;
        }

        Map<Integer, Verdict> verdicts = new HashMap<>();
        for (RankWindow r : present) {
            RankTrack t = st.ranks.computeIfAbsent(r.rank(), k -> new RankTrack());
            if (r.host() != null) t.host = r.host();
            if (r.gpu() >= 0) t.gpu = r.gpu();
            if (r.rack() != null) t.rack = r.rack();
            t.absentWindows = 0;
            Verdict v = judge(r, c, t, judged && present.size() >= config.minRanks());
            verdicts.put(r.rank(), v);
            long before = t.history;
            t.history = ((t.history << 1) | (v.deviant() ? 1 : 0)) & ((1L << config.historyWindows()) - 1);
            if (v.deviant() && before == 0) t.firstDeviantMs = w.windowStart();
            t.normalRun = v.deviant() ? 0 : t.normalRun + 1;
            if (!v.deviant() && !t.firing && !Double.isNaN(v.stepRatio())) {
                t.baseline += config.baselineAlpha() * (v.stepRatio() - t.baseline);
                t.baseline = Math.max(1 / config.baselineMaxSkew(), Math.min(config.baselineMaxSkew(), t.baseline));
            }
        }

        // Host level first: a host whose ranks straggle together is one finding, not eight.
        Map<String, List<RankWindow>> byHost = new LinkedHashMap<>();
        for (RankWindow r : present) {
            if (r.host() != null) byHost.computeIfAbsent(r.host(), h -> new ArrayList<>()).add(r);
        }
        java.util.Set<String> hostsCovering = new java.util.HashSet<>();
        java.util.Set<String> hostsForming = new java.util.HashSet<>();
        for (Map.Entry<String, List<RankWindow>> e : byHost.entrySet()) {
            List<RankWindow> rs = e.getValue();
            if (rs.size() < 2) continue;
            int candidates = 0, deviantNow = 0;
            for (RankWindow r : rs) {
                RankTrack t = st.ranks.get(r.rank());
                if (Long.bitCount(t.history) >= config.fireWindows()) candidates++;
                if (verdicts.get(r.rank()).deviant()) deviantNow++;
            }
            if (deviantNow >= 2) hostsForming.add(e.getKey());
            HostTrack h = st.hosts.get(e.getKey());
            boolean hostWide = candidates >= Math.ceil(config.hostFraction() * rs.size());
            if (h == null && hostWide) {
                h = new HostTrack();
                st.hosts.put(e.getKey(), h);
            }
            if (h == null) continue;
            if (!h.firing && hostWide) {
                h.firing = true;
                h.normalRun = 0;
                h.startMs = rs.stream().mapToLong(r -> st.ranks.get(r.rank()).firstDeviantMs).min().orElse(w.windowStart());
                h.rack = rs.get(0).rack();
                h.ranks = rs.stream().map(r -> String.valueOf(r.rank())).reduce((a, b) -> a + "," + b).orElse("");
                out.collect(hostFiring(w, e.getKey(), h, rs, verdicts, c));
            } else if (h.firing) {
                h.normalRun = deviantNow >= Math.ceil(config.hostFraction() * rs.size()) ? 0 : h.normalRun + 1;
                if (h.normalRun >= config.resolveWindows()) {
                    out.collect(hostResolved(w, e.getKey(), h, "host back in step with the job"));
                    st.hosts.remove(e.getKey());
                }
            }
            if (h.firing) hostsCovering.add(e.getKey());
        }

        for (RankWindow r : present) {
            RankTrack t = st.ranks.get(r.rank());
            boolean candidate = !t.firing && Long.bitCount(t.history) >= config.fireWindows()
                    && !hostsCovering.contains(r.host());
            // Several ranks of one host deviating together may be the host: wait a little for the host-level call.
            if (candidate && hostsForming.contains(r.host()) && t.deferred < config.historyWindows()) {
                t.deferred++;
                candidate = false;
            }
            if (candidate) {
                t.firing = true;
                t.deferred = 0;
                t.startMs = t.firstDeviantMs;
                out.collect(firing(w, r, t, verdicts.get(r.rank()), c));
            } else if (t.firing && t.normalRun >= config.resolveWindows()) {
                out.collect(resolved(w, r.rank(), t, "back in step with the job"));
                t.firing = false;
                t.history = 0;
            }
        }

        // Ranks that stopped reporting: not stragglers; forget them after a while.
        Iterator<Map.Entry<Integer, RankTrack>> it = st.ranks.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Integer, RankTrack> e = it.next();
            RankTrack t = e.getValue();
            if (verdicts.containsKey(e.getKey())) continue;
            t.absentWindows++;
            if (t.firing && t.absentWindows >= 6 * config.resolveWindows()) {
                out.collect(resolved(w, e.getKey(), t, "rank stopped reporting"));
                t.firing = false;
            }
            if (!t.firing && t.absentWindows >= 12 * config.resolveWindows()) {
                it.remove();
            }
        }
        state.update(st);
    }

    private Cohort cohort(List<RankWindow> present) {
        int n = present.size();
        double[] clock = new double[n], sm = new double[n], tensor = new double[n], power = new double[n],
                step = new double[n];
        int nc = 0, ns = 0, nt = 0, np = 0, nst = 0;
        for (RankWindow r : present) {
            if (!Double.isNaN(r.smClockMHz())) clock[nc++] = r.smClockMHz();
            if (!Double.isNaN(r.smActivePct())) sm[ns++] = r.smActivePct();
            if (!Double.isNaN(r.tensorActivePct())) tensor[nt++] = r.tensorActivePct();
            if (!Double.isNaN(r.powerW())) power[np++] = r.powerW();
            if (!Double.isNaN(r.stepCostMs())) step[nst++] = r.stepCostMs();
        }
        return new Cohort(RobustStats.of(clock, nc, 0.01, 5), RobustStats.of(sm, ns, 0, 1.5),
                RobustStats.of(tensor, nt, 0, 1.5), RobustStats.of(power, np, 0.02, 5),
                RobustStats.of(step, nst, 0.02, 1e-6));
    }

    private Verdict judge(RankWindow r, Cohort c, RankTrack t, boolean judged) {
        boolean clockDev = false, activityDev = false, stepDev = false;
        double ratio = Double.NaN, adjusted = Double.NaN;
        int min = config.minRanks();
        if (c.step().count >= min && !Double.isNaN(r.stepCostMs()) && c.step().median > 0) {
            ratio = r.stepCostMs() / c.step().median;
            adjusted = ratio / t.baseline;
            double z = (r.stepCostMs() - c.step().median * t.baseline) / c.step().sigma;
            stepDev = adjusted - 1 >= config.minStepDeviation() && z >= config.zThreshold();
        }
        if (c.clock().count >= min && !Double.isNaN(r.smClockMHz()) && c.clock().median > 0) {
            double drop = 1 - r.smClockMHz() / c.clock().median;
            clockDev = drop >= config.minClockDrop() && c.clock().z(r.smClockMHz()) <= -config.zThreshold();
        }
        if (c.sm().count >= min && c.tensor().count >= min && !Double.isNaN(r.smActivePct())
                && !Double.isNaN(r.tensorActivePct())) {
            double smGap = r.smActivePct() - c.sm().median;
            double tGap = r.tensorActivePct() - c.tensor().median;
            activityDev = Math.abs(smGap) >= config.minActivityGapPct()
                    && Math.abs(c.sm().z(r.smActivePct())) >= config.zThreshold()
                    && Math.signum(tGap) == Math.signum(smGap)
                    && Math.abs(tGap) >= config.minActivityGapPct() * 2 / 3
                    && Math.abs(c.tensor().z(r.tensorActivePct())) >= config.zThreshold();
        }
        boolean deviant = judged && (clockDev || activityDev || stepDev);
        return new Verdict(r, deviant, clockDev, activityDev, stepDev, ratio, adjusted);
    }

    private AlertEvent firing(JobWindow w, RankWindow r, RankTrack t, Verdict v, Cohort c) {
        StringBuilder why = new StringBuilder();
        double slowdown = 0;
        if (v.clockDev()) {
            double dev = r.smClockMHz() / c.clock().median - 1;
            why.append(String.format("SM clock %.0f MHz vs job median %.0f MHz (%s)", r.smClockMHz(),
                    c.clock().median, Alerts.pct(dev)));
            slowdown = Math.max(slowdown, c.clock().median / r.smClockMHz() - 1);
        }
        if (v.stepDev()) {
            if (why.length() > 0) why.append(", ");
            why.append(String.format("step %.0f ms vs job median %.0f ms (%s against its usual)", r.stepCostMs(),
                    c.step().median, Alerts.pct(v.adjustedStep() - 1)));
            slowdown = Math.max(slowdown, v.adjustedStep() - 1);
        }
        if (v.activityDev() && !v.clockDev()) {
            if (why.length() > 0) why.append(", ");
            why.append(String.format("SM activity %.0f%% vs job median %.0f%%, tensor %.0f%% vs %.0f%%",
                    r.smActivePct(), c.sm().median, r.tensorActivePct(), c.tensor().median));
            if (r.smActivePct() < c.sm().median && r.smActivePct() > 0) {
                slowdown = Math.max(slowdown, c.sm().median / r.smActivePct() - 1);
            } else if (r.smActivePct() > 0) {
                slowdown = Math.max(slowdown, (r.smActivePct() - c.sm().median) / r.smActivePct());
            }
        }
        long throttle = r.clockEventReasons() & THROTTLE_MASK;
        if (throttle != 0) {
            why.append(", ").append(String.join(" + ", ClockEventReason.decode(throttle))).append(" active");
        }
        String summary = String.format("rank %d on %s is a straggler in %s: %s; job slowed by ~%.0f%%", r.rank(),
                r.where(), w.jobId(), why, slowdown * 100);
        Map<String, Double> evidence = Alerts.evidence(
                "smClockMHz", r.smClockMHz(), "jobMedianSmClockMHz", c.clock().median,
                "smActivePct", r.smActivePct(), "jobMedianSmActivePct", c.sm().median,
                "tensorActivePct", r.tensorActivePct(), "jobMedianTensorActivePct", c.tensor().median,
                "powerW", r.powerW(), "jobMedianPowerW", c.power().median,
                "stepCostMs", r.stepCostMs(), "jobMedianStepCostMs", c.step().median,
                "clockEventReasons", (double) r.clockEventReasons(),
                "deviantWindows", (double) Long.bitCount(t.history), "jobSlowdownPct", slowdown * 100,
                "ranks", (double) c.clock().count);
        return Alerts.event(AlertType.STRAGGLER, AlertEvent.Severity.WARNING, AlertEvent.State.FIRING,
                rankIdentity(w, r.rank()), Alerts.labels("host", t.host, "gpu", t.gpu < 0 ? null : String.valueOf(t.gpu),
                        "rack", t.rack, "scope", "rank"),
                t.startMs, null, w.decidedAt(), summary, evidence, origin(w, "rank" + r.rank()), ++t.seq);
    }

    private AlertEvent resolved(JobWindow w, int rank, RankTrack t, String why) {
        return Alerts.event(AlertType.STRAGGLER, AlertEvent.Severity.WARNING, AlertEvent.State.RESOLVED,
                rankIdentity(w, rank), Alerts.labels("host", t.host, "gpu", t.gpu < 0 ? null : String.valueOf(t.gpu),
                        "rack", t.rack, "scope", "rank"),
                t.startMs, w.windowEnd(), w.decidedAt(),
                String.format("rank %d in %s: %s", rank, w.jobId(), why), Map.of(), origin(w, "rank" + rank), ++t.seq);
    }

    private AlertEvent hostFiring(JobWindow w, String host, HostTrack h, List<RankWindow> rs,
                                  Map<Integer, Verdict> verdicts, Cohort c) {
        double sm = rs.stream().mapToDouble(RankWindow::smActivePct).filter(x -> !Double.isNaN(x)).average().orElse(Double.NaN);
        double clock = rs.stream().mapToDouble(RankWindow::smClockMHz).filter(x -> !Double.isNaN(x)).average().orElse(Double.NaN);
        double slowdown = sm > 0 && sm < c.sm().median ? c.sm().median / sm - 1
                : clock > 0 && clock < c.clock().median ? c.clock().median / clock - 1 : 0;
        String summary = String.format("host %s straggles in %s: its %d ranks (%s) at SM activity %.0f%% vs job "
                        + "median %.0f%%, SM clock %.0f vs %.0f MHz; suspect the host (NIC, CPU, PCIe), not one GPU; "
                        + "job slowed by ~%.0f%%", host, w.jobId(), rs.size(), h.ranks, sm, c.sm().median, clock,
                c.clock().median, slowdown * 100);
        Map<String, Double> evidence = Alerts.evidence("hostSmActivePct", sm, "jobMedianSmActivePct", c.sm().median,
                "hostSmClockMHz", clock, "jobMedianSmClockMHz", c.clock().median, "hostRanks", (double) rs.size(),
                "jobSlowdownPct", slowdown * 100);
        return Alerts.event(AlertType.STRAGGLER, AlertEvent.Severity.WARNING, AlertEvent.State.FIRING,
                Alerts.labels("cluster", w.cluster(), "job", w.jobId(), "host", host),
                Alerts.labels("rack", h.rack, "scope", "host", "ranks", h.ranks), h.startMs, null, w.decidedAt(),
                summary, evidence, origin(w, "host" + host), ++h.seq);
    }

    private AlertEvent hostResolved(JobWindow w, String host, HostTrack h, String why) {
        return Alerts.event(AlertType.STRAGGLER, AlertEvent.Severity.WARNING, AlertEvent.State.RESOLVED,
                Alerts.labels("cluster", w.cluster(), "job", w.jobId(), "host", host),
                Alerts.labels("rack", h.rack, "scope", "host", "ranks", h.ranks), h.startMs, w.windowEnd(),
                w.decidedAt(), "host " + host + " in " + w.jobId() + ": " + why, Map.of(), origin(w, "host" + host),
                ++h.seq);
    }

    private static Map<String, String> rankIdentity(JobWindow w, int rank) {
        return Alerts.labels("cluster", w.cluster(), "job", w.jobId(), "rank", String.valueOf(rank));
    }

    private static String origin(JobWindow w, String entity) {
        return "detector-straggler:" + w.jobKey() + "/" + entity;
    }
}
