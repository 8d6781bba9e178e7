package io.vigil.detection.ingest;

import io.vigil.model.GpuSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decides, per GPU (cluster and UUID), whether its BMC's samples are judged. A GPU seen in band (NVML or
 * dcgm-exporter) is judged from those samples only: they are faster and richer, and two streams of one GPU would page
 * twice. A GPU that only its BMC reports — a GB200/GB300 tray watched through its BMC alone, or a host whose in-band
 * agent is down — is judged from the BMC's samples, at the BMC's rate, once the BMC has reported it for
 * {@code settle} and no in-band sample is younger than {@code settle} (so a host's in-band agent that starts a few
 * seconds after the BMC is not raced, and one that stops hands over after {@code settle}).
 *
 * <p>A BMC sample is decided when the watermark passes it, not when it arrives: by then every in-band sample of the
 * same moment has arrived, whichever input Flink happened to read first. So the same input gives the same decisions
 * at any speed, at the cost of the watermark's lag for BMC-judged GPUs.
 *
 * <p>Counted: {@code bmc_gpu_judged} (BMC samples passed to the GPU detectors) and {@code bmc_gpu_shadowed} (BMC
 * samples of a GPU reported in band, or still settling: stored, not judged). State per GPU is two timestamps,
 * dropped {@code timeout} after the GPU's last sample of either kind.
 */
public final class BmcGpuArbiter extends KeyedCoProcessFunction<String, GpuPresence, GpuSample, GpuSample> {

    /** Per GPU: when it was last reported in band, when its BMC first and last reported it, and the cleanup timer. */
    public static final class Seen {
        public long inBandMs = Long.MIN_VALUE;
        public long bmcSinceMs = Long.MIN_VALUE;
        public long lastMs = Long.MIN_VALUE;
        public long timerMs = Long.MIN_VALUE;
    }

    private final long settleMs;
    private final long timeoutMs;
    private transient ValueState<Seen> state;
    /** BMC samples waiting for the watermark to pass them. */
    private transient org.apache.flink.api.common.state.ListState<GpuSample> waiting;
    private transient Counter judged;
    private transient Counter shadowed;

    /**
     * @param settle  how long a GPU must be reported by its BMC alone before its BMC samples are judged; also how
     *                long an in-band sample keeps the BMC's out
     * @param timeout how long a GPU reported by neither is remembered
     */
    public BmcGpuArbiter(Duration settle, Duration timeout) {
        this.settleMs = settle.toMillis();
        this.timeoutMs = timeout.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("bmc-gpu", Seen.class));
        waiting = getRuntimeContext().getListState(new org.apache.flink.api.common.state.ListStateDescriptor<>(
                "bmc-gpu-waiting", GpuSampleSerializer.TYPE));
        judged = getRuntimeContext().getMetricGroup().addGroup(io.vigil.model.metrics.PrometheusText.FLINK_GROUP).counter("bmc_gpu_judged");
        shadowed = getRuntimeContext().getMetricGroup().addGroup(io.vigil.model.metrics.PrometheusText.FLINK_GROUP).counter("bmc_gpu_shadowed");
    }

    @Override
    public void processElement1(GpuPresence p, Context ctx, Collector<GpuSample> out) throws Exception {
        Seen s = seen();
        s.inBandMs = Math.max(s.inBandMs, p.ts);
        touch(s, p.ts, ctx);
    }

    @Override
    public void processElement2(GpuSample bmc, Context ctx, Collector<GpuSample> out) throws Exception {
        Seen s = seen();
        waiting.add(bmc);
        ctx.timerService().registerEventTimeTimer(bmc.ts());
        touch(s, bmc.ts(), ctx);
    }

    /** Decides one BMC sample, once every in-band sample up to its time is known. */
    private void decide(Seen s, GpuSample bmc, Collector<GpuSample> out) {
        long ts = bmc.ts();
        boolean inBandRecently = s.inBandMs != Long.MIN_VALUE && s.inBandMs > ts - settleMs;
        if (s.bmcSinceMs == Long.MIN_VALUE || ts < s.bmcSinceMs) s.bmcSinceMs = ts;
        if (!inBandRecently && ts - s.bmcSinceMs >= settleMs) {
            judged.inc();
            out.collect(bmc);
        } else {
            shadowed.inc();
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<GpuSample> out) throws Exception {
        Seen s = state.value();
        if (s == null) return;
        List<GpuSample> due = new ArrayList<>(), later = new ArrayList<>();
        for (GpuSample w : waiting.get()) (w.ts() <= timestamp ? due : later).add(w);
        if (!due.isEmpty()) {
            due.sort(java.util.Comparator.comparingLong(GpuSample::ts));
            for (GpuSample w : due) decide(s, w, out);
            waiting.update(later);
        }
        if (timestamp == s.timerMs) {
            long expires = s.lastMs + timeoutMs;
            if (expires <= timestamp && later.isEmpty()) {
                state.clear();
                waiting.clear();
                return;
            }
            s.timerMs = Math.max(expires, timestamp + 1);
            ctx.timerService().registerEventTimeTimer(s.timerMs);
        }
        state.update(s);
    }

    private Seen seen() throws java.io.IOException {
        Seen s = state.value();
        return s == null ? new Seen() : s;
    }

    private void touch(Seen s, long ts, Context ctx) throws java.io.IOException {
        s.lastMs = Math.max(s.lastMs, ts);
        if (s.timerMs == Long.MIN_VALUE) {
            s.timerMs = s.lastMs + timeoutMs;
            ctx.timerService().registerEventTimeTimer(s.timerMs);
        }
        state.update(s);
    }
}
