package io.vigil.evaluation.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.model.GpuSample;
import io.vigil.model.JobEvent;
import io.vigil.model.Origin;
import io.vigil.model.WireFormat;
import io.vigil.storage.query.HistoryQueries;
import io.vigil.storage.rollup.RollupRefresher;
import io.vigil.launcher.embedded.EmbeddedDatabase;
import io.vigil.launcher.embedded.EmbeddedKafka;
import io.vigil.model.Topics;
import io.vigil.model.config.Settings;
import io.vigil.storage.writer.TelemetryBatch;
import io.vigil.storage.writer.TelemetryWriter;
import io.vigil.storage.writer.WriterConfig;
import io.vigil.storage.writer.WriterMain;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.postgresql.ds.PGSimpleDataSource;
import io.vigil.testsupport.GpuSamples;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * {@code ./vigil bench storage [--json] [--gpus N] [--seconds S] [--timescaledb-url URL]}: the same GPU samples into
 * Vigil's storage and into
 * VictoriaMetrics (Debian's {@code victoria-metrics}, started on a free port), on this machine, in one run.
 * <ul>
 * <li>Ingest: Vigil's write path (binary COPY batches of 20,000 rows with their per-minute and per-hour rollups, in
 * one transaction each, as the writer commits them, and the rack and job rollups derived after each; Kafka is not in
 * this figure) against VictoriaMetrics importing the
 * same samples in Prometheus text format over HTTP; rows/s and samples/s (a sample is one measured value).</li>
 * <li>Bytes per sample: the sample table with its indexes, and the rollups, against VictoriaMetrics' data
 * directory after a flush.</li>
 * <li>Queries, p50/p99 of 30 runs: per-rack hourly mean power summed over the rack's GPUs, over the whole range, from
 * Vigil's hourly rack rollups (and from the raw table, for scale) against VictoriaMetrics' {@code query_range}; and
 * GPU-hours per team from Vigil's hourly job rollups (the history API's query) against VictoriaMetrics counting
 * samples by team.</li>
 * </ul>
 */
public final class StorageBenchmark {

    /** The measured values of a GPU sample as VictoriaMetrics gets them (metric name, field). */
    static final String[] METRICS = {"gpu_util_pct", "sm_active_pct", "tensor_active_pct", "mem_used_mib",
            "gpu_temp_c", "mem_temp_c", "power_w", "energy_j", "sm_clock_mhz", "mem_clock_mhz", "nvlink_tx_bps",
            "nvlink_rx_bps", "pcie_tx_bps", "pcie_rx_bps"};

    public record Result(int gpus, int seconds, long rows, long samples, double writerGpuRowsPerSecond,
                         double writerSamplesPerSecond, double writePathGpuRowsPerSecond,
                         double writePathSamplesPerSecond, double victoriaMetricsSamplesPerSecond,
                         double bytesPerSample, double rollupBytesPerSample, double victoriaMetricsBytesPerSample,
                         double capacityQueryP50Ms, double capacityQueryP99Ms, double rawQueryP50Ms,
                         double victoriaMetricsQueryP50Ms, double victoriaMetricsQueryP99Ms,
                         double gpuHoursQueryP50Ms, double gpuHoursQueryP99Ms,
                         double victoriaMetricsGpuHoursP50Ms, double victoriaMetricsGpuHoursP99Ms,
                         Double timescaleWritePathGpuRowsPerSecond, Double timescaleBytesPerSample,
                         Double timescaleCompressedBytesPerSample, Double timescaleRackQueryP50Ms,
                         Double timescaleGpuHoursQueryP50Ms) {}

    private StorageBenchmark() {}

    static List<GpuSample> fleet(int gpus, int seconds, long start) {
        Random r = new Random(11);
        List<GpuSample> out = new ArrayList<>(gpus * seconds);
        for (int s = 0; s < seconds; s++) {
            long ts = start + s * 1000L;
            for (int i = 0; i < gpus; i++) {
                int host = i / 8;
                out.add(GpuSamples.healthy("host-" + host, i % 8, ts).rack("R" + (host / 16)).jobId(job(i))
                        .gpuTempC(65.0 + r.nextInt(4)).powerW(640 + Math.round(r.nextDouble() * 400) / 10.0)
                        .energyJ(1.0e9 + s * 650.0 + i).smActivePct(78 + r.nextInt(5) * 1.0)
                        .nvlinkTxBps(1.1e11 + r.nextInt(1000) * 1e6).build());
            }
        }
        return out;
    }

    /** 64 GPUs per job, four teams. */
    static String job(int gpu) {
        return "job-" + gpu / 64;
    }

    static String team(int gpu) {
        return "team-" + (gpu / 64) % 4;
    }

    /** Where to run the TimescaleDB part, or null. */
    public record Timescale(String url, String user, String password) {}

    public static Result run(int gpus, int seconds, Timescale timescale) throws Exception {
        Path vmBinary = Path.of("/usr/bin/victoria-metrics");
        if (!Files.isExecutable(vmBinary)) {
            throw new IllegalStateException("the comparison needs VictoriaMetrics: apt-get install victoria-metrics");
        }
        long start = (System.currentTimeMillis() - seconds * 1000L - 60_000) / 3_600_000 * 3_600_000;
        List<GpuSample> samples = fleet(gpus, seconds, start);
        long values = (long) samples.size() * METRICS.length;

        Path work = Files.createTempDirectory("vigil-bench-storage");
        EmbeddedDatabase pg = EmbeddedDatabase.start(work.resolve("pg"), 0);
        try {
            return run(gpus, seconds, start, samples, values, pg, work, timescale);
        } finally {
            pg.close();
            deleteTree(work);
        }
    }

    static DataSource database(EmbeddedDatabase pg, String name) throws Exception {
        PGSimpleDataSource admin = new PGSimpleDataSource();
        admin.setUrl(pg.jdbcUrl());
        admin.setUser("postgres"); // the embedded server's superuser (trust on localhost)
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name + " OWNER " + EmbeddedDatabase.USER);
        }
        PGSimpleDataSource db = new PGSimpleDataSource();
        db.setUrl(pg.jdbcUrl().replaceAll("/[^/]+$", "/" + name));
        db.setUser(EmbeddedDatabase.USER);
        db.setPassword(EmbeddedDatabase.PASSWORD);
        io.vigil.storage.schema.SchemaMigrator.migrate(db);
        return db;
    }

    /**
     * The writer as {@code ./vigil demo} runs it, from Kafka: the samples are published first (not timed), then a
     * {@link TelemetryWriter} with the demo's settings reads them into a fresh database; timed from its first
     * committed batch until it has written them all, so consuming, decoding, validating, the transaction with the
     * offsets, the rollups and the refresh are all in the figure.
     */
    static double writerFromKafka(List<GpuSample> samples, EmbeddedDatabase pg, Path work) throws Exception {
        Topics topics = Topics.defaults();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"), 0)) {
            EmbeddedKafka.createTopics(kafka.bootstrapServers(), topics, 4);
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                    new ByteArraySerializer())) {
                for (GpuSample g : samples) {
                    producer.send(new ProducerRecord<>(topics.gpu(), null, g.ts(), g.gpuKey(), WireFormat.encode(g)));
                }
                producer.flush();
            }
            DataSource db = database(pg, "vigil_from_kafka");
            String url = ((PGSimpleDataSource) db).getUrl();
            Map<String, String> settings = new java.util.LinkedHashMap<>();
            settings.put("kafka.bootstrap", kafka.bootstrapServers());
            settings.put("db.url", url);
            settings.put("db.user", EmbeddedDatabase.USER);
            settings.put("db.password", EmbeddedDatabase.PASSWORD);
            WriterConfig config = WriterMain.config(Settings.load(WriterMain.settings(), null, Map.of(), settings));
            TelemetryWriter writer = new TelemetryWriter(config, java.time.Clock.systemUTC());
            Thread thread = new Thread(writer, "bench-writer");
            thread.start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
            // Timed from the first committed batch: joining the consumer group (seconds, once) is not ingest.
            while (writer.recordsWritten() == 0) {
                if (!thread.isAlive() || System.nanoTime() > deadline) throw new IllegalStateException("the writer wrote nothing");
                Thread.sleep(5);
            }
            long t0 = System.nanoTime();
            long first = writer.recordsWritten();
            while (writer.recordsWritten() < samples.size()) {
                if (!thread.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the writer stopped at " + writer.recordsWritten() + " of "
                            + samples.size() + " records");
                }
                Thread.sleep(20);
            }
            double secondsTaken = (System.nanoTime() - t0) / 1e9;
            writer.close();
            thread.join(30_000);
            return (samples.size() - first) / secondsTaken;
        }
    }

    /**
     * Vigil's write path, timed: batches of 20,000 rows committed with their rollups, and the rack and job rollups
     * derived after each batch (the writer does it every 10 s of wall time; a batch here is ~20 s of data). The jobs'
     * owners are written first, untimed. Returns the seconds taken.
     */
    static double writePath(DataSource db, int gpus, int seconds, long start, List<GpuSample> samples) throws Exception {
        TelemetryBatch owners = new TelemetryBatch();
        for (int i = 0; i < gpus; i += 64) {
            owners.add(new JobEvent(start, "test", job(i), JobEvent.Kind.START, "train", team(i), List.of(),
                    new Origin("bench", 0, i), "acct", null));
        }
        try (Connection c = db.getConnection()) {
            owners.writeTo(c);
        }
        RollupRefresher refresher = new RollupRefresher(Duration.ofDays(90));
        long t0 = System.nanoTime();
        try (Connection c = db.getConnection()) {
            for (int i = 0; i < samples.size(); i += 20_000) {
                TelemetryBatch b = new TelemetryBatch();
                samples.subList(i, Math.min(samples.size(), i + 20_000)).forEach(b::add);
                b.writeTo(c);
                refresher.run(c, java.time.Instant.ofEpochMilli(start + seconds * 1000L));
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** p50/p99 of the two capacity queries on one open connection: per-rack hourly power, GPU-hours per team. */
    static double[] queries(DataSource db, long from, long to) throws Exception {
        String sqlRollup = "SELECT rack, time, gpu_power_mean_w FROM vigil_rack_1h WHERE time >= to_timestamp("
                + from + ") AND time < to_timestamp(" + to + ")";
        try (Connection open = db.getConnection()) {
            DataSource pooled = reusing(open);
            List<Double> rack = time(30, () -> scalar(pooled, "SELECT count(*) FROM (" + sqlRollup + ") q"));
            HistoryQueries history = new HistoryQueries(pooled, Duration.ofSeconds(30));
            java.time.Instant fromI = java.time.Instant.ofEpochSecond(from / 3600 * 3600);
            java.time.Instant toI = java.time.Instant.ofEpochSecond((to + 3599) / 3600 * 3600);
            List<Double> teams = time(30, () -> history.gpuHours("team", fromI, toI, HistoryQueries.Resolution.HOUR));
            return new double[] {pct(rack, 0.5), pct(rack, 0.99), pct(teams, 0.5), pct(teams, 0.99)};
        }
    }

    /**
     * The write path into a TimescaleDB (an empty database at {@code url}, the extension available): ingest, bytes
     * per sample before and after compressing every chunk with Vigil's settings, and the two queries.
     */
    static double[] timescale(String url, String user, String password, int gpus, int seconds, long start,
                              List<GpuSample> samples, long values) throws Exception {
        PGSimpleDataSource db = new PGSimpleDataSource();
        db.setUrl(url);
        db.setUser(user);
        db.setPassword(password);
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")) {
                if (!rs.next()) throw new IllegalArgumentException(url + " has no timescaledb extension available");
            }
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_tables WHERE tablename = 'gpu_sample'")) {
                if (rs.next()) throw new IllegalArgumentException(url + " is not empty: the bench needs an empty database");
            }
        }
        io.vigil.storage.schema.SchemaMigrator.migrate(db);
        double writeSeconds = writePath(db, gpus, seconds, start, samples);
        long before = scalar(db, "SELECT hypertable_size('gpu_sample')");
        try (Connection c = db.getConnection()) {
            // Vigil's compression settings (segmentby cluster, host, gpu; orderby ts DESC), as the writer sets them.
            new io.vigil.storage.retention.RetentionMaintainer(io.vigil.storage.retention.RetentionConfig.defaults())
                    .run(c, java.time.Instant.now());
            try (Statement st = c.createStatement()) {
                st.execute("SELECT compress_chunk(ch, if_not_compressed => true) FROM show_chunks('gpu_sample') ch");
            }
        }
        long after = scalar(db, "SELECT hypertable_size('gpu_sample')");
        double[] q = queries(db, start / 1000, start / 1000 + seconds);
        return new double[] {samples.size() / writeSeconds, before / (double) values, after / (double) values,
                q[0], q[2]};
    }

    static Result run(int gpus, int seconds, long start, List<GpuSample> samples, long values, EmbeddedDatabase pg,
                      Path work, Timescale timescale) throws Exception {
        DataSource db = database(pg, "vigil_write_path");
        Path vmBinary = Path.of("/usr/bin/victoria-metrics");
        double writerSeconds = writePath(db, gpus, seconds, start, samples);
        long rawBytes = scalar(db, "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_inherits i JOIN pg_class c "
                + "ON c.oid = i.inhrelid WHERE i.inhparent = 'gpu_sample'::regclass");
        long rollupBytes = scalar(db, "SELECT sum(pg_total_relation_size(t::regclass)) FROM unnest(ARRAY['gpu_rollup_1m', "
                + "'gpu_rollup_1h', 'rack_power_1m', 'rack_power_1h', 'job_rollup_1m', 'job_rollup_1h']) t");

        double fromKafka = writerFromKafka(samples, pg, work);
        double[] ts = timescale == null ? null : timescale(timescale.url(), timescale.user(), timescale.password(),
                gpus, seconds, start, samples, values);

        Path vmDir = Files.createTempDirectory("vigil-bench-vm");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process vm = new ProcessBuilder(vmBinary.toString(), "-storageDataPath=" + vmDir.resolve("data"),
                "-httpListenAddr=127.0.0.1:" + port, "-retentionPeriod=2y", "-loggerLevel=ERROR")
                .redirectErrorStream(true).redirectOutput(vmDir.resolve("vm.log").toFile()).start();
        String base = "http://127.0.0.1:" + port;
        HttpClient http = HttpClient.newHttpClient();
        try {
            waitReady(http, base);
            // The text is made before the clock starts: VictoriaMetrics' import is timed, not our formatting.
            List<byte[]> bodies = new ArrayList<>();
            StringBuilder sb = new StringBuilder();
            for (GpuSample g : samples) {
                int index = Integer.parseInt(g.host().substring(5)) * 8 + g.gpu();
                String labels = "{cluster=\"" + g.cluster() + "\",rack=\"" + g.rack() + "\",host=\"" + g.host()
                        + "\",gpu=\"" + g.gpu() + "\",job=\"" + g.jobId() + "\",team=\"" + team(index) + "\"}";
                double[] v = {g.gpuUtilPct(), g.smActivePct(), g.tensorActivePct(), g.memUsedMiB(), g.gpuTempC(),
                        g.memTempC(), g.powerW(), g.energyJ(), g.smClockMHz(), g.memClockMHz(), g.nvlinkTxBps(),
                        g.nvlinkRxBps(), g.pcieTxBps(), g.pcieRxBps()};
                for (int m = 0; m < METRICS.length; m++) {
                    sb.append("vigil_").append(METRICS[m]).append(labels).append(' ').append(v[m]).append(' ')
                            .append(g.ts()).append('\n');
                }
                if (sb.length() > 8_000_000) {
                    bodies.add(sb.toString().getBytes(StandardCharsets.UTF_8));
                    sb.setLength(0);
                }
            }
            if (sb.length() > 0) bodies.add(sb.toString().getBytes(StandardCharsets.UTF_8));
            long t1 = System.nanoTime();
            for (byte[] body : bodies) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/import/prometheus"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 != 2) throw new IllegalStateException("VictoriaMetrics import: " + r.body());
            }
            http.send(HttpRequest.newBuilder(URI.create(base + "/internal/force_flush")).build(),
                    HttpResponse.BodyHandlers.discarding());
            double vmSeconds = (System.nanoTime() - t1) / 1e9;
            // Until the imported samples are searchable.
            String count = "count_over_time(vigil_power_w[" + (seconds + 120) + "s])";
            for (int i = 0; i < 600; i++) {
                JsonNode n = WireFormat.mapper().readTree(get(http, base + "/api/v1/query?query="
                        + enc("sum(" + count + ")") + "&time=" + (start / 1000 + seconds + 60)));
                JsonNode res = n.path("data").path("result");
                if (res.size() > 0 && res.get(0).path("value").get(1).asDouble() >= samples.size()) break;
                Thread.sleep(500);
            }
            Thread.sleep(2000);
            long vmBytes = directorySize(vmDir.resolve("data"));

            long from = start / 1000;
            long to = from + seconds;
            // Per-rack hourly GPU power: Vigil's hourly rack rollups (and, for scale, the raw rows) against
            // VictoriaMetrics summing per-GPU hourly means by rack. GPU-hours per team: the history API's query
            // against VictoriaMetrics counting each GPU's samples (one a second) by team. Vigil's on one open
            // connection, as the dashboard's pool holds them (VictoriaMetrics' client keeps its HTTP connection
            // alive likewise): connecting is not what is measured.
            double[] q = queries(db, from, to);
            String sqlRaw = "SELECT rack, date_trunc('hour', ts) AS h, avg(power_w) * count(DISTINCT (host, gpu)) AS "
                    + "rack_w FROM gpu_sample WHERE ts >= to_timestamp(" + from + ") AND ts < to_timestamp(" + to
                    + ") GROUP BY 1, 2";
            List<Double> raw;
            try (Connection open = db.getConnection()) {
                DataSource pooled = reusing(open);
                raw = time(10, () -> scalar(pooled, "SELECT count(*) FROM (" + sqlRaw + ") q"));
            }
            String promql = "sum by (rack) (avg_over_time(vigil_power_w[1h]))";
            String vmUrl = base + "/api/v1/query_range?query=" + enc(promql) + "&start=" + (from + 3600 - 1)
                    + "&end=" + (to + 3600) + "&step=3600";
            List<Double> vmq = time(30, () -> get(http, vmUrl).length());
            long fromH = from / 3600 * 3600;
            long toH = (to + 3599) / 3600 * 3600;
            String vmTeams = base + "/api/v1/query?query=" + enc("sum by (team) (count_over_time(vigil_power_w["
                    + (toH - fromH) + "s])) / 3600") + "&time=" + toH;
            List<Double> teamsVm = time(30, () -> get(http, vmTeams).length());
            return new Result(gpus, seconds, samples.size(), values, fromKafka, fromKafka * METRICS.length,
                    samples.size() / writerSeconds, values / writerSeconds, values / vmSeconds, rawBytes / (double) values,
                    rollupBytes / (double) values, vmBytes / (double) values, q[0], q[1],
                    pct(raw, 0.5), pct(vmq, 0.5), pct(vmq, 0.99), q[2], q[3],
                    pct(teamsVm, 0.5), pct(teamsVm, 0.99), ts == null ? null : ts[0], ts == null ? null : ts[1],
                    ts == null ? null : ts[2], ts == null ? null : ts[3], ts == null ? null : ts[4]);
        } finally {
            vm.destroy();
            vm.waitFor(20, TimeUnit.SECONDS);
            deleteTree(vmDir);
        }
    }

    /** A DataSource handing out one open connection whose close() does nothing: a pool of one. */
    static DataSource reusing(Connection open) {
        Connection shared = (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close")) return null;
                    try {
                        return method.invoke(open, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return (DataSource) java.lang.reflect.Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) return shared;
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    interface Work {
        Object run() throws Exception;
    }

    static List<Double> time(int n, Work w) throws Exception {
        w.run(); // warm
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            w.run();
            out.add((System.nanoTime() - t) / 1e6);
        }
        out.sort(Double::compare);
        return out;
    }

    static double pct(List<Double> sorted, double q) {
        return Math.round(sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)) * 10) / 10.0;
    }

    static long scalar(DataSource db, String sql) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException(url + ": HTTP " + r.statusCode() + " " + r.body());
        return r.body();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static void waitReady(HttpClient http, String base) throws Exception {
        for (int i = 0; i < 100; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) return;
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("VictoriaMetrics did not start");
    }

    static long directorySize(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    public static void main(String[] args) throws Exception {
        boolean json = false;
        int gpus = 1024;
        int seconds = 600;
        String tsUrl = System.getenv("VIGIL_BENCH_TIMESCALEDB_URL");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--gpus" -> gpus = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--timescaledb-url" -> tsUrl = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--json, --gpus N, --seconds S, --timescaledb-url jdbc:postgresql://…)");
            }
        }
        Timescale timescale = tsUrl == null || tsUrl.isBlank() ? null : new Timescale(tsUrl,
                System.getenv().getOrDefault("VIGIL_BENCH_TIMESCALEDB_USER", "vigil"),
                System.getenv().getOrDefault("VIGIL_BENCH_TIMESCALEDB_PASSWORD", "vigil"));
        if (gpus < 8 || seconds < 60) throw new IllegalArgumentException("--gpus >= 8, --seconds >= 60");
        if (!json) {
            System.out.printf("Storage: %d GPUs x %d s (%,d rows, %,d values) into Vigil's PostgreSQL and into "
                    + "VictoriaMetrics%n", gpus, seconds, (long) gpus * seconds, (long) gpus * seconds * METRICS.length);
        }
        if (!json && timescale == null) {
            System.out.println("  (TimescaleDB: not measured; give --timescaledb-url with an empty database to include it)");
        }
        Result r = run(gpus, seconds, timescale);
        if (json) {
            System.out.println(WireFormat.mapper().valueToTree(r).toPrettyString());
            return;
        }
        System.out.printf("  ingest, Vigil writer from Kafka  %,.0f GPU rows/s, %,.0f samples/s (ratio Vigil/VM %.2f)%n",
                r.writerGpuRowsPerSecond(), r.writerSamplesPerSecond(),
                r.writerSamplesPerSecond() / r.victoriaMetricsSamplesPerSecond());
        System.out.printf("  ingest, Vigil write path alone   %,.0f GPU rows/s, %,.0f samples/s (binary COPY + rollups + "
                + "rack/job refresh; no Kafka)%n",
                r.writePathGpuRowsPerSecond(), r.writePathSamplesPerSecond());
        System.out.printf("  ingest, VictoriaMetrics import   %,.0f samples/s%n", r.victoriaMetricsSamplesPerSecond());
        System.out.printf("  bytes per sample                 Vigil raw %.2f (+ rollups %.2f), VictoriaMetrics %.2f%n",
                r.bytesPerSample(), r.rollupBytesPerSample(), r.victoriaMetricsBytesPerSample());
        System.out.printf("  per-rack hourly power query      Vigil rollups p50 %.1f ms p99 %.1f ms, raw p50 %.1f ms; "
                + "VictoriaMetrics p50 %.1f ms p99 %.1f ms%n", r.capacityQueryP50Ms(), r.capacityQueryP99Ms(),
                r.rawQueryP50Ms(), r.victoriaMetricsQueryP50Ms(), r.victoriaMetricsQueryP99Ms());
        System.out.printf("  GPU-hours per team query         Vigil p50 %.1f ms p99 %.1f ms; VictoriaMetrics p50 %.1f ms "
                + "p99 %.1f ms%n", r.gpuHoursQueryP50Ms(), r.gpuHoursQueryP99Ms(), r.victoriaMetricsGpuHoursP50Ms(),
                r.victoriaMetricsGpuHoursP99Ms());
        if (r.timescaleWritePathGpuRowsPerSecond() != null) {
            System.out.printf("  TimescaleDB                      write path %,.0f GPU rows/s; %.2f bytes per sample, %.2f "
                    + "compressed; rack query p50 %.1f ms, GPU-hours p50 %.1f ms%n", r.timescaleWritePathGpuRowsPerSecond(),
                    r.timescaleBytesPerSample(), r.timescaleCompressedBytesPerSample(), r.timescaleRackQueryP50Ms(),
                    r.timescaleGpuHoursQueryP50Ms());
        }
    }
}
