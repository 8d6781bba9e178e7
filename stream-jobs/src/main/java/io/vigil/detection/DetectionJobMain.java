package io.vigil.detection;

import io.vigil.detection.kafka.KafkaWiring;
import io.vigil.detection.thermal.ThermalConfig;
import io.vigil.model.Topics;
import io.vigil.model.config.CommonSettings;
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
        d.put("detection.checkpoint-interval", "5s");
        d.put("detection.max-out-of-orderness", "2s");
        d.put("detection.idle-timeout", "10s");
        d.put("detection.max-future-skew", "5m");
        d.put("thermal.fire-after-samples", "3");
        d.put("thermal.resolve-after-samples", "5");
        d.put("thermal.resolve-margin-c", "3");
        d.put("thermal.default-slowdown-c", "87");
        d.put("thermal.entity-timeout", "2m");
        return d;
    }

    /** The job's settings: where Kafka is, how often to checkpoint, and the detectors' parameters. */
    public record JobSettings(String bootstrap, String groupId, Duration checkpointInterval, DetectionConfig detection) {

        public static JobSettings from(Settings s) {
            ThermalConfig thermal = new ThermalConfig(
                    s.integer("thermal.fire-after-samples", 1, 1000),
                    s.integer("thermal.resolve-after-samples", 1, 1000),
                    s.decimal("thermal.resolve-margin-c", 0, 50),
                    s.decimal("thermal.default-slowdown-c", 30, 130),
                    s.duration("thermal.entity-timeout"));
            DetectionConfig detection = new DetectionConfig(CommonSettings.topics(s),
                    s.duration("detection.max-out-of-orderness"), s.duration("detection.idle-timeout"),
                    s.duration("detection.max-future-skew"), thermal);
            return new JobSettings(s.required("kafka.bootstrap"), s.required("detection.group-id"),
                    s.duration("detection.checkpoint-interval"), detection);
        }
    }

    private DetectionJobMain() {}

    /** Builds the Kafka-backed job on {@code env} and starts it without waiting for it to end. */
    public static JobClient start(StreamExecutionEnvironment env, JobSettings settings) throws Exception {
        env.enableCheckpointing(settings.checkpointInterval().toMillis());
        Topics topics = settings.detection().topics();
        new DetectionJob(
                KafkaWiring.telemetrySource(settings.bootstrap(), topics, settings.groupId()),
                KafkaWiring.alertSink(settings.bootstrap(), topics),
                KafkaWiring.deadLetterSink(settings.bootstrap(), topics),
                settings.detection(),
                Clock.systemUTC()).build(env);
        return env.executeAsync("vigil-detection");
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.load(defaults(), args.length > 0 ? Path.of(args[0]) : null, System.getenv(), Map.of());
        JobClient client = start(StreamExecutionEnvironment.getExecutionEnvironment(), JobSettings.from(settings));
        client.getJobExecutionResult().get();
    }
}
