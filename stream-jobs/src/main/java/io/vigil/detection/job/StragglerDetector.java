package io.vigil.detection.job;

import io.vigil.detection.alert.Episode;
import io.vigil.detection.alert.KeyedDetector;
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
import org.apache.flink.util.Collector;

/**
 * Straggler detector, keyed by job, fed one {@link JobWindow} per window. What pages is a <em>change</em>: each rank
 * learns its own usual SM clock, SM and tensor activity and step cost, and in each window every rank's change from
 * its own usual is compared with the job's median change, by median and MAD ({@link RobustStats}). A rank whose
 * change stands out in K of the last N windows fires one STRAGGLER alert naming job, rank, host and GPU, the
 * signals with their magnitude, and the job's own change. When most of one host's ranks change together, one
 * host-level alert replaces theirs (NIC, CPU, PCIe: the host, not the GPU).
 *
 * <p>What it ignores, by design rather than by threshold:
 * <ul>
 * <li>persistent structure: ranks that always run slower (a second GPU model, an input-bound group, a slower shard)
 * have their own usual, so a job of two speed groups, or of two GPU models, pages nobody;</li>
 * <li>a slowdown of the whole job (the median change moves with it), and pauses: a window in which the job is not
 * computing is not judged, and open alerts neither resolve nor grow;</li>
 * <li>clock offsets between hosts: a host whose clock is off by up to {@link #SETTLE_WINDOWS} windows shows its
 * ranks changing before or after the others whenever the whole job changes phase (start, checkpoint, resume). So a
 * job-wide change of activity or clock marks a transition: nothing is learned from the {@link #SETTLE_WINDOWS}
 * windows before it or after it, they do not count towards resolving an alert, and an alert needs its rank out of step for
 * longer than that ({@code history-windows} windows since it began, K of the last N, the newest among them): a rank
 * ahead of or behind the job's phase change by a few seconds never gets there. Step costs are durations and do not
 * depend on clocks;</li>
 * <li>structure that only shows in a new phase (a group slow while training but not while loading data): after a
 * job-wide move of {@link #PHASE_FACTOR} straggler margins (activity, clock) or a pause, ranks relearn their usual;
 * and when
 * {@link #STRUCTURE_FRACTION} of the ranks, on more than one host, move against their usual at once, the ranks
 * relearn their usual instead of paging;</li>
 * <li>a rank that stops reporting: absence is the silence detector's.</li>
 * </ul>
 * State is one small record per rank of a job, and goes with the job's end window.
 */
public final class StragglerDetector extends KeyedDetector<String, JobWindow, StragglerDetector.JobState> {

    /** One rank's track record. */
    public static final class RankTrack {
        public long history;
        public int normalRun;
        public int absentWindows;
        /** The rank's alert: open or not, its start, its origin stream's sequence. */
        public Episode episode = new Episode();
        public long firstDeviantMs;
        /**
         * The rank's own usual, learned from settled windows (see learn); NaN until first seen. The clock's is a share
         * of the job's median clock: structure (a slower GPU model, a lower power limit) that holds through the job's
         * phases, so it is neither relearned after a pause nor absorbed by a slow decline.
         */
        public double clockShare = Double.NaN, baseSm = Double.NaN, baseTensor = Double.NaN, baseStep = Double.NaN;
        /** Steady windows learned since the rank (re)started learning, and step windows learned. */
        public int learned, clockLearned, stepLearned;
        /**
         * The rank's last SETTLE_WINDOWS + 1 windows (clock, SM, tensor, 1 if the window was a clean one to learn
         * from), oldest first after {@code recentCount}: the usual is learned from the oldest, once no transition
         * has come within SETTLE_WINDOWS windows of it on either side.
         */
        public double[] recent = new double[4 * (SETTLE_WINDOWS + 1)];
        public long recentCount;
        /**
         * The first windows a rank (re)learns from (clock, SM, tensor, each RANK_WARMUP_WINDOWS long): its usual
         * starts as their median, not their mean. One array, as {@code recent}: state is copied per object.
         */
        public double[] warm = new double[3 * RANK_WARMUP_WINDOWS];
        /** The first step costs a rank learns from, as {@code warm} (a field of its own: older state lacks it). */
        public double[] warmStep = new double[RANK_WARMUP_WINDOWS];
        /** The verdict of the rank's last step, and when its window ended (steps may span several windows). */
        public boolean lastStepDev;
        public long lastStepEndMs = Long.MIN_VALUE;
        public int deferred;
        /** Whether the rank's clock or step, not its activity alone, has been out of step since it first deviated. */
        public boolean paceEvidence;
        public String host;
        public int gpu = -1;
        public String rack;
    }

    /** A host whose ranks straggle together. */
    public static final class HostTrack {
        public Episode episode = new Episode();
        public int normalRun;
        public String rack;
        public String ranks;
    }

    public static final class JobState {
        public int windowsSeen;
        /** The job's median SM activity and clock of the last windows, newest last, for spotting transitions. */
        public java.util.ArrayDeque<double[]> recent = new java.util.ArrayDeque<>();
        /** Windows since the last job-wide transition (start, checkpoint, resume). */
        public int sinceTransition;
        public boolean wasComputing = true;
        /** What the last transition changed: 0 a little, 1 the job's activity (a phase), 2 its clocks or computing. */
        public int phaseChange;
        public HashMap<Integer, RankTrack> ranks = new HashMap<>();
        public HashMap<String, HostTrack> hosts = new HashMap<>();
    }

    /**
     * How many windows around a job-wide transition are not judged, and how long a clock or activity verdict waits
     * to be confirmed: the clock offset between hosts the detector tolerates, in windows (3 s at the default 1 s).
     */
    public static final int SETTLE_WINDOWS = 3;

    /** How long a rank out of step by its activity alone must be before it is a straggler (see lasting). */
    static final int ACTIVITY_ONLY_WINDOWS = 2 * SETTLE_WINDOWS + 1;

    /** Steady windows a rank learns its usual from before it is judged (again, after a transition). */
    static final int RANK_WARMUP_WINDOWS = 5;

    /** The share of a job's ranks that, moving together on several hosts, is a new phase's structure. */
    static final double STRUCTURE_FRACTION = 0.3;

    /** How much more slowly than activity a rank's usual clock share is learned, once warmed up. */
    static final double CLOCK_LEARNING = 0.05;

    /** A job-wide move of this many straggler margins is a new phase, not a straggler's wait. */
    static final double PHASE_FACTOR = 3;


    private final StragglerConfig config;

    public StragglerDetector(StragglerConfig config) {
        super("straggler", JobState.class);
        this.config = config;
    }

    /** What one rank's window says. */
    private record Verdict(RankWindow r, boolean deviant, boolean clockDev, boolean activityDev, boolean stepDev,
                           double stepRatio, double adjustedStep, boolean assessed) {}

    @Override
    public void processElement(JobWindow w, Context ctx, Collector<AlertEvent> out) throws Exception {
        JobState current = load();
        if (w.ended()) {
            JobState st = current;
            if (st != null) {
                String why = w.end() == JobWindow.End.JOB_ENDED ? "job ended" : "job stopped reporting";
                st.ranks.forEach((rank, t) -> {
                    if (t.episode.firing) out.collect(resolved(w, rank, t, why));
                });
                st.hosts.forEach((host, h) -> {
                    if (h.episode.firing) out.collect(hostResolved(w, host, h, why));
                });
            }
            drop();
            return;
        }
        final JobState st = current == null ? new JobState() : current;
        st.windowsSeen++;
        List<RankWindow> present = new ArrayList<>();
        for (RankWindow r : w.ranks()) {
            if (r.samples() > 0 || r.steps() > 0) present.add(r);
        }
        for (RankWindow r : present) {
            RankTrack t = st.ranks.computeIfAbsent(r.rank(), k -> new RankTrack());
            if (r.host() != null) t.host = r.host();
            if (r.gpu() >= 0) t.gpu = r.gpu();
            if (r.rack() != null) t.rack = r.rack();
            t.absentWindows = 0;
        }
        JobCohort c = JobCohort.of(present, st);
        // A job that is not computing (checkpoint, evaluation, a stall) has no pace to fall behind.
        boolean computing = c.step().count >= config.minRanks()
                || (c.sm().count > 0 && c.sm().median >= 5) || (c.tensor().count > 0 && c.tensor().median >= 5)
                || (c.sm().count == 0 && c.tensor().count == 0 && c.power().count > 0 && c.clock().count > 0);
        boolean transition = transition(st, c, computing);
        if (transition) {
            st.sinceTransition = 0;
            for (RankTrack t : st.ranks.values()) {
                if (st.phaseChange != 0) {
                    // A new phase (training after loading data, a resume, idle clocks to boost clocks) may hold
                    // structure of its own: every rank relearns its usual activity (an open alert on activity alone
                    // then resolves: its evidence is gone). A straggler's own wait moves the job's activity too, but
                    // not by this much. The clock's usual is a share of the job's clock and is kept: a rank slowed
                    // during a pause is still slower than its share when the job resumes.
                    t.learned = 0;
                    if (!t.episode.firing) t.history = 0;
                    t.baseSm = Double.NaN;
                    t.baseTensor = Double.NaN;
                }
            }
        } else {
            st.sinceTransition++;
        }
        boolean steady = computing && st.sinceTransition > SETTLE_WINDOWS;
        boolean judged = present.size() >= config.minRanks() && st.windowsSeen > config.warmupWindows() && computing;
        if (!computing && st.windowsSeen > config.warmupWindows()) {
            // A pause (checkpoint, evaluation, stall) says nothing about pace: open alerts neither resolve nor grow.
            save(st);
            return;
        }

        Map<Integer, Verdict> verdicts = new HashMap<>();
        for (RankWindow r : present) {
            verdicts.put(r.rank(), judge(w, r, c, st.ranks.get(r.rank()), judged, steady));
        }
        if (steady && newStructure(verdicts, st)) {
            // Many ranks on several hosts moved at once, against their own usual: the job entered a phase with
            // structure of its own (a slow group that was not slow while loading data). Relearn, page nobody.
            for (RankTrack t : st.ranks.values()) {
                if (t.episode.firing) continue;
                t.learned = 0;
                t.history = 0;
            }
            verdicts.replaceAll((rank, v) -> new Verdict(v.r(), v.stepDev(), false, false, v.stepDev(),
                    v.stepRatio(), v.adjustedStep(), false));
        }
        for (RankWindow r : present) {
            RankTrack t = st.ranks.get(r.rank());
            Verdict v = verdicts.get(r.rank());
            // A rank that changes phase a few windows before or after the job (its host's clock is off) is out of
            // step for at most SETTLE_WINDOWS windows: shorter than an alert needs to last (see lasting).
            long before = t.history;
            t.history = ((t.history << 1) | (v.deviant() ? 1 : 0)) & ((1L << config.historyWindows()) - 1);
            if (v.deviant() && before == 0) {
                t.firstDeviantMs = w.windowStart();
                t.paceEvidence = false;
            }
            if (v.clockDev() || v.stepDev()) t.paceEvidence = true;
            // Only a window in which the rank could be judged counts towards resolving: not while the others
            // relearn after a pause.
            boolean normal = !v.deviant() && v.assessed();
            t.normalRun = v.deviant() ? 0 : normal ? t.normalRun + 1 : t.normalRun;
            RankBaseline.remember(r, t, !v.deviant(), c.clock().count > 0 ? c.clock().median : Double.NaN);
            // Learn from the window SETTLE_WINDOWS back, once it is as far from any transition after it as before:
            // a host whose clock runs behind changes phase up to SETTLE_WINDOWS windows before the job does, and
            // those windows must not teach its ranks their usual.
            boolean settled = computing && st.sinceTransition > 2 * SETTLE_WINDOWS
                    && t.recentCount > SETTLE_WINDOWS;
            if (!t.episode.firing && !v.deviant()) {
                RankBaseline.learn(r, t, settled, config.baselineAlpha());
            } else if (t.episode.firing && Double.isNaN(t.baseSm) && settled) {
                // A firing rank after a new phase: learn its activity again, keep its clock and step usual.
                RankBaseline.relearnActivity(t);
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
                if (lasting(t, w)) candidates++;
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
            if (!h.episode.firing && hostWide) {
                h.episode.fireNow(rs.stream().mapToLong(r -> st.ranks.get(r.rank()).firstDeviantMs).min()
                        .orElse(w.windowStart()));
                h.normalRun = 0;
                h.rack = rs.get(0).rack();
                h.ranks = rs.stream().map(r -> String.valueOf(r.rank())).reduce((a, b) -> a + "," + b).orElse("");
                out.collect(hostFiring(w, e.getKey(), h, rs, verdicts, c));
            } else if (h.episode.firing) {
                if (deviantNow >= Math.ceil(config.hostFraction() * rs.size())) h.normalRun = 0;
                else if (steady) h.normalRun++;
                if (h.normalRun >= config.resolveWindows()) {
                    out.collect(hostResolved(w, e.getKey(), h, "host back in step with the job"));
                    st.hosts.remove(e.getKey());
                }
            }
            if (h.episode.firing) hostsCovering.add(e.getKey());
        }

        for (RankWindow r : present) {
            RankTrack t = st.ranks.get(r.rank());
            boolean candidate = !t.episode.firing && lasting(t, w) && !hostsCovering.contains(r.host());
            // Several ranks of one host deviating together may be the host: wait a little for the host-level call.
            if (candidate && hostsForming.contains(r.host()) && t.deferred < config.historyWindows()) {
                t.deferred++;
                candidate = false;
            }
            if (candidate) {
                t.episode.fireNow(t.firstDeviantMs);
                t.deferred = 0;
                out.collect(firing(w, r, t, verdicts.get(r.rank()), c));
            } else if (t.episode.firing && t.normalRun >= config.resolveWindows()) {
                out.collect(resolved(w, r.rank(), t, "back in step with the job"));
                t.episode.close();
                t.history = 0;
                // Its activity usual was frozen while it fired, the others' moved on: relearn it before judging.
                t.learned = 0;
                t.baseSm = Double.NaN;
                t.baseTensor = Double.NaN;
            }
        }

        // Ranks that stopped reporting: not stragglers; forget them after a while.
        Iterator<Map.Entry<Integer, RankTrack>> it = st.ranks.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Integer, RankTrack> e = it.next();
            RankTrack t = e.getValue();
            if (verdicts.containsKey(e.getKey())) continue;
            t.absentWindows++;
            if (t.episode.firing && t.absentWindows >= 6 * config.resolveWindows()) {
                out.collect(resolved(w, e.getKey(), t, "rank stopped reporting"));
                t.episode.close();
            }
            if (!t.episode.firing && t.absentWindows >= 12 * config.resolveWindows()) {
                it.remove();
            }
        }
        save(st);
    }

    /**
     * K of the last N windows out of step, the newest among them, and for at least N windows since it began: a
     * worker that runs with the other group for a second or two is not a straggler.
     */
    private boolean lasting(RankTrack t, JobWindow w) {
        // Activity alone is what a host whose clock is off shows when the job changes phase: its ranks pause or
        // resume that many windows before the others. A host ahead does so before the job-wide transition that would
        // excuse it is seen, so activity alone must last longer than two hosts' clocks may differ (each off by up to
        // SETTLE_WINDOWS windows, either way); a slower clock or step needs no such wait.
        int windows = t.paceEvidence ? config.historyWindows()
                : Math.max(config.historyWindows(), ACTIVITY_ONLY_WINDOWS);
        return Long.bitCount(t.history) >= config.fireWindows() && (t.history & 1) == 1
                && w.windowEnd() - t.firstDeviantMs >= windows * windowMs(w);
    }

    private static long windowMs(JobWindow w) {
        return Math.max(1, w.windowEnd() - w.windowStart());
    }

    /**
     * A job-wide change of phase: the job starts or stops computing, or its median SM activity or clock moves from
     * where it was in any of the last few windows by a straggler's margin.
     */
    private boolean transition(JobState st, JobCohort c, boolean computing) {
        boolean changed = computing != st.wasComputing;
        st.phaseChange = changed ? 2 : 0;
        st.wasComputing = computing;
        double sm = c.sm().count > 0 ? c.sm().median : Double.NaN;
        double clock = c.clock().count > 0 ? c.clock().median : Double.NaN;
        for (double[] before : st.recent) {
            if (!Double.isNaN(sm) && !Double.isNaN(before[0])) {
                double moved = Math.abs(sm - before[0]);
                if (moved >= config.minActivityGapPct()) changed = true;
                if (moved >= PHASE_FACTOR * config.minActivityGapPct()) st.phaseChange = Math.max(st.phaseChange, 1);
            }
            if (!Double.isNaN(clock) && !Double.isNaN(before[1]) && before[1] > 0) {
                double moved = Math.abs(clock / before[1] - 1);
                if (moved >= config.minClockDrop()) changed = true;
                if (moved >= PHASE_FACTOR * config.minClockDrop()) st.phaseChange = 2;
            }
        }
        st.recent.addLast(new double[] {sm, clock});
        while (st.recent.size() > SETTLE_WINDOWS) st.recent.removeFirst();
        return changed && st.windowsSeen > 1;
    }

    /**
     * Whether this window's clock or activity verdicts are structure rather than stragglers: at least
     * {@link #STRUCTURE_FRACTION} of the judged ranks, on more than one host, out of step at once. One host never
     * counts (that is a host-level straggler), nor do step verdicts (a step is a duration, not a phase).
     */
    private static boolean newStructure(Map<Integer, Verdict> verdicts, JobState st) {
        int judged = 0, moved = 0;
        java.util.Set<String> hosts = new java.util.HashSet<>();
        for (Verdict v : verdicts.values()) {
            RankTrack t = st.ranks.get(v.r().rank());
            if (t.learned < RANK_WARMUP_WINDOWS && t.clockLearned < RANK_WARMUP_WINDOWS) continue;
            judged++;
            if (v.clockDev() || v.activityDev()) {
                moved++;
                hosts.add(String.valueOf(v.r().host()));
            }
        }
        return judged > 0 && moved >= STRUCTURE_FRACTION * judged && hosts.size() > 1;
    }

    /** The rank's change from its own usual, against the job's median change. */
    private Verdict judge(JobWindow w, RankWindow r, JobCohort c, RankTrack t, boolean judged, boolean steady) {
        boolean clockDev = false, activityDev = false, stepDev = false;
        double ratio = Double.NaN, adjusted = Double.NaN;
        int min = config.minRanks();
        if (c.relStep().count >= min && !Double.isNaN(r.stepCostMs()) && t.stepLearned >= RANK_WARMUP_WINDOWS
                && t.baseStep > 0 && c.relStep().median > 0) {
            double rel = r.stepCostMs() / t.baseStep;
            ratio = rel;
            adjusted = rel / c.relStep().median;
            // Around a job-wide change of pace the job's median step lags the ranks whose slower (or faster) steps
            // end first: a step is judged against the job once its pace has settled.
            stepDev = steady && adjusted - 1 >= config.minStepDeviation() && c.relStep().z(rel) >= config.zThreshold();
            t.lastStepDev = stepDev;
            t.lastStepEndMs = w.windowEnd();
        } else if (Double.isNaN(r.stepCostMs()) && t.lastStepEndMs != Long.MIN_VALUE && t.baseStep > 0
                && c.relStep().count >= min && c.relStep().median > 0) {
            // No step ended in this window: a slow step shows as one still running. The step in progress already
            // over its allowance is out of step; otherwise the last step's verdict stands until the next ends.
            double running = (w.windowEnd() - t.lastStepEndMs) / t.baseStep / c.relStep().median;
            // Not around a job-wide change of pace: a host whose clock is off stamps its steps early or late then.
            stepDev = t.lastStepDev || steady && running - 1 >= config.minStepDeviation() && running >= 2;
        }
        boolean known = t.learned >= RANK_WARMUP_WINDOWS;
        if (t.clockLearned >= RANK_WARMUP_WINDOWS && c.relClock().count >= min && !Double.isNaN(r.smClockMHz())
                && t.clockShare > 0 && c.clock().median > 0) {
            double rel = r.smClockMHz() / c.clock().median / t.clockShare;
            double drop = 1 - rel / c.relClock().median;
            clockDev = drop >= config.minClockDrop() && c.relClock().z(rel) <= -config.zThreshold();
        }
        if (known && c.dSm().count >= min && c.dTensor().count >= min && !Double.isNaN(r.smActivePct())
                && !Double.isNaN(r.tensorActivePct()) && !Double.isNaN(t.baseSm) && !Double.isNaN(t.baseTensor)) {
            double dSm = r.smActivePct() - t.baseSm;
            double dTensor = r.tensorActivePct() - t.baseTensor;
            double smGap = dSm - c.dSm().median;
            double tGap = dTensor - c.dTensor().median;
            activityDev = Math.abs(smGap) >= config.minActivityGapPct()
                    && Math.abs(c.dSm().z(dSm)) >= config.zThreshold()
                    && Math.signum(tGap) == Math.signum(smGap)
                    && Math.abs(tGap) >= config.minActivityGapPct() * 2 / 3
                    && Math.abs(c.dTensor().z(dTensor)) >= config.zThreshold();
        }
        clockDev &= judged;
        // Activity is a phase's: in the windows right after a job-wide change of pace (a checkpoint, a slowdown of
        // the whole job, its end) a host whose clock is off by a few seconds is out of step with the job for as many
        // windows. Those windows say nothing about a rank's own pace.
        activityDev &= judged && steady;
        stepDev &= judged;
        boolean assessed = judged && (!Double.isNaN(ratio) || steady && t.clockLearned >= RANK_WARMUP_WINDOWS
                && c.relClock().count >= min || steady && known && c.dSm().count >= min);
        return new Verdict(r, clockDev || activityDev || stepDev, clockDev, activityDev, stepDev, ratio, adjusted,
                assessed);
    }

    private AlertEvent firing(JobWindow w, RankWindow r, RankTrack t, Verdict v, JobCohort c) {
        StringBuilder why = new StringBuilder();
        double slowdown = 0;
        String jobChange = null;
        if (v.clockDev()) {
            double usual = usualClock(t, c);
            why.append(String.format("SM clock %.0f MHz, usually %.0f MHz (%s; job median %.0f MHz)", r.smClockMHz(),
                    usual, Alerts.pct(r.smClockMHz() / usual - 1), c.clock().median));
            // In a synchronous job the slowest rank sets the pace.
            slowdown = Math.max(slowdown, usual / r.smClockMHz() - 1);
        }
        if (v.stepDev()) {
            if (why.length() > 0) why.append(", ");
            why.append(String.format("step %.0f ms, usually %.0f ms (%s against its own usual, beyond the job's "
                    + "%s)", r.stepCostMs(), t.baseStep, Alerts.pct(v.stepRatio() - 1),
                    Alerts.pct(c.relStep().median - 1)));
            jobChange = String.format("job step time %s against its usual", Alerts.pct(c.relStep().median - 1));
        }
        if (v.activityDev() && !v.clockDev()) {
            if (why.length() > 0) why.append(", ");
            why.append(String.format("SM activity %.0f%%, usually %.0f%% (job median %.0f%%), tensor %.0f%%, "
                            + "usually %.0f%%", r.smActivePct(), t.baseSm, c.sm().median, r.tensorActivePct(),
                    t.baseTensor));
            double own = r.smActivePct() - t.baseSm - c.dSm().median;
            if (own < 0 && r.smActivePct() > 0) {
                slowdown = Math.max(slowdown, (r.smActivePct() - own) / r.smActivePct() - 1);
            }
        }
        if (why.length() == 0) {
            why.append(String.format("out of step in %d of the last %d windows", Long.bitCount(t.history),
                    config.historyWindows()));
        }
        long throttle = r.clockEventReasons() & ClockEventReason.THROTTLE_MASK;
        if (throttle != 0) {
            why.append(", ").append(String.join(" + ", ClockEventReason.decode(throttle))).append(" active");
        }
        String summary = String.format("rank %d on %s is a straggler in %s: %s; %s", r.rank(), r.where(), w.jobId(),
                why, jobChange != null ? jobChange : String.format("job slowed by ~%.0f%%", slowdown * 100));
        Map<String, Double> evidence = Alerts.evidence(
                "smClockMHz", r.smClockMHz(), "jobMedianSmClockMHz", c.clock().median,
                "smActivePct", r.smActivePct(), "jobMedianSmActivePct", c.sm().median,
                "tensorActivePct", r.tensorActivePct(), "jobMedianTensorActivePct", c.tensor().median,
                "powerW", r.powerW(), "jobMedianPowerW", c.power().median,
                "stepCostMs", r.stepCostMs(), "jobMedianStepCostMs", c.step().median,
                "clockEventReasons", (double) r.clockEventReasons(),
                "usualSmClockMHz", usualClock(t, c), "usualSmActivePct", t.baseSm, "usualStepCostMs", t.baseStep,
                "jobStepChangePct", c.relStep().count > 0 ? (c.relStep().median - 1) * 100 : null,
                "deviantWindows", (double) Long.bitCount(t.history),
                "jobSlowdownPct", jobChange != null ? null : slowdown * 100,
                "ranks", (double) Math.max(Math.max(c.clock().count, c.step().count), c.sm().count));
        return Alerts.event(AlertType.STRAGGLER, AlertEvent.Severity.WARNING, AlertEvent.State.FIRING,
                rankIdentity(w, r.rank()), Alerts.labels("host", t.host, "gpu", t.gpu < 0 ? null : String.valueOf(t.gpu),
                        "rack", t.rack, "scope", "rank"),
                t.episode.startMs, null, w.decidedAt(), summary, evidence, t.episode.nextOrigin(origin(w, "rank" + r.rank())));
    }

    /** The rank's usual clock at the job's clock now (NaN before it is learned). */
    private static double usualClock(RankTrack t, JobCohort c) {
        return c.clock().count > 0 ? t.clockShare * c.clock().median : Double.NaN;
    }

    private AlertEvent resolved(JobWindow w, int rank, RankTrack t, String why) {
        return Alerts.event(AlertType.STRAGGLER, AlertEvent.Severity.WARNING, AlertEvent.State.RESOLVED,
                rankIdentity(w, rank), Alerts.labels("host", t.host, "gpu", t.gpu < 0 ? null : String.valueOf(t.gpu),
                        "rack", t.rack, "scope", "rank"),
                t.episode.startMs, w.windowEnd(), w.decidedAt(),
                String.format("rank %d in %s: %s", rank, w.jobId(), why), Map.of(), t.episode.nextOrigin(origin(w, "rank" + rank)));
    }

    private AlertEvent hostFiring(JobWindow w, String host, HostTrack h, List<RankWindow> rs,
                                  Map<Integer, Verdict> verdicts, JobCohort c) {
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
                Alerts.labels("rack", h.rack, "scope", "host", "ranks", h.ranks), h.episode.startMs, null, w.decidedAt(),
                summary, evidence, h.episode.nextOrigin(origin(w, "host" + host)));
    }

    private AlertEvent hostResolved(JobWindow w, String host, HostTrack h, String why) {
        return Alerts.event(AlertType.STRAGGLER, AlertEvent.Severity.WARNING, AlertEvent.State.RESOLVED,
                Alerts.labels("cluster", w.cluster(), "job", w.jobId(), "host", host),
                Alerts.labels("rack", h.rack, "scope", "host", "ranks", h.ranks), h.episode.startMs, w.windowEnd(),
                w.decidedAt(), "host " + host + " in " + w.jobId() + ": " + why, Map.of(), 
                h.episode.nextOrigin(origin(w, "host" + host)));
    }

    private static Map<String, String> rankIdentity(JobWindow w, int rank) {
        return Alerts.labels("cluster", w.cluster(), "job", w.jobId(), "rank", String.valueOf(rank));
    }

    private static String origin(JobWindow w, String entity) {
        return "detector-straggler:" + w.jobKey() + "/" + entity;
    }
}
