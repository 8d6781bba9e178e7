package io.vigil.detection.health;

import io.vigil.detection.alert.Alerts;
import io.vigil.detection.alert.Episode;
import io.vigil.detection.alert.KeyedDetector;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.GpuSample;
import io.vigil.model.Origin;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.Collector;

/**
 * Host health detector, keyed by host ({@code cluster/host}): what one host's GPUs say about the host and each
 * other.
 * <ul>
 * <li>SILENT: a GPU without samples for {@link HostHealthConfig#silenceTimeout()} of event time while the site keeps
 * reporting (the commonest failure shows as absence); all GPUs of the host at once make one host alert instead.</li>
 * <li>GPU_LOST: the driver says the GPU fell off the bus.</li>
 * <li>XID: each new XID error is an event, with the severity of NVIDIA's catalogue ({@link XidCatalogue}); the
 * same XID again within {@link HostHealthConfig#xidHold()} is counted on the open alert, not paged again.</li>
 * <li>THERMAL (check {@code cold-plate}): a GPU hotter than its host peers at similar power (same coolant) by more
 * than its own usual difference: a failing cold plate, pump or fan, seen before the GPU reaches its slowdown
 * temperature.</li>
 * </ul>
 * One timer per host, moved forward lazily; a host silent for {@link HostHealthConfig#entityTimeout()} is
 * forgotten, so state stays bounded as hosts come and go.
 */
public class HostHealthDetector extends KeyedDetector<String, GpuSample, HostHealthDetector.HostState> {

    public static final class GpuTrack {
        public long lastSeen = Long.MIN_VALUE;
        public boolean silent;
        public long silentSince;
        public Episode lost = new Episode();
        public Integer lastXid;
        public boolean xidOpen;
        public int xidCode;
        public long xidStart, xidLastAt;
        public int xidCount;
        public double temp = Double.NaN, power = Double.NaN, limit = Double.NaN;
        public long tempTs;
        public double usualDelta;
        public int deltaSamples;
        public Episode coldPlate = new Episode();
        public String job, rank, uuid;
        /** {@code rank} as a number, so that a sample of the same rank does not build its string again. */
        public int rankNo;
        /** The GPU's usual time between samples (a BMC reports every few seconds, NVML every second). */
        public long intervalMs;
        /** Reported by a BMC (every few seconds to a minute), not in band. */
        public boolean bmc;
    }

    public static final class HostState {
        public String cluster, host, row, rack;
        /** The collector that last reported the host: hosts silent through one collector share one cause. */
        public String collector;
        public HashMap<String, GpuTrack> gpus = new HashMap<>();
        public long lastSeen = Long.MIN_VALUE;
        public boolean silent;
        public long silentSince;
        public long timer = Long.MIN_VALUE;
        public long seq;
        /** The start of the first event on the host's stream: a host forgotten and seen again starts a new stream. */
        public long originEpochMs;

        Origin nextOrigin(String stream, long startMs) {
            if (seq == 0) originEpochMs = startMs;
            return new Origin(stream, originEpochMs, ++seq);
        }
    }

    private final HostHealthConfig config;

    public HostHealthDetector(HostHealthConfig config) {
        super("host-health", new HostStateSerializer());
        this.config = config;
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext openContext) throws Exception {
        super.open(openContext);
        pending = getRuntimeContext().getListState(
                new org.apache.flink.api.common.state.ListStateDescriptor<>("host-health-pending",
                        io.vigil.detection.ingest.GpuSampleSerializer.TYPE));
    }

    /**
     * A sample ahead of event time waits until the watermark passes it, and the host's samples are then judged in
     * their time order: a host's GPUs arrive through different partitions, which a backlog reads far apart, so in
     * arrival order a GPU would be compared with peers seconds or minutes away and look silent while its samples
     * are still on their way. What the detector says thus does not depend on how fast, or in which partition order,
     * the samples came. A sample already behind the watermark (accepted late) is judged at once.
     */
    @Override
    public void processElement(GpuSample sample, Context ctx, Collector<AlertEvent> out) throws Exception {
        GpuSample s = judged(sample);
        long wm = ctx.timerService().currentWatermark();
        if (s.ts() > wm) {
            pending.add(s);
            ctx.timerService().registerEventTimeTimer(s.ts());
            return;
        }
        HostState h = load();
        h = judge(h, s, ctx.timerService(), out);
        save(h);
    }

    /**
     * The fields this detector judges, and nothing else: every sample is cut to them before it is judged or waits,
     * so the samples waiting in state (written at every checkpoint: a host's last seconds, for every host) cost a
     * third of a full sample, and a field {@link #judge} starts to read without being added here is missing in every
     * path alike, where the tests see it.
     */
    static GpuSample judged(GpuSample s) {
        return GpuSample.builder().ts(s.ts()).cluster(s.cluster()).row(s.row()).rack(s.rack()).host(s.host())
                .gpu(s.gpu()).migInstance(s.migInstance()).uuid(s.uuid()).jobId(s.jobId()).rank(s.rank())
                .state(s.state()).source(s.source()).origin(s.origin()).lastXid(s.lastXid()).gpuTempC(s.gpuTempC())
                .powerW(s.powerW()).powerLimitW(s.powerLimitW()).build();
    }

    /** The samples of this host waiting for event time, in arrival order. */
    private transient org.apache.flink.api.common.state.ListState<GpuSample> pending;

    /** Whether a sample later than {@code t} is waiting. */
    private boolean heardAfter(long t) throws Exception {
        Iterable<GpuSample> waiting = pending.get();
        if (waiting == null) return false;
        for (GpuSample s : waiting) if (s.ts() > t) return true;
        return false;
    }

    /** Judges the waiting samples up to {@code until}, in time order; keeps the rest waiting. */
    private HostState release(HostState h, long until, TimerService timers, Collector<AlertEvent> out)
            throws Exception {
        Iterable<GpuSample> waiting = pending.get();
        if (waiting == null) return h;
        List<GpuSample> due = new ArrayList<>();
        List<GpuSample> later = new ArrayList<>();
        for (GpuSample s : waiting) (s.ts() <= until ? due : later).add(s);
        if (due.isEmpty()) return h;
        pending.update(later);
        due.sort(java.util.Comparator.comparingLong(GpuSample::ts));
        for (GpuSample s : due) h = judge(h, s, timers, out);
        return h;
    }

    private HostState judge(HostState h, GpuSample s, TimerService timers, Collector<AlertEvent> out) {
        if (h == null) {
            h = new HostState();
            h.cluster = s.cluster();
            h.host = s.host();
        }
        if (s.row() != null) h.row = s.row();
        if (s.rack() != null) h.rack = s.rack();
        if (s.origin() != null && s.origin().collector() != null) h.collector = s.origin().collector();
        String id = s.migInstance() == null ? gpuId(s.gpu()) : s.gpu() + "/mig" + s.migInstance();
        GpuTrack g = h.gpus.computeIfAbsent(id, k -> new GpuTrack());
        g.job = s.jobId();
        if (s.rank() == null) {
            g.rank = null;
        } else if (g.rank == null || g.rankNo != s.rank()) {
            g.rank = String.valueOf(s.rank());
            g.rankNo = s.rank();
        }
        if (s.uuid() != null) g.uuid = s.uuid();
        // Learned from the gaps of a GPU that reports (a gap that ended a silence is an outage, not its rhythm).
        if (g.lastSeen != Long.MIN_VALUE && s.ts() > g.lastSeen && !g.silent && !h.silent
                && s.ts() - g.lastSeen < config.entityTimeout().toMillis()) {
            long gap = s.ts() - g.lastSeen;
            g.intervalMs = g.intervalMs == 0 ? gap : (g.intervalMs * 7 + gap) / 8;
        }
        g.bmc = s.source() == GpuSample.Source.REDFISH;
        g.lastSeen = Math.max(g.lastSeen, s.ts());
        h.lastSeen = Math.max(h.lastSeen, s.ts());

        if (h.silent) {
            h.silent = false;
            out.collect(hostEvent(h, AlertEvent.State.RESOLVED, h.silentSince, s.ts(), s.ts(),
                    "host " + h.host + " is reporting again", Map.of()));
            h.gpus.values().forEach(x -> x.silent = false);
        }
        if (g.silent) {
            g.silent = false;
            out.collect(gpuEvent(h, id, g, AlertType.SILENT, null, AlertEvent.Severity.WARNING, AlertEvent.State.RESOLVED,
                    g.silentSince, s.ts(), s.ts(), "GPU " + where(h, id) + " is reporting again", Map.of()));
        }

        // Fallen off the bus: at once; resolved after a few samples that answer.
        boolean lostNow = s.state() == GpuSample.GpuState.LOST;
        Episode.Step lostStep = lostNow && g.lost.fireNow(s.ts()) ? Episode.Step.FIRED
                : g.lost.observe(lostNow, !lostNow, s.ts(), 1, config.lostResolveSamples());
        if (lostStep == Episode.Step.FIRED) {
            out.collect(gpuEvent(h, id, g, AlertType.GPU_LOST, null, AlertEvent.Severity.CRITICAL,
                    AlertEvent.State.FIRING, s.ts(), null, s.ts(),
                    "GPU " + where(h, id) + " is lost (fell off the bus): drain the host and reset the GPU",
                    Alerts.evidence("lastXid", s.lastXid())));
        } else if (lostStep == Episode.Step.RESOLVED) {
            out.collect(gpuEvent(h, id, g, AlertType.GPU_LOST, null, AlertEvent.Severity.CRITICAL,
                    AlertEvent.State.RESOLVED, g.lost.startMs, s.ts(), s.ts(), "GPU " + where(h, id) + " answers again",
                    Map.of()));
        }

        // XID: an event per new code, not a gauge.
        if (s.lastXid() != null && !s.lastXid().equals(g.lastXid)) {
            int code = s.lastXid();
            XidCatalogue.Entry entry = XidCatalogue.lookup(code);
            if (g.xidOpen && g.xidCode == code) {
                g.xidCount++;
                g.xidLastAt = s.ts();
            } else {
                if (g.xidOpen) {
                    out.collect(xidResolved(h, id, g, s.ts(), "superseded by XID " + code));
                }
                g.xidOpen = true;
                g.xidCode = code;
                g.xidStart = s.ts();
                g.xidLastAt = s.ts();
                g.xidCount = 1;
                out.collect(gpuEvent(h, id, g, AlertType.XID, String.valueOf(code), entry.severity(),
                        AlertEvent.State.FIRING, s.ts(), null, s.ts(),
                        String.format("XID %d on GPU %s: %s", code, where(h, id), entry.meaning()),
                        Alerts.evidence("xid", (double) code)));
            }
        }
        g.lastXid = s.lastXid();

        coldPlate(h, id, g, s, out);

        if (h.timer == Long.MIN_VALUE) {
            h.timer = s.ts() + config.silenceTimeout().toMillis();
            timers.registerEventTimeTimer(h.timer);
        }
        return h;
    }

    /**
     * How long this GPU may go without a sample before it is silent: the configured timeout, or three of its usual
     * intervals where it reports more slowly, and for a GPU judged from its BMC's samples at least a minute.
     */
    private long silenceAfter(GpuTrack g) {
        long after = Math.max(config.silenceTimeout().toMillis(), 3 * g.intervalMs);
        // Before a BMC GPU's rhythm is learned, its first gap may be a BMC's scrape interval, not silence.
        return g.bmc ? Math.max(after, BMC_SILENCE_FLOOR_MS) : after;
    }

    /**
     * How fast a GPU's usual difference from its peers follows what it sees, per sample once warmed up: slowly (about
     * 8 minutes at one sample a second), so a cold plate that fails over a minute or two is found, not learned.
     */
    static final double USUAL_DELTA_LEARNING = 0.002;

    /** The least silence after which a GPU reported only by its BMC is silent. */
    static final long BMC_SILENCE_FLOOR_MS = 60_000;

    private static final String[] GPU_IDS = new String[64];

    static {
        for (int i = 0; i < GPU_IDS.length; i++) GPU_IDS[i] = String.valueOf(i);
    }

    /** The GPU's key in its host's state, without a new string per sample. */
    private static String gpuId(int gpu) {
        return gpu >= 0 && gpu < GPU_IDS.length ? GPU_IDS[gpu] : String.valueOf(gpu);
    }

    /** Scratch for one sample's peer temperatures (not state: filled and read within one call). */
    private transient double[] peerTemps;

    /** Compares this GPU with its host peers at similar power, against its own usual difference. */
    private void coldPlate(HostState h, String id, GpuTrack g, GpuSample s, Collector<AlertEvent> out) {
        if (s.gpuTempC() == null || s.powerW() == null || s.migInstance() != null) return;
        // A sample older than one already judged (accepted late) adds nothing: the GPU's newer one stands.
        if (g.tempTs != 0 && s.ts() < g.tempTs) return;
        g.temp = s.gpuTempC();
        g.power = s.powerW();
        g.limit = s.powerLimitW() == null ? 700 : s.powerLimitW();
        g.tempTs = s.ts();
        // Once per sample of every GPU: the peers' temperatures go into a reused array, not a list of boxed values.
        if (peerTemps == null || peerTemps.length < h.gpus.size()) {
            peerTemps = new double[Math.max(16, h.gpus.size() * 2)]; // transient: null once the job is deployed
        }
        int n = 0;
        for (GpuTrack p : h.gpus.values()) {
            // Peers from the last few seconds, none from after this sample (the same scrape at most): a sample
            // accepted late is not compared with temperatures its peers reached seconds later, when a whole rack's
            // coolant is changing.
            if (p == g || Double.isNaN(p.temp) || p.tempTs < s.ts() - 5000 || p.tempTs > s.ts() + 500) continue;
            if (Math.abs(p.power - g.power) <= config.similarPowerFraction() * g.limit) peerTemps[n++] = p.temp;
        }
        if (n < 2) {
            return;
        }
        java.util.Arrays.sort(peerTemps, 0, n);
        double median = n % 2 == 1 ? peerTemps[n / 2] : (peerTemps[n / 2 - 1] + peerTemps[n / 2]) / 2;
        int peers = n;
        double delta = g.temp - median;
        g.deltaSamples++;
        if (g.deltaSamples <= config.coldPlateWarmupSamples()) {
            // Warm-up: the usual difference is the plain mean of what was seen, however large (GPUs of one host
            // differ by several degrees at the same power); nothing is judged until it has enough samples.
            g.usualDelta += (delta - g.usualDelta) / g.deltaSamples;
        }
        double excess = delta - g.usualDelta;
        boolean judged = g.deltaSamples > config.coldPlateWarmupSamples();
        boolean hot = judged && excess >= config.coldPlateDeltaC();
        boolean cool = excess < config.coldPlateDeltaC() * 0.6;
        if (!hot && !g.coldPlate.firing && g.deltaSamples > config.coldPlateWarmupSamples()) {
            g.usualDelta += USUAL_DELTA_LEARNING * (delta - g.usualDelta);
        }
        switch (g.coldPlate.observe(hot, cool, s.ts(), config.coldPlateFireSamples(),
                config.coldPlateResolveSamples())) {
            case FIRED -> out.collect(gpuEvent(h, id, g, AlertType.THERMAL, "cold-plate", AlertEvent.Severity.WARNING,
                    AlertEvent.State.FIRING, g.coldPlate.startMs, null, s.ts(),
                    String.format("GPU %s runs %.1f °C hotter than its %d host peers at similar power (%.0f W; "
                                    + "usually %+.1f °C): suspect its cold plate, pump or fan", where(h, id), delta,
                            peers, g.power, g.usualDelta),
                    Alerts.evidence("gpuTempC", g.temp, "peerMedianTempC", median, "powerW", g.power,
                            "usualDeltaC", g.usualDelta, "excessC", excess, "peers", (double) peers)));
            case RESOLVED -> out.collect(gpuEvent(h, id, g, AlertType.THERMAL, "cold-plate",
                    AlertEvent.Severity.WARNING, AlertEvent.State.RESOLVED, g.coldPlate.startMs, s.ts(), s.ts(),
                    String.format("GPU %s back within %.1f °C of its peers", where(h, id), delta), Map.of()));
            default -> { }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertEvent> out) throws Exception {
        HostState before = load();
        HostState h = release(before, timestamp, ctx.timerService(), out);
        if (h == null || timestamp != h.timer) {
            if (h != null) save(h);
            return;
        }
        long timeout = config.silenceTimeout().toMillis();
        if (ctx.timerService().currentWatermark() == Long.MAX_VALUE && !heardAfter(timestamp)) {
            // The end of a bounded input (a replay, a test) is not silence. But a replay read faster than its first
            // watermark has all of its time judged at the end: a host that has samples after this timer was not at
            // the end of its input, and is judged as at any other time.
            save(h);
            return;
        }
        if (h.lastSeen + config.entityTimeout().toMillis() <= timestamp) {
            forget(h, timestamp, out);
            drop();
            pending.clear();
            return;
        }
        long hostTimeout = timeout;
        for (GpuTrack g : h.gpus.values()) hostTimeout = Math.max(hostTimeout, silenceAfter(g));
        if (!h.silent && h.lastSeen + hostTimeout <= timestamp) {
            h.silent = true;
            h.silentSince = h.lastSeen;
            List<String> jobs = h.gpus.values().stream().map(x -> x.job).filter(j -> j != null).distinct().toList();
            out.collect(hostEvent(h, AlertEvent.State.FIRING, h.lastSeen, null, timestamp,
                    String.format("host %s: no samples from any of its %d GPUs for %.0f s%s", h.host, h.gpus.size(),
                            (timestamp - h.lastSeen) / 1000.0, jobs.isEmpty() ? "" : "; jobs " + String.join(", ", jobs)),
                    Alerts.evidence("silentSeconds", (timestamp - h.lastSeen) / 1000.0, "gpus", (double) h.gpus.size())));
            // The GPUs' own silences are this one; resolve any open and do not open more.
            for (Map.Entry<String, GpuTrack> e : h.gpus.entrySet()) {
                GpuTrack g = e.getValue();
                if (g.silent) {
                    out.collect(gpuEvent(h, e.getKey(), g, AlertType.SILENT, null, AlertEvent.Severity.WARNING,
                            AlertEvent.State.RESOLVED, g.silentSince, timestamp, timestamp,
                            "GPU " + where(h, e.getKey()) + ": now part of host " + h.host + " silent", Map.of()));
                }
                g.silent = true;
            }
        } else if (!h.silent) {
            for (Map.Entry<String, GpuTrack> e : h.gpus.entrySet()) {
                GpuTrack g = e.getValue();
                if (!g.silent && g.lastSeen + silenceAfter(g) <= timestamp) {
                    g.silent = true;
                    g.silentSince = g.lastSeen;
                    out.collect(gpuEvent(h, e.getKey(), g, AlertType.SILENT, null, AlertEvent.Severity.WARNING,
                            AlertEvent.State.FIRING, g.lastSeen, null, timestamp,
                            String.format("GPU %s: no samples for %.0f s while the host's other GPUs report",
                                    where(h, e.getKey()), (timestamp - g.lastSeen) / 1000.0),
                            Alerts.evidence("silentSeconds", (timestamp - g.lastSeen) / 1000.0)));
                }
            }
        }
        for (Map.Entry<String, GpuTrack> e : h.gpus.entrySet()) {
            GpuTrack g = e.getValue();
            if (g.xidOpen && g.xidLastAt + config.xidHold().toMillis() <= timestamp) {
                out.collect(xidResolved(h, e.getKey(), g, timestamp, "no recurrence"));
            }
        }
        long next = h.lastSeen + config.entityTimeout().toMillis();
        for (GpuTrack g : h.gpus.values()) {
            if (!g.silent) next = Math.min(next, g.lastSeen + silenceAfter(g));
            if (g.xidOpen) next = Math.min(next, g.xidLastAt + config.xidHold().toMillis());
        }
        h.timer = Math.max(next, timestamp + 1);
        ctx.timerService().registerEventTimeTimer(h.timer);
        save(h);
    }

    /** The host left (or its collector is gone for good): close what is open, drop the state. */
    private void forget(HostState h, long now, Collector<AlertEvent> out) {
        String why = " (host silent for " + config.entityTimeout().toMinutes() + " min; state dropped)";
        if (h.silent) {
            out.collect(hostEvent(h, AlertEvent.State.RESOLVED, h.silentSince, now, now,
                    "host " + h.host + " forgotten" + why, Map.of()));
        }
        for (Map.Entry<String, GpuTrack> e : h.gpus.entrySet()) {
            GpuTrack g = e.getValue();
            String w = where(h, e.getKey());
            if (g.lost.close()) out.collect(gpuEvent(h, e.getKey(), g, AlertType.GPU_LOST, null,
                    AlertEvent.Severity.CRITICAL, AlertEvent.State.RESOLVED, g.lost.startMs, now, now,
                    "GPU " + w + " forgotten" + why, Map.of()));
            if (g.xidOpen) out.collect(xidResolved(h, e.getKey(), g, now, "host forgotten" + why));
            if (g.coldPlate.close()) out.collect(gpuEvent(h, e.getKey(), g, AlertType.THERMAL, "cold-plate",
                    AlertEvent.Severity.WARNING, AlertEvent.State.RESOLVED, g.coldPlate.startMs, now, now,
                    "GPU " + w + " forgotten" + why, Map.of()));
        }
    }

    private AlertEvent xidResolved(HostState h, String id, GpuTrack g, long now, String why) {
        g.xidOpen = false;
        XidCatalogue.Entry entry = XidCatalogue.lookup(g.xidCode);
        return gpuEvent(h, id, g, AlertType.XID, String.valueOf(g.xidCode), entry.severity(), AlertEvent.State.RESOLVED,
                g.xidStart, now, now, String.format("XID %d on GPU %s: %s (seen %d times)", g.xidCode, where(h, id),
                        why, g.xidCount), Alerts.evidence("xid", (double) g.xidCode, "occurrences", (double) g.xidCount));
    }

    private AlertEvent gpuEvent(HostState h, String id, GpuTrack g, AlertType type, String detail,
                                AlertEvent.Severity severity, AlertEvent.State st, long start, Long end, long detected,
                                String summary, Map<String, Double> evidence) {
        String[] parts = id.split("/", 2);
        Map<String, String> identity = Alerts.labels("cluster", h.cluster, "host", h.host, "gpu", parts[0],
                "mig", parts.length > 1 ? parts[1] : null);
        if (type == AlertType.XID) identity.put("xid", detail);
        if (type == AlertType.THERMAL) identity.put("check", detail);
        return Alerts.event(type, severity, st, identity, Alerts.labels("row", h.row, "rack", h.rack, "uuid", g.uuid,
                        "job", g.job, "rank", g.rank, "scope", "gpu"), start, end, detected, summary, evidence,
                h.nextOrigin("detector-health:" + h.cluster + "/" + h.host, start));
    }

    private AlertEvent hostEvent(HostState h, AlertEvent.State st, long start, Long end, long detected, String summary,
                                 Map<String, Double> evidence) {
        return Alerts.event(AlertType.SILENT, AlertEvent.Severity.CRITICAL, st,
                Alerts.labels("cluster", h.cluster, "host", h.host),
                Alerts.labels("row", h.row, "rack", h.rack, "scope", "host", "collector", h.collector), start, end,
                detected, summary, evidence,
                h.nextOrigin("detector-health:" + h.cluster + "/" + h.host, start));
    }

    private static String where(HostState h, String id) {
        return h.host + "/gpu" + id;
    }
}
