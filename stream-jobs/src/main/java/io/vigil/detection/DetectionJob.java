package io.vigil.detection;

import io.vigil.detection.ingest.RawTelemetry;
import io.vigil.detection.ingest.TelemetryDecoder;
import io.vigil.detection.thermal.ThermalDetector;
import io.vigil.model.AlertEvent;
import io.vigil.model.DeadLetter;
import io.vigil.model.GpuSample;
import java.time.Clock;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The detection job's wiring, and nothing else: raw telemetry → decode and validate (refused records → dead
 * letters) → event time → per-GPU detectors → alerts. Sources and sinks come from outside, so production (Kafka)
 * and tests (bounded sources, collecting sinks) run the very same graph.
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
        DataStream<RawTelemetry> raw = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "telemetry-source")
                .uid("telemetry-source");

        SingleOutputStreamOperator<GpuSample> gpu = raw
                .process(new TelemetryDecoder(config.topics(), clock, config.maxFutureSkew()))
                .name("decode-and-validate").uid("decode-and-validate");

        gpu.getSideOutput(TelemetryDecoder.DEAD_LETTERS)
                .sinkTo(deadLetterSink).name("dead-letter-sink").uid("dead-letter-sink");

        DataStream<GpuSample> timed = gpu.assignTimestampsAndWatermarks(
                        WatermarkStrategy.<GpuSample>forBoundedOutOfOrderness(config.maxOutOfOrderness())
                                .withTimestampAssigner((s, previous) -> s.ts())
                                .withIdleness(config.idleTimeout()))
                .name("gpu-event-time").uid("gpu-event-time");

        timed.keyBy(GpuSample::gpuKey)
                .process(new ThermalDetector(config.thermal()))
                .name("thermal-detector").uid("thermal-detector")
                .sinkTo(alertSink).name("alert-sink").uid("alert-sink");
    }
}
