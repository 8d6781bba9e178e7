package io.vigil.detection.ingest;

import io.vigil.detection.job.JobSignal;
import io.vigil.model.CoolingSample;
import io.vigil.model.DeadLetter;
import io.vigil.model.GpuSample;
import io.vigil.model.JobEvent;
import io.vigil.model.PowerSample;
import io.vigil.model.RejectReason;
import io.vigil.model.Rejection;
import io.vigil.model.StepEvent;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import java.time.Clock;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Runs once event time is assigned. A record behind the watermark by no more than the late tolerance is still
 * judged, and counted ({@code accepted_late}): a host whose clock runs a few seconds behind, or whose collector
 * delivers in bursts, is part of the fleet, not noise — the per-GPU and per-host detectors take its samples in their
 * own order and the job windows learn to wait for it. Further behind, a record is dead-lettered as
 * {@link RejectReason#LATE} and counted ({@code rejected_late}), kept for the record, not silently dropped. The rest is split by kind: GPU
 * samples on the main output, the others on side outputs; job events, step events and job-attributed GPU samples
 * also go, as {@link JobSignal}s, to the job-level detectors.
 *
 * <p>A BMC's GPU samples ({@code source: REDFISH}) go to the {@link BmcGpuArbiter} ({@link #BMC_GPU}), which
 * passes them to the GPU detectors only for GPUs nobody reports in band; for that it learns, from
 * {@link #GPU_PRESENCE}, which GPUs are reported in band (one presence per GPU every
 * {@value #PRESENCE_EVERY_MS} ms at most, not every sample). A BMC sample without a UUID cannot be matched to its
 * in-band twin and is stored but not judged, as are single power supplies ({@code PSU}), whose capacity alerts
 * would repeat their shelf's or host's once per supply; both are counted ({@code stored_not_judged}).
 */
public final class TelemetryRouter extends ProcessFunction<SourcedRecord, GpuSample> {

    public static final OutputTag<DeadLetter> LATE = new OutputTag<>("late") {};
    public static final OutputTag<PowerSample> POWER = new OutputTag<>("power") {};
    public static final OutputTag<CoolingSample> COOLING = new OutputTag<>("cooling") {};
    public static final OutputTag<JobSignal> JOB_SIGNALS = new OutputTag<>("job-signals") {};
    public static final OutputTag<GpuSample> BMC_GPU = new OutputTag<>("bmc-gpu", GpuSampleSerializer.TYPE) {};
    public static final OutputTag<GpuPresence> GPU_PRESENCE = new OutputTag<>("gpu-presence") {};
    static final long PRESENCE_EVERY_MS = 10_000; // three within the arbiter's 30 s settle time
    /** GPUs whose last presence this subtask remembers; beyond that it starts over (and sends them again). */
    private static final int PRESENCE_MEMORY = 250_000;

    private final Topics topics;
    private final Clock clock;
    private final long lateToleranceMs;
    private transient Counter late;
    /** Records refused as late, per source (the collector that sent them): which source's backlog was not judged. */
    private transient java.util.HashMap<String, Counter> lateBySource;
    private transient Counter acceptedLate;
    private transient Counter notJudged;
    /** When this subtask last sent each GPU's presence, by UUID: not state, only a thinning (a restart sends again). */
    private transient java.util.HashMap<String, long[]> presenceSent;

    public TelemetryRouter(Topics topics, Clock clock, java.time.Duration lateTolerance) {
        this.topics = topics;
        this.clock = clock;
        this.lateToleranceMs = lateTolerance.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        late = getRuntimeContext().getMetricGroup().addGroup(io.vigil.model.metrics.PrometheusText.FLINK_GROUP).counter(RejectReason.LATE.counterName());
        lateBySource = new java.util.HashMap<>();
        notJudged = getRuntimeContext().getMetricGroup().addGroup(io.vigil.model.metrics.PrometheusText.FLINK_GROUP).counter("stored_not_judged");
        acceptedLate = getRuntimeContext().getMetricGroup().addGroup(io.vigil.model.metrics.PrometheusText.FLINK_GROUP).counter("accepted_late");
        presenceSent = new java.util.HashMap<>();
    }

    @Override
    public void processElement(SourcedRecord in, Context ctx, Collector<GpuSample> out) {
        TelemetryRecord r = in.record();
        long wm = ctx.timerService().currentWatermark();
        // Job events are control records: a late START or END still changes what the job holds.
        if (!(r instanceof JobEvent) && r.eventTimeMs() <= wm && wm != Long.MIN_VALUE
                && r.eventTimeMs() > wm - lateToleranceMs) {
            acceptedLate.inc();
        } else if (!(r instanceof JobEvent) && r.eventTimeMs() <= wm) {
            late.inc();
            lateFrom(r).inc();
            ctx.output(LATE, DeadLetter.of(new Rejection(RejectReason.LATE, String.format(
                            "event time %d is %d ms behind the watermark %d", r.eventTimeMs(), wm - r.eventTimeMs(), wm)),
                    in.topic(), in.partition(), null, clock.instant(), WireFormat.encode(r)));
            return;
        }
        if (r instanceof GpuSample s && s.source() == GpuSample.Source.REDFISH) {
            if (s.uuid() == null || s.uuid().isBlank()) notJudged.inc();
            else ctx.output(BMC_GPU, s);
        } else if (r instanceof PowerSample p && p.source() == PowerSample.Source.PSU) {
            notJudged.inc();
        } else if (r instanceof GpuSample s) {
            out.collect(s);
            if (s.uuid() != null && !s.uuid().isBlank()) presence(s, ctx);
            JobSignal j = JobSignal.of(s);
            if (j != null) ctx.output(JOB_SIGNALS, j);
        } else if (r instanceof PowerSample p) {
            ctx.output(POWER, p);
        } else if (r instanceof CoolingSample c) {
            ctx.output(COOLING, c);
        } else if (r instanceof JobEvent e) {
            ctx.output(JOB_SIGNALS, JobSignal.of(e));
        } else if (r instanceof StepEvent e) {
            ctx.output(JOB_SIGNALS, JobSignal.of(e));
        }
    }

    /** The late counter of the record's source (label {@code source}); at most 1,000 sources, then "other". */
    private Counter lateFrom(TelemetryRecord r) {
        String source = r.origin() == null || r.origin().collector() == null ? "unknown" : r.origin().collector();
        Counter c = lateBySource.get(source);
        if (c != null) return c;
        if (lateBySource.size() >= 1_000) source = "other";
        return lateBySource.computeIfAbsent(source, k -> getRuntimeContext().getMetricGroup()
                .addGroup(io.vigil.model.metrics.PrometheusText.FLINK_GROUP).addGroup("source", k).counter("rejected_late_by_source"));
    }

    /** Emits the GPU's presence at most every {@value #PRESENCE_EVERY_MS} ms; per sample only a map lookup. */
    private void presence(GpuSample s, Context ctx) {
        long[] last = presenceSent.get(s.uuid());
        if (last != null && s.ts() - last[0] < PRESENCE_EVERY_MS && s.ts() >= last[0]) return;
        if (last == null) {
            if (presenceSent.size() >= PRESENCE_MEMORY) presenceSent.clear(); // a thinning, not state
            presenceSent.put(s.uuid(), new long[] {s.ts()});
        } else {
            last[0] = s.ts();
        }
        ctx.output(GPU_PRESENCE, new GpuPresence(GpuPresence.keyOf(s.cluster(), s.uuid()), s.ts()));
    }
}
