package io.vigil.detection;

import io.vigil.detection.facility.FacilityConfig;
import io.vigil.detection.health.HostHealthConfig;
import io.vigil.detection.job.StragglerConfig;
import io.vigil.detection.job.SyncStallConfig;
import io.vigil.detection.ingest.RawTelemetry;
import org.apache.flink.connector.base.DeliveryGuarantee;
import io.vigil.detection.kafka.KafkaWiring;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import io.vigil.detection.thermal.ThermalConfig;
import io.vigil.model.Topics;
import io.vigil.model.config.CommonSettings;
import io.vigil.model.config.KafkaSecurity;
import io.vigil.model.config.Settings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the detection job against Kafka: on a Flink cluster ({@code flink run -c io.vigil.detection.DetectionJobMain
 * vigil-stream-jobs.jar [config.properties]}) or, from the launcher, on a local MiniCluster. Reads settings only;
 * the graph is {@link DetectionJob}'s.
 */
public final class DetectionJobMain {

    /** Settings with their defaults; each can be overridden by a file or by {@code VIGIL_<KEY>}. */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>(CommonSettings.kafka());
        d.put("detection.group-id", "vigil-detection");
        d.put("detection.checkpoint-interval", "2s");
        d.put("detection.transactional-id-prefix", "vigil-detection");
        d.put("detection.alert-delivery", "exactly-once");
        d.put("detection.max-out-of-orderness", "2s");
        d.put("detection.late-tolerance", "30s");
        d.put("detection.idle-timeout", "10s");
        d.put("detection.max-future-skew", "5m");
        d.put("thermal.fire-after-samples", "3");
        d.put("thermal.resolve-after-samples", "5");
        d.put("thermal.resolve-margin-c", "3");
        d.put("thermal.default-slowdown-c", "87");
        d.put("thermal.entity-timeout", "2m");
        d.put("detection.job-window", "1s");
        d.put("detection.job-timeout", "5m");
        d.put("detection.incident-grace", "5m");
        d.put("detection.incident-hold", "0s");
        StragglerConfig st = StragglerConfig.defaults();
        d.put("straggler.min-ranks", String.valueOf(st.minRanks()));
        d.put("straggler.warmup-windows", String.valueOf(st.warmupWindows()));
        d.put("straggler.z-threshold", String.valueOf(st.zThreshold()));
        d.put("straggler.min-clock-drop", String.valueOf(st.minClockDrop()));
        d.put("straggler.min-activity-gap-pct", String.valueOf(st.minActivityGapPct()));
        d.put("straggler.min-step-deviation", String.valueOf(st.minStepDeviation()));
        d.put("straggler.baseline-alpha", String.valueOf(st.baselineAlpha()));
        d.put("straggler.fire-windows", String.valueOf(st.fireWindows()));
        d.put("straggler.history-windows", String.valueOf(st.historyWindows()));
        d.put("straggler.resolve-windows", String.valueOf(st.resolveWindows()));
        d.put("straggler.host-fraction", String.valueOf(st.hostFraction()));
        d.put("stall.fraction", "0.9");
        d.put("stall.max-tensor-pct", "5");
        d.put("stall.paused-power-fraction", "0.3");
        d.put("stall.max-link-bps", "1e9");
        d.put("stall.spinning-util-pct", "80");
        d.put("stall.min-spinning", "60s");
        d.put("stall.min-idle", "4m");
        d.put("stall.learned-factor", "1.5");
        d.put("stall.max", "5m");
        d.put("stall.resume-windows", "3");
        d.put("health.silence-timeout", "15s");
        d.put("health.entity-timeout", "10m");
        d.put("health.lost-resolve-samples", "3");
        d.put("health.xid-hold", "10m");
        d.put("health.cold-plate-delta-c", "5");
        d.put("health.similar-power-fraction", "0.15");
        d.put("health.cold-plate-fire-samples", "3");
        d.put("health.cold-plate-resolve-samples", "10");
        d.put("health.cold-plate-warmup-samples", "20");
        d.put("facility.fire-samples", "3");
        d.put("facility.resolve-samples", "10");
        d.put("facility.warmup-samples", "10");
        d.put("cooling.flow-loss-fraction", "0.7");
        d.put("cooling.pressure-loss-fraction", "0.7");
        d.put("cooling.supply-rise-c", "5");
        d.put("cooling.supply-max-c", "45");
        d.put("cooling.inlet-air-max-c", "27");
        d.put("power.pdu-warn-fraction", "0.9");
        d.put("power.pdu-critical-fraction", "0.97");
        d.put("facility.entity-timeout", "10m");
        return d;
    }

    /** The job's settings: where Kafka is, how often to checkpoint, and the detectors' parameters. */
    public record JobSettings(String bootstrap, KafkaSecurity kafkaSecurity, String groupId, Duration checkpointInterval,
                              String transactionalIdPrefix, DeliveryGuarantee alertDelivery,
                              DetectionConfig detection) {

        public static JobSettings from(Settings s) {
            ThermalConfig thermal = new ThermalConfig(
                    s.integer("thermal.fire-after-samples", 1, 1000),
                    s.integer("thermal.resolve-after-samples", 1, 1000),
                    s.decimal("thermal.resolve-margin-c", 0, 50),
                    s.decimal("thermal.default-slowdown-c", 30, 130),
                    s.duration("thermal.entity-timeout"));
            StragglerConfig straggler = new StragglerConfig(s.integer("straggler.min-ranks", 3, 100_000),
                    s.integer("straggler.warmup-windows", 0, 100_000), s.decimal("straggler.z-threshold", 1, 100),
                    s.decimal("straggler.min-clock-drop", 0, 1), s.decimal("straggler.min-activity-gap-pct", 0, 100),
                    s.decimal("straggler.min-step-deviation", 0, 100),
                    s.decimal("straggler.baseline-alpha", 0, 1), s.integer("straggler.fire-windows", 1, 62),
                    s.integer("straggler.history-windows", 1, 62), s.integer("straggler.resolve-windows", 1, 10_000),
                    s.decimal("straggler.host-fraction", 0.01, 1));
            SyncStallConfig stall = new SyncStallConfig(s.decimal("stall.fraction", 0.5, 1),
                    s.decimal("stall.max-tensor-pct", 0, 100), s.decimal("stall.paused-power-fraction", 0, 1),
                    s.decimal("stall.max-link-bps", 0, 1e13), s.decimal("stall.spinning-util-pct", 0, 100),
                    s.duration("stall.min-spinning"), s.duration("stall.min-idle"),
                    s.decimal("stall.learned-factor", 1, 100), s.duration("stall.max"),
                    s.integer("stall.resume-windows", 1, 10_000));
            HostHealthConfig health = new HostHealthConfig(s.duration("health.silence-timeout"),
                    s.duration("health.entity-timeout"), s.integer("health.lost-resolve-samples", 1, 10_000),
                    s.duration("health.xid-hold"), s.decimal("health.cold-plate-delta-c", 0.1, 100),
                    s.decimal("health.similar-power-fraction", 0, 1), s.integer("health.cold-plate-fire-samples", 1, 10_000),
                    s.integer("health.cold-plate-resolve-samples", 1, 10_000),
                    s.integer("health.cold-plate-warmup-samples", 0, 100_000));
            FacilityConfig facility = new FacilityConfig(s.integer("facility.fire-samples", 1, 10_000),
                    s.integer("facility.resolve-samples", 1, 10_000), s.integer("facility.warmup-samples", 1, 100_000),
                    s.decimal("cooling.flow-loss-fraction", 0, 1), s.decimal("cooling.pressure-loss-fraction", 0, 1),
                    s.decimal("cooling.supply-rise-c", 0, 100), s.decimal("cooling.supply-max-c", 0, 150),
                    s.decimal("cooling.inlet-air-max-c", 0, 100), s.decimal("power.pdu-warn-fraction", 0, 2),
                    s.decimal("power.pdu-critical-fraction", 0, 2), s.duration("facility.entity-timeout"));
            DetectionConfig detection = new DetectionConfig(CommonSettings.topics(s),
                    s.duration("detection.max-out-of-orderness"), s.duration("detection.idle-timeout"),
                    s.duration("detection.max-future-skew"), thermal, s.duration("detection.job-window"),
                    s.duration("detection.job-timeout"), straggler, stall, health, facility,
                    s.duration("detection.incident-grace"), s.duration("detection.late-tolerance"),
                    s.duration("detection.incident-hold"));
            return new JobSettings(s.required("kafka.bootstrap"), KafkaSecurity.from(s), s.required("detection.group-id"),
                    s.duration("detection.checkpoint-interval"), s.required("detection.transactional-id-prefix"),
                    delivery(s), detection);
        }

        private static DeliveryGuarantee delivery(Settings s) {
            String v = s.required("detection.alert-delivery");
            switch (v) {
                case "at-least-once": return DeliveryGuarantee.AT_LEAST_ONCE;
                case "exactly-once": return DeliveryGuarantee.EXACTLY_ONCE;
                default: throw new Settings.ConfigException("setting 'detection.alert-delivery' = '" + v
                        + "': expected at-least-once or exactly-once");
            }
        }
    }

    private DetectionJobMain() {}

    /** Builds the Kafka-backed job on {@code env} and starts it without waiting for it to end. */
    public static JobClient start(StreamExecutionEnvironment env, JobSettings settings) throws Exception {
        return start(env, settings, new KafkaWiring.RawDeserializer());
    }

    /** The same, reading Kafka records with {@code deserializer} (tests inject a failure mid-stream with one). */
    public static JobClient start(StreamExecutionEnvironment env, JobSettings settings,
                                  KafkaRecordDeserializationSchema<RawTelemetry> deserializer) throws Exception {
        env.enableCheckpointing(settings.checkpointInterval().toMillis());
        Topics topics = settings.detection().topics();
        new DetectionJob(
                KafkaWiring.telemetrySource(settings.bootstrap(), settings.kafkaSecurity(), topics, settings.groupId(), deserializer),
                KafkaWiring.alertSink(settings.bootstrap(), settings.kafkaSecurity(), topics, settings.transactionalIdPrefix(),
                        settings.alertDelivery()),
                KafkaWiring.deadLetterSink(settings.bootstrap(), settings.kafkaSecurity(), topics),
                settings.detection(),
                Clock.systemUTC()).build(env);
        return env.executeAsync("vigil-detection");
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.load(defaults(), args.length > 0 ? Path.of(args[0]) : null, System.getenv(), Map.of());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobClient client = start(env, JobSettings.from(settings));
        // `flink run --detached` (./vigil cluster submits so): submitted is done; attached, wait for the job's end.
        if (env.getConfiguration().get(org.apache.flink.configuration.DeploymentOptions.ATTACHED)) {
            client.getJobExecutionResult().get();
        }
    }
}
