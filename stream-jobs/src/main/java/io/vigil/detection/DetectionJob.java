package io.vigil.detection;

import io.vigil.detection.facility.CoolingDetector;
import io.vigil.detection.facility.PowerDetector;
import io.vigil.detection.health.HostHealthDetector;
import io.vigil.detection.incident.IncidentCorrelator;
import io.vigil.detection.ingest.GpuSampleSerializer;
import io.vigil.detection.ingest.HostMedianWatermarks;
import io.vigil.detection.ingest.RawTelemetry;
import io.vigil.detection.ingest.SourcedRecord;
import io.vigil.detection.ingest.TelemetryDecoder;
import io.vigil.detection.ingest.TelemetryRouter;
import io.vigil.detection.job.JobSignal;
import io.vigil.detection.job.JobWindow;
import io.vigil.detection.job.JobWindowAggregator;
import io.vigil.detection.job.StragglerDetector;
import io.vigil.detection.job.SyncStallDetector;
import io.vigil.detection.thermal.ThermalDetector;
import io.vigil.model.AlertEvent;
import io.vigil.model.DeadLetter;
import io.vigil.model.GpuSample;
import java.time.Clock;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The detection job's wiring, and nothing else:
 * <pre>
 * raw telemetry → decode and validate ──refused──────────────────────────────┐
 *   → event time (median host clock) → route ──later than the tolerance─────→ dead letters
 *       ├─ GPU samples ─ by GPU  → thermal
 *       │               └ by host → host health (silence, lost, XID, cold plate)
 *       ├─ job signals (ranks' samples, steps, job events) ─ by job → windows → stragglers, sync stalls
 *       ├─ cooling ─ by device → cooling      └─ power ─ by device → power
 *       └─ all alerts ─ by cluster → incident correlator → alerts
 * </pre>
 * Sources and sinks come from outside, so production (Kafka) and tests (bounded sources, collecting sinks) run the
 * very same graph.
 */
public final class DetectionJob {

    private final Source<RawTelemetry, ?, ?> source;
    private final Sink<AlertEvent> alertSink;
    private final Sink<DeadLetter> deadLetterSink;
    private final DetectionConfig config;
    private final Clock clock;

    public DetectionJob(Source<RawTelemetry, ?, ?> source, Sink<AlertEvent> alertSink,
                        Sink<DeadLetter> deadLetterSink, DetectionConfig config, Clock clock) {
        this.source = source;
        this.alertSink = alertSink;
        this.deadLetterSink = deadLetterSink;
        this.config = config;
        this.clock = clock;
    }

    /** Adds the job's operators to {@code env}; the caller executes it. */
    public void build(StreamExecutionEnvironment env) {
        // Records are immutable and no operator keeps or changes its input, so chained operators may hand records
        // over without a copy (a GPU sample copy per operator hop costs more than the detectors).
        env.getConfig().enableObjectReuse();
        DataStream<RawTelemetry> raw = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "telemetry-source")
                .uid("telemetry-source");

        SingleOutputStreamOperator<SourcedRecord> decoded = raw
                .process(new TelemetryDecoder(config.topics(), clock, config.maxFutureSkew()))
                .name("decode-and-validate").uid("decode-and-validate");

        SingleOutputStreamOperator<GpuSample> gpu = decoded
                .assignTimestampsAndWatermarks(
                        HostMedianWatermarks.strategy(config.maxOutOfOrderness(), config.idleTimeout()))
                .name("event-time").uid("event-time")
                .process(new TelemetryRouter(config.topics(), clock, config.lateTolerance()), GpuSampleSerializer.TYPE)
                .name("route").uid("route");

        decoded.getSideOutput(TelemetryDecoder.DEAD_LETTERS)
                .union(gpu.getSideOutput(TelemetryRouter.LATE))
                .sinkTo(deadLetterSink).name("dead-letter-sink").uid("dead-letter-sink");

        // A BMC's GPU samples join the GPU detectors' input only for GPUs nobody reports in band.
        DataStream<GpuSample> bmcJudged = gpu.getSideOutput(TelemetryRouter.GPU_PRESENCE)
                .keyBy(p -> p.key)
                .connect(gpu.getSideOutput(TelemetryRouter.BMC_GPU)
                        .keyBy(s -> io.vigil.detection.ingest.GpuPresence.keyOf(s.cluster(), s.uuid())))
                .process(new io.vigil.detection.ingest.BmcGpuArbiter(config.lateTolerance(),
                        config.health().entityTimeout()), GpuSampleSerializer.TYPE)
                .name("bmc-gpu-arbiter").uid("bmc-gpu-arbiter");
        DataStream<GpuSample> judged = gpu.union(bmcJudged);

        // Thermal and data quality, both per GPU, in one operator: the GPU samples cross the network once for both
        // (the uid is the thermal detector's, whose state a checkpoint holds).
        DataStream<AlertEvent> thermal = judged
                .keyBy(GpuSample::gpuKey)
                .process(new io.vigil.detection.alert.KeyedDetectors<>(new ThermalDetector(config.thermal()),
                        new io.vigil.detection.quality.DataQualityDetector(config.thermal().entityTimeout())))
                .name("thermal-and-data-quality").uid("thermal-detector");

        DataStream<AlertEvent> health = judged
                .keyBy(s -> s.cluster() + "/" + s.host())
                .process(new HostHealthDetector(config.health()))
                .name("host-health-detector").uid("host-health-detector");

        DataStream<JobWindow> windows = gpu.getSideOutput(TelemetryRouter.JOB_SIGNALS)
                .keyBy(JobSignal::jobKey)
                .process(new JobWindowAggregator(config.jobWindow(), config.jobTimeout(), config.maxOutOfOrderness(),
                        config.lateTolerance()))
                .name("job-windows").uid("job-windows");

        // The windows leave the job-keyed aggregator partitioned by job already: the job-level detectors chain to it
        // instead of shuffling every window (512 ranks each) again.
        KeyedStream<JobWindow, String> byJob = DataStreamUtils.reinterpretAsKeyedStream(windows, JobWindow::jobKey);

        DataStream<AlertEvent> stragglers = byJob
                .process(new StragglerDetector(config.straggler()))
                .name("straggler-detector").uid("straggler-detector");

        DataStream<AlertEvent> stalls = byJob
                .process(new SyncStallDetector(config.stall()))
                .name("sync-stall-detector").uid("sync-stall-detector");

        DataStream<AlertEvent> cooling = gpu.getSideOutput(TelemetryRouter.COOLING)
                .keyBy(c -> c.cluster() + "/" + c.device())
                .process(new CoolingDetector(config.facility()))
                .name("cooling-detector").uid("cooling-detector");

        DataStream<AlertEvent> power = gpu.getSideOutput(TelemetryRouter.POWER)
                .keyBy(p -> p.cluster() + "/" + p.device())
                .process(new PowerDetector(config.facility()))
                .name("power-detector").uid("power-detector");

        thermal.union(health, stragglers, stalls, cooling, power)
                .keyBy(a -> a.labels().getOrDefault("cluster", ""))
                .process(new IncidentCorrelator(config.incidentGrace(), config.incidentHold(),
                        config.repageQuiet()))
                .name("incident-correlator").uid("incident-correlator")
                .sinkTo(alertSink).name("alert-sink").uid("alert-sink");
    }
}
