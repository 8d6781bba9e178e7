package io.vigil.collectors;

import io.vigil.collectors.config.CollectorConfig;
import io.vigil.collectors.dcgm.DcgmExporterScraper;
import io.vigil.collectors.dcgm.DcgmScrape;
import io.vigil.collectors.nvml.NvmlSource;
import io.vigil.collectors.nvml.ProcessAttribution;
import io.vigil.collectors.redfish.RedfishClient;
import io.vigil.collectors.redfish.RedfishSource;
import io.vigil.collectors.redfish.RedfishTls;
import io.vigil.collectors.spool.SpoolingPublisher;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.WireFormat;
import io.vigil.model.config.Settings;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./vigil collect --config FILE [--once] [--output -]}: runs one collector instance. With {@code --once} it
 * scrapes every source once; with {@code --output -} it prints one JSON record per line to stdout instead of
 * publishing to Kafka, so an operator can test a configuration without a broker.
 */
public final class CollectCommand {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CollectCommand.class);

    static final String USAGE = "Usage: ./vigil collect --config FILE [--once] [--output -]";

    private CollectCommand() {}

    /** Runs the command; returns the process exit code. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        Path config = null;
        boolean once = false;
        boolean stdout = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (++i >= args.length) return usage(err, "--config needs a file");
                    config = Path.of(args[i]);
                }
                case "--once" -> once = true;
                case "--output" -> {
                    if (++i >= args.length || !args[i].equals("-")) return usage(err, "--output takes '-' (stdout)");
                    stdout = true;
                }
                default -> {
                    return usage(err, "unknown option '" + args[i] + "'");
                }
            }
        }
        if (config == null) return usage(err, "--config is required");
        CollectorConfig cfg;
        try {
            cfg = CollectorConfig.load(config, env);
        } catch (Settings.ConfigException e) {
            err.println("vigil collect: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        TelemetrySink sink = stdout ? new PrintingSink(out)
                : new SpoolingPublisher(cfg.bootstrap(), cfg.topics(), cfg.spoolDir(), cfg.spoolMaxBytes(),
                        cfg.kafkaSecurity(env).clientProperties());
        List<Source> sources;
        try {
            sources = sources(cfg, env, InstantSource.system());
        } catch (Settings.ConfigException | NvmlSource.NvmlUnavailable e) {
            err.println("vigil collect: " + e.getMessage());
            sink.close();
            return 2;
        }
        try (ScrapeLoop collector = new ScrapeLoop(sources, cfg.interval(), sink, InstantSource.system())) {
            if (once) {
                ScrapeLoop.Round round = collector.scrapeOnce();
                for (TelemetryRecord r : round.records()) {
                    sink.publish(r);
                }
                sink.flush();
                round.failures().forEach(f -> err.println("vigil collect: target failed: " + f));
                round.resourceErrors().forEach(f -> err.println("vigil collect: resource failed: " + f));
                round.emptyTargets().forEach(t -> err.println("vigil collect: warning: " + t
                        + " answered with no readings"));
                collector.sanitizer().dropped().forEach((what, n) -> err.println("vigil collect: dropped " + n
                        + " implausible value(s) of " + what.replace("/", " (") + ")"));
                int yielding = sources.size() - round.failures().size() - round.emptyTargets().size();
                err.println("vigil collect: " + round.records().size() + " records from " + yielding + " of "
                        + sources.size() + " targets; " + round.emptyTargets().size()
                        + " targets answered with no readings"
                        + (round.failures().isEmpty() ? "" : "; " + round.failures().size() + " targets failed")
                        + (round.resourceErrors().isEmpty() ? "" : "; " + round.resourceErrors().size()
                                + " resources failed"));
                return round.clean() ? 0 : 1;
            }
            SpoolingPublisher spool = sink instanceof SpoolingPublisher s ? s : null;
            try (CollectorMetrics metrics = new CollectorMetrics(cfg.metricsPort(), collector.targets(),
                    () -> spool == null ? 0 : spool.rejected(),
                    () -> spool == null ? 0 : spool.spoolDepth(),
                    () -> spool == null ? 0 : spool.droppedRecords(),
                    () -> collector.sanitizer().dropped())) {
                CountDownLatch stop = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    stop.countDown();
                    try {
                        // Let the main thread flush and close before the JVM halts.
                        stopped.await(15, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
                collector.start();
                err.println("vigil collect: scraping " + sources.size() + " targets every "
                        + cfg.interval().toMillis() + " ms; own metrics on :" + metrics.port() + "/metrics");
                stop.await();
            }
        } finally {
            sink.close();
            stopped.countDown();
        }
        return 0;
    }

    /** The sources a configuration names, each with its own origin stamp sequence shared by this collector. */
    public static List<Source> sources(CollectorConfig cfg, Map<String, String> env, InstantSource clock)
            throws NvmlSource.NvmlUnavailable {
        OriginStamper origin = new OriginStamper(cfg.collector().id(), clock.millis());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        java.util.concurrent.Semaphore redfishRequests = new java.util.concurrent.Semaphore(cfg.redfishMaxRequests());
        List<Source> sources = new ArrayList<>();
        CollectorConfig.Nvml nvml = cfg.nvml();
        if (nvml != null && nvml.on()) {
            String host = nvml.host() != null ? nvml.host() : localHostName();
            sources.add(NvmlSource.open(nvml.library(), new NvmlSource.Placement(cfg.collector().cluster(), nvml.row(),
                    nvml.rack(), host), origin, clock, new ProcessAttribution(java.nio.file.Path.of("/proc"),
                    nvml.jobIdVariables() != null ? nvml.jobIdVariables() : ProcessAttribution.JOB_VARIABLES,
                    nvml.rankVariables() != null ? nvml.rankVariables() : ProcessAttribution.RANK_VARIABLES)));
        }
        for (CollectorConfig.DcgmTarget t : cfg.dcgmExporters()) {
            sources.add(new DcgmExporterScraper(URI.create(t.url()), cfg.timeout(t),
                    new DcgmScrape.Placement(cfg.collector().cluster(), t.row(), t.rack(), t.host()), origin, clock));
        }
        for (CollectorConfig.RedfishTarget t : cfg.redfish()) {
            String mode = t.auth() == null ? "none" : t.auth();
            RedfishClient.Auth auth = mode.equals("none") ? RedfishClient.Auth.none()
                    : new RedfishClient.Auth(mode.equals("basic") ? RedfishClient.Auth.Mode.BASIC
                            : RedfishClient.Auth.Mode.SESSION, env.get(t.usernameEnv()), CollectorConfig.password(t, env));
            HttpClient client = http;
            if (Boolean.TRUE.equals(t.insecureTls())) {
                LOG.warn("TLS certificate checks are OFF for {} (insecureTls): use a trustStore in production", t.url());
                client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(RedfishTls.insecure()).build();
            } else if (t.trustStore() != null) {
                String pw = t.trustStorePasswordEnv() == null ? null : env.get(t.trustStorePasswordEnv());
                try {
                    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                            .sslContext(RedfishTls.trusting(Path.of(t.trustStore()), pw == null ? null : pw.toCharArray()))
                            .build();
                } catch (java.io.IOException e) {
                    throw new Settings.ConfigException(e.getMessage());
                }
            }
            sources.add(new RedfishSource(new RedfishClient(client, URI.create(t.url()), cfg.timeout(t), auth, 2,
                    cfg.maxConcurrentRequests(t), redfishRequests),
                    new RedfishSource.Placement(cfg.collector().cluster(), t.row(), t.rack(), t.host()), origin, clock,
                    cfg.deadline(t)));
        }
        return sources;
    }

    private static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("vigil collect: " + problem);
        err.println(USAGE);
        return 2;
    }

    /** One JSON record per line. */
    static final class PrintingSink implements TelemetrySink {
        private final PrintStream out;

        PrintingSink(PrintStream out) {
            this.out = out;
        }

        @Override
        public synchronized void publish(io.vigil.model.TelemetryRecord record) {
            out.println(WireFormat.encodeToString(record));
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            out.flush();
        }
    }
}
