package io.vigil.notify;

import io.vigil.model.Topics;
import io.vigil.model.config.CommonSettings;
import io.vigil.model.config.KafkaSecurity;
import io.vigil.model.config.SettingSpecs;
import io.vigil.model.config.SettingSpecs.Range;
import io.vigil.model.config.Settings;
import io.vigil.notify.delivery.DeliveryConfig;
import io.vigil.notify.kafka.NotifyKafka;
import io.vigil.notify.routing.ReceiverSpec;
import io.vigil.notify.routing.RoutingConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the notification job against Kafka: on a Flink cluster ({@code flink run
 * notifications/target/vigil-notifications-*-flink-job.jar [config.properties]}) or, from the launcher, on a local MiniCluster. Reads settings and the
 * routing file, checks both whole before anything starts (secrets included), and wires {@link NotificationJob}.
 */
public final class NotificationJobMain {

    /** The component's settings: each key with its default and description (README's configuration table). */
    public static SettingSpecs settings() {
        SettingSpecs s = new SettingSpecs().addAll(CommonSettings.kafkaSettings());
        s.add("notify.routing-file", "",
                "the routing file (YAML): routes, receivers, runbooks (`--notify-config`); `./vigil demo` without "
                        + "it notifies the dashboard's inbox");
        s.add("notify.dashboard-url", "",
                "base URL of the dashboard, for incident links in notifications (`./vigil demo`: its own)");
        s.add("notify.group-id", "vigil-notifications",
                "Kafka consumer group of the notification job");
        s.add("notify.checkpoint-interval", "2s",
                "the notification job's checkpoint interval");
        s.add("notify.orphan-timeout", "10m",
                "how long alerts attached to an incident wait for its root alert");
        s.add("notify.retry-initial", "1s",
                "first pause after a failed delivery; doubles per try, with jitter");
        s.add("notify.retry-max", "1m",
                "longest pause between two tries");
        s.add("notify.give-up-after", "1h",
                "a trigger, update or repeat still undelivered after this is given up");
        s.add("notify.resolve-give-up-after", "72h", Range.duration(java.time.Duration.ofMinutes(1),
                        java.time.Duration.ofDays(30)),
                "resolutions and acknowledgements are retried this long, then given up (recorded as failed)");
        s.add("notify.max-in-flight-per-endpoint", "1000", Range.integer(1, 1_000_000),
                "notifications one endpoint may have in delivery at once; beyond it new ones for it fail at once, so "
                        + "a dead receiver cannot take the slots the others need");
        s.add("notify.breaker-failures", "5", Range.integer(1, 1000),
                "failed tries in a row after which an endpoint's circuit opens: its notifications wait, and one probe "
                        + "at a time (after a pause doubling from notify.retry-initial to notify.retry-max) tests it");
        s.add("notify.request-timeout", "10s",
                "limit of one HTTP request to a receiver");
        s.add("notify.max-in-flight", "10000", Range.integer(1, 1_000_000),
                "notifications in delivery at once; beyond it the notification job (only) is back-pressured");
        return s;
    }

    /** Every key with its default; each can be overridden by a file or by {@code VIGIL_<KEY>}. */
    public static Map<String, String> defaults() {
        return settings().defaults();
    }

    /** What each key means, for the README's settings table. */
    public static Map<String, String> descriptions() {
        return settings().descriptions();
    }

    /** The job's settings, read and checked. */
    public record JobSettings(String bootstrap, KafkaSecurity kafkaSecurity, Topics topics, String groupId, Duration checkpointInterval,
                              NotifyConfig config) {

        public static JobSettings from(Settings s) {
            String file = s.required("notify.routing-file");
            return from(s, RoutingConfig.load(Path.of(file)));
        }

        /** With a routing already read (the demo's built-in inbox routing). */
        public static JobSettings from(Settings s, RoutingConfig routing) {
            checkSecrets(routing, System.getenv());
            DeliveryConfig delivery = new DeliveryConfig(s.duration("notify.retry-initial"), s.duration("notify.retry-max"),
                    s.duration("notify.give-up-after"), s.duration("notify.request-timeout"),
                    s.duration("notify.resolve-give-up-after"), s.integer("notify.max-in-flight-per-endpoint"),
                    s.integer("notify.breaker-failures"));
            NotifyConfig config = new NotifyConfig(routing, s.optional("notify.dashboard-url"),
                    s.duration("notify.orphan-timeout"), delivery, s.integer("notify.max-in-flight"));
            return new JobSettings(s.required("kafka.bootstrap"), KafkaSecurity.from(s), CommonSettings.topics(s), s.required("notify.group-id"),
                    s.duration("notify.checkpoint-interval"), config);
        }
    }

    /**
     * Every secret and CA file must be readable before the job starts: a missing key is a start-up error, not a lost
     * page.
     */
    static void checkSecrets(RoutingConfig routing, Map<String, String> env) {
        for (ReceiverSpec spec : routing.targets()) {
            try {
                if (spec instanceof ReceiverSpec.PagerDuty pd) pd.routingKey().resolve(env);
                if (spec instanceof ReceiverSpec.Slack s) s.webhookUrl().resolve(env);
                if (spec instanceof ReceiverSpec.Webhook w) w.secret().resolve(env);
                ReceiverSpec.HttpConfig hc = spec instanceof ReceiverSpec.Webhook w ? w.http()
                        : spec instanceof ReceiverSpec.Alertmanager am ? am.http() : null;
                if (hc != null && hc.caFile() != null) io.vigil.notify.delivery.TrustedCa.context(hc.caFile());
            } catch (IllegalStateException e) {
                throw new Settings.ConfigException("receiver '" + spec.receiver() + "' " + spec.target() + ": "
                        + e.getMessage());
            }
        }
    }

    private NotificationJobMain() {}

    /** Builds the Kafka-backed job on {@code env} and starts it without waiting for it to end. */
    public static JobClient start(StreamExecutionEnvironment env, JobSettings settings) throws Exception {
        env.enableCheckpointing(settings.checkpointInterval().toMillis());
        new NotificationJob(
                NotifyKafka.alertSource(settings.bootstrap(), settings.kafkaSecurity(), settings.topics(), settings.groupId()),
                NotifyKafka.controlSource(settings.bootstrap(), settings.kafkaSecurity(), settings.topics(), settings.groupId()),
                NotifyKafka.attemptSink(settings.bootstrap(), settings.kafkaSecurity(), settings.topics()),
                settings.config()).build(env);
        return env.executeAsync("vigil-notifications");
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
