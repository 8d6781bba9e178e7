package io.vigil.collectors.simulator;

import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.TelemetrySink;
import io.vigil.collectors.spool.SpoolingPublisher;
import io.vigil.collectors.kafka.KafkaTelemetryPublisher;
import io.vigil.model.config.CommonSettings;
import io.vigil.model.config.SettingSpecs;
import io.vigil.model.config.SettingSpecs.Range;
import io.vigil.model.config.Settings;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** Runs the simulated data center as its own process, publishing to Kafka until SIGTERM. */
public final class SimulatorMain {

    private SimulatorMain() {}

    /** The component's settings: each key with its default and description (README's configuration table). */
    public static SettingSpecs settings() {
        SettingSpecs s = new SettingSpecs().addAll(CommonSettings.kafkaSettings());
        s.add("simulator.cluster", "demo",
                "the simulated site's cluster name, in every record");
        s.add("simulator.hosts", "64", Range.integer(1, 20_000),
                "simulated hosts, 8 GPUs each (`--hosts`)");
        s.add("simulator.jobs", "4", Range.integer(0, 1000),
                "simulated training jobs");
        s.add("simulator.speed", "1", Range.decimal(0.01, 1000),
                "simulated time runs this many times faster than real time (`--speed`); above 1 it starts up to 90 s in the past and, once it reaches the clock, runs in real time");
        s.add("simulator.interval", "1s",
                "sample interval");
        s.add("simulator.seed", "42", Range.integer(Integer.MIN_VALUE, Integer.MAX_VALUE),
                "random seed of the simulation");
        s.add("simulator.fault-script", "demo", Range.oneOf("demo", "none"),
                "`demo` (scripted faults) or `none` (`--no-faults`)");
        s.add("simulator.collector-id", "simulator-1",
                "the collector id in every record's origin");
        s.add("simulator.shard-index", "0",
                "this collector publishes the hosts `i` with `i mod shard-count = shard-index` (the others' "
                        + "facility records go to shard 0); `./vigil cluster` sets it per collector");
        s.add("simulator.shard-count", "1", Range.integer(1, 10_000),
                "how many collectors share the simulated hosts");
        s.add("simulator.clock-ahead", "0s",
                "the simulated collector's clock runs this far ahead (the failure tests' skewed collector)");
        s.add("simulator.fault-endpoint", "",
                "`HOST:PORT` of this process's fault-injection endpoint (`docker-compose.yml`: `0.0.0.0:8079`); "
                        + "unset: none (`./vigil demo` has its own, `simulator.control-port`)");
        s.add("simulator.metrics-address", "",
                "`HOST:PORT` of the simulator's Prometheus `/metrics` (`docker-compose.yml`: `0.0.0.0:9252`); "
                        + "unset: none (`./vigil demo` serves it on `metrics.simulator-port`)");
        s.add("simulator.spool-dir", "",
                "publish through a disk spool there, as `./vigil collect` does (`./vigil cluster` gives each "
                        + "collector one); unset: straight to Kafka");
        return s;
    }

    /** Every key with its default; each can be overridden by a file or by {@code VIGIL_<KEY>}. */
    public static Map<String, String> defaults() {
        return settings().defaults();
    }

    public static SimulatorConfig config(Settings s) {
        SimulatorConfig base = new SimulatorConfig(s.required("simulator.cluster"), 1, 1, 1, 8, 4,
                s.integer("simulator.jobs"), s.duration("simulator.interval"),
                s.decimal("simulator.speed"), s.integer("simulator.seed"),
                s.required("simulator.collector-id"));
        return base.withHosts(s.integer("simulator.hosts"));
    }

    /** {@code demo}: the demo's scripted faults; {@code none}: a healthy cluster until faults are injected. */
    public static FaultScript script(Settings s, ClusterTopology topology) {
        String name = s.string("simulator.fault-script");
        return switch (name) {
            case "demo" -> FaultScript.demo(topology);
            case "none" -> FaultScript.none();
            default -> throw new Settings.ConfigException(
                    "setting 'simulator.fault-script' = '" + name + "' must be 'demo' or 'none'");
        };
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.load(settings(), args.length > 0 ? Path.of(args[0]) : null, System.getenv(), Map.of());
        SimulatorConfig config = config(settings);
        // As a real collector does (./vigil collect), through a disk spool when one is set: then a Kafka outage
        // neither loses records nor holds up the simulation.
        String spoolDir = settings.optional("simulator.spool-dir");
        Map<String, Object> kafkaSecurity = io.vigil.model.config.KafkaSecurity.from(settings).clientProperties();
        TelemetrySink publisher;
        if (spoolDir == null) {
            KafkaTelemetryPublisher direct = new KafkaTelemetryPublisher(settings.required("kafka.bootstrap"),
                    CommonSettings.topics(settings), kafkaSecurity);
            direct.connect(); // before the clock starts: the samples' times then match the wall clock
            publisher = direct;
        } else {
            publisher = new SpoolingPublisher(settings.required("kafka.bootstrap"), CommonSettings.topics(settings),
                    Path.of(spoolDir), 1L << 30, kafkaSecurity);
        }
        // A collector whose clock runs fast (the failure tests set it): its records are stamped this far ahead.
        Clock collectorClock = Clock.offset(Clock.systemUTC(), settings.duration("simulator.clock-ahead"));
        long now = collectorClock.millis();
        ClusterTopology topology = ClusterTopology.build(config);
        int shards = settings.integer("simulator.shard-count");
        int shard = settings.integer("simulator.shard-index", 0, shards - 1);
        OriginStamper stamper = new OriginStamper(config.collectorId(), now);
        // Split into shards, each process simulates the whole site and stamps only what it publishes.
        FaultScript script = script(settings, topology);
        ClusterSimulator simulator = new ClusterSimulator(config, script,
                shards == 1 ? stamper : new OriginStamper(config.collectorId() + "-unsharded", now),
                SimulatorRunner.startMs(now, config.speed(), script));
        TelemetrySink sink = shards == 1 ? publisher : new ShardedSink(publisher, stamper, topology, shard, shards);
        SimulatorRunner runner = new SimulatorRunner(simulator, config, sink, collectorClock);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runner.close();
            publisher.close();
            // Said last, after every record was acknowledged: what reconciliation compares the stored data with.
            System.out.println("Collector " + config.collectorId() + " (boot " + now + "): published "
                    + stamper.issued() + " records, origin sequences 0.." + (stamper.issued() - 1));
            System.out.flush();
            stop.countDown();
        }));
        String faultEndpoint = settings.optional("simulator.fault-endpoint");
        if (faultEndpoint != null) {
            int colon = faultEndpoint.lastIndexOf(':');
            if (colon < 1) {
                throw new Settings.ConfigException("setting 'simulator.fault-endpoint' = '" + faultEndpoint
                        + "' must be HOST:PORT");
            }
            FaultControl control = new FaultControl(simulator, new java.net.InetSocketAddress(
                    faultEndpoint.substring(0, colon), Integer.parseInt(faultEndpoint.substring(colon + 1))));
            System.out.println("Fault injection on http://" + faultEndpoint + "/faults");
            Runtime.getRuntime().addShutdownHook(new Thread(control::close));
        }
        io.vigil.model.metrics.MetricsServer.fromSetting(settings, "simulator.metrics-address", runner::metrics);
        runner.start();
        stop.await();
    }
}
