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
import io.vigil.model.config.SettingSpecs;
import io.vigil.model.config.SettingSpecs.Range;
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

    /** The component's settings: each key with its default and description (README's configuration table). */
    public static SettingSpecs settings() {
        SettingSpecs s = new SettingSpecs().addAll(CommonSettings.kafkaSettings());
        s.add("detection.group-id", "vigil-detection",
                "Kafka consumer group of the detection job");
        s.add("detection.checkpoint-interval", "2s",
                "Flink checkpoint interval (with exactly-once delivery, also the alert delay)");
        s.add("detection.transactional-id-prefix", "vigil-detection",
                "transactional ids of the exactly-once alert sink");
        s.add("detection.alert-delivery", "exactly-once", Range.oneOf("exactly-once", "at-least-once"),
                "`exactly-once` (Kafka transactions, visible on checkpoint) or `at-least-once`");
        s.add("detection.max-out-of-orderness", "2s",
                "watermark delay behind the newest sample");
        s.add("detection.late-tolerance", "30s",
                "records up to this far behind the watermark are still judged, and job windows wait for a job's "
                        + "late reporters up to this; further behind they are dead-lettered (`LATE`)");
        s.add("detection.idle-timeout", "10s",
                "a silent partition stops holding back the watermark");
        s.add("detection.max-future-skew", "5m",
                Range.duration(java.time.Duration.ZERO, java.time.Duration.ofDays(1)),
                "samples stamped further ahead are dead-lettered (`FUTURE_TIMESTAMP`)");
        s.add("thermal.fire-after-samples", "3", Range.integer(1, 1000),
                "consecutive hot samples before a THERMAL alert fires");
        s.add("thermal.resolve-after-samples", "5", Range.integer(1, 1000),
                "consecutive cool samples before it resolves");
        s.add("thermal.resolve-margin-c", "3", Range.decimal(0, 50),
                "\"cool\" means this far under the device's slowdown threshold, and no thermal throttle reason");
        s.add("thermal.default-slowdown-c", "87", Range.decimal(30, 130),
                "threshold for samples that do not carry the device's own");
        s.add("thermal.entity-timeout", "2m",
                "a GPU silent this long (event time) is forgotten; its firing alert is closed");
        s.add("detection.job-window", "1s",
                "window the ranks of a job are compared over");
        s.add("detection.job-timeout", "5m",
                "a job silent this long is forgotten");
        s.add("detection.incident-grace", "5m",
                "a resolved incident still takes late consequences this long");
        s.add("detection.repage-quiet", "10m", Range.duration(java.time.Duration.ZERO, java.time.Duration.ofHours(24)),
                "an incident's root must stay resolved this long before the resolve is sent; the same problem firing "
                        + "again sooner continues the incident as one more excursion instead of paging again");
        s.add("detection.incident-hold", "0s",
                "an alert waits this long past its detection (event time) for a cause detected after it, before it "
                        + "pages (0–10m)");
        StragglerConfig st = StragglerConfig.defaults();
        s.add("straggler.min-ranks", String.valueOf(st.minRanks()), Range.integer(3, 100_000),
                "jobs with fewer reporting ranks are not judged (a median of two says nothing)");
        s.add("straggler.warmup-windows", String.valueOf(st.warmupWindows()), Range.integer(0, 100_000),
                "windows of a job observed before any rank is judged (start-up, warm-up)");
        s.add("straggler.z-threshold", String.valueOf(st.zThreshold()), Range.decimal(1, 100),
                "robust z-score (spreads from the job's median) a signal must pass");
        s.add("straggler.min-clock-drop", String.valueOf(st.minClockDrop()), Range.decimal(0, 1),
                "SM clock under the job's median by at least this fraction");
        s.add("straggler.min-activity-gap-pct", String.valueOf(st.minActivityGapPct()), Range.decimal(0, 100),
                "SM-activity gap from the median, percentage points (tensor activity at 2/3 of it)");
        s.add("straggler.min-step-deviation", String.valueOf(st.minStepDeviation()), Range.decimal(0, 100),
                "step cost over the rank's own usual, beyond the job's own change, by at least this fraction");
        s.add("straggler.baseline-alpha", String.valueOf(st.baselineAlpha()), Range.decimal(0, 1),
                "learning rate of each rank's usual clock, activity and step cost, per window");
        s.add("straggler.fire-windows", String.valueOf(st.fireWindows()), Range.integer(1, 62),
                "deviant windows among the last `history-windows` that fire an alert");
        s.add("straggler.history-windows", String.valueOf(st.historyWindows()), Range.integer(1, 62),
                "windows the fire rule looks back over");
        s.add("straggler.resolve-windows", String.valueOf(st.resolveWindows()), Range.integer(1, 10_000),
                "consecutive normal windows that resolve a firing alert");
        s.add("straggler.host-fraction", String.valueOf(st.hostFraction()), Range.decimal(0.01, 1),
                "share of a host's ranks in the job that, all deviant, make one host-level alert");
        s.add("stall.fraction", "0.9", Range.decimal(0.5, 1),
                "share of reporting ranks that must be paused at once");
        s.add("stall.max-tensor-pct", "5", Range.decimal(0, 100),
                "a paused rank's tensor activity is at most this");
        s.add("stall.paused-power-fraction", "0.3", Range.decimal(0, 1),
                "a paused rank draws at most this share of its power limit");
        s.add("stall.max-link-bps", "1e9", Range.decimal(0, 1e13),
                "a paused rank moves at most this over NVLink and PCIe (bytes/s)");
        s.add("stall.spinning-util-pct", "80", Range.decimal(0, 100),
                "median utilisation at or above which a pause is \"spinning\" (ranks waiting in a collective)");
        s.add("stall.min-spinning", "60s",
                "a spinning pause alerts after the larger of this and `learned-factor` times the job's longest "
                        + "recent pause");
        s.add("stall.min-idle", "4m",
                "the same for an idle pause (utilisation near 0: checkpoints, evaluation, data waits)");
        s.add("stall.learned-factor", "1.5", Range.decimal(1, 100),
                "margin over the job's own normal pauses");
        s.add("stall.max", "5m",
                "the threshold never exceeds this, so a stall is paged well before a collective times out");
        s.add("stall.resume-windows", "3", Range.integer(1, 10_000),
                "consecutive active windows that end a pause and resolve its alert");
        s.add("health.silence-timeout", "15s",
                "event time without a sample after which a GPU (all its GPUs at once: its host) is lost");
        s.add("health.entity-timeout", "10m",
                "a host silent this long is forgotten, its alerts resolved");
        s.add("health.lost-resolve-samples", "3", Range.integer(1, 10_000),
                "consecutive healthy samples that resolve a GPU_LOST alert");
        s.add("health.xid-hold", "10m",
                "an XID alert resolves after this long without the same XID again");
        s.add("health.cold-plate-delta-c", "5", Range.decimal(0.1, 100),
                "a GPU this much hotter than its host peers at similar power, beyond its own usual, is suspect");
        s.add("health.similar-power-fraction", "0.15", Range.decimal(0, 1),
                "peers count as at similar power within this share of the power limit");
        s.add("health.cold-plate-fire-samples", "3", Range.integer(1, 10_000),
                "consecutive suspect samples that fire a COLD_PLATE alert");
        s.add("health.cold-plate-resolve-samples", "10", Range.integer(1, 10_000),
                "consecutive normal samples that resolve it");
        s.add("health.cold-plate-warmup-samples", "20", Range.integer(0, 100_000),
                "samples a GPU's usual difference is learned over before it is judged");
        s.add("facility.fire-samples", "3", Range.integer(1, 10_000),
                "consecutive bad samples that fire a facility alert (a leak fires at once)");
        s.add("facility.resolve-samples", "10", Range.integer(1, 10_000),
                "consecutive good samples that resolve it");
        s.add("facility.warmup-samples", "10", Range.integer(1, 100_000),
                "samples a CDU's usual flow, pressure and supply temperature are learned over first");
        s.add("cooling.flow-loss-fraction", "0.7", Range.decimal(0, 1),
                "flow under this share of the CDU's usual is a flow loss");
        s.add("cooling.pressure-loss-fraction", "0.7", Range.decimal(0, 1),
                "differential pressure under this share of its usual is a pressure loss");
        s.add("cooling.supply-rise-c", "5", Range.decimal(0, 100),
                "supply temperature this far over its usual (the set-point it holds) is too warm");
        s.add("cooling.supply-max-c", "45", Range.decimal(0, 150),
                "supply temperature over this is too warm whatever the history");
        s.add("cooling.inlet-air-max-c", "27", Range.decimal(0, 100),
                "rack or chassis inlet air over this (ASHRAE's recommended 27 °C) is too warm");
        s.add("power.pdu-warn-fraction", "0.9", Range.decimal(0, 2),
                "a rack PDU over this share of its capacity is near its limit (WARNING)");
        s.add("power.pdu-critical-fraction", "0.97", Range.decimal(0, 2),
                "... and over this share, CRITICAL");
        s.add("facility.entity-timeout", "10m",
                "a facility device silent this long is forgotten");
        return s;
    }

    /** Every key with its default; each can be overridden by a file or by {@code VIGIL_<KEY>}. */
    public static Map<String, String> defaults() {
        return settings().defaults();
    }

    /** The job's settings: where Kafka is, how often to checkpoint, and the detectors' parameters. */
    public record JobSettings(String bootstrap, KafkaSecurity kafkaSecurity, String groupId, Duration checkpointInterval,
                              String transactionalIdPrefix, DeliveryGuarantee alertDelivery,
                              DetectionConfig detection) {

        public static JobSettings from(Settings s) {
            ThermalConfig thermal = new ThermalConfig(
                    s.integer("thermal.fire-after-samples"),
                    s.integer("thermal.resolve-after-samples"),
                    s.decimal("thermal.resolve-margin-c"),
                    s.decimal("thermal.default-slowdown-c"),
                    s.duration("thermal.entity-timeout"));
            StragglerConfig straggler = new StragglerConfig(s.integer("straggler.min-ranks"),
                    s.integer("straggler.warmup-windows"), s.decimal("straggler.z-threshold"),
                    s.decimal("straggler.min-clock-drop"), s.decimal("straggler.min-activity-gap-pct"),
                    s.decimal("straggler.min-step-deviation"),
                    s.decimal("straggler.baseline-alpha"), s.integer("straggler.fire-windows"),
                    s.integer("straggler.history-windows"), s.integer("straggler.resolve-windows"),
                    s.decimal("straggler.host-fraction"));
            SyncStallConfig stall = new SyncStallConfig(s.decimal("stall.fraction"),
                    s.decimal("stall.max-tensor-pct"), s.decimal("stall.paused-power-fraction"),
                    s.decimal("stall.max-link-bps"), s.decimal("stall.spinning-util-pct"),
                    s.duration("stall.min-spinning"), s.duration("stall.min-idle"),
                    s.decimal("stall.learned-factor"), s.duration("stall.max"),
                    s.integer("stall.resume-windows"));
            HostHealthConfig health = new HostHealthConfig(s.duration("health.silence-timeout"),
                    s.duration("health.entity-timeout"), s.integer("health.lost-resolve-samples"),
                    s.duration("health.xid-hold"), s.decimal("health.cold-plate-delta-c"),
                    s.decimal("health.similar-power-fraction"), s.integer("health.cold-plate-fire-samples"),
                    s.integer("health.cold-plate-resolve-samples"),
                    s.integer("health.cold-plate-warmup-samples"));
            FacilityConfig facility = new FacilityConfig(s.integer("facility.fire-samples"),
                    s.integer("facility.resolve-samples"), s.integer("facility.warmup-samples"),
                    s.decimal("cooling.flow-loss-fraction"), s.decimal("cooling.pressure-loss-fraction"),
                    s.decimal("cooling.supply-rise-c"), s.decimal("cooling.supply-max-c"),
                    s.decimal("cooling.inlet-air-max-c"), s.decimal("power.pdu-warn-fraction"),
                    s.decimal("power.pdu-critical-fraction"), s.duration("facility.entity-timeout"));
            DetectionConfig detection = new DetectionConfig(CommonSettings.topics(s),
                    s.duration("detection.max-out-of-orderness"), s.duration("detection.idle-timeout"),
                    s.duration("detection.max-future-skew"), thermal, s.duration("detection.job-window"),
                    s.duration("detection.job-timeout"), straggler, stall, health, facility,
                    s.duration("detection.incident-grace"), s.duration("detection.late-tolerance"),
                    s.duration("detection.incident-hold"), s.duration("detection.repage-quiet"));
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
        Settings settings = Settings.load(settings(), args.length > 0 ? Path.of(args[0]) : null, System.getenv(), Map.of());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobClient client = start(env, JobSettings.from(settings));
        // `flink run --detached` (./vigil cluster submits so): submitted is done; attached, wait for the job's end.
        if (env.getConfiguration().get(org.apache.flink.configuration.DeploymentOptions.ATTACHED)) {
            client.getJobExecutionResult().get();
        }
    }
}
