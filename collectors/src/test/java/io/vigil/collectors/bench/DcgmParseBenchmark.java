package io.vigil.collectors.bench;

import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.dcgm.DcgmScrape;
import io.vigil.collectors.dcgm.PrometheusTextParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One dcgm-exporter scrape of an 8-GPU host (the real L4 scrape's 23 fields, replicated to 8 GPUs: 184 sample
 * lines, as an 8-GPU node with the default counters serves) through Vigil's parser, against a baseline that
 * matches each line with regular expressions, as a quick scraper would. Both produce the same samples.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DcgmParseBenchmark {

    /** Sample lines in {@link #body}, for converting scrapes/s to samples/s. */
    public static int lines;
    /** Bytes in {@link #body}, for converting scrapes/s to MB/s. */
    public static int bytes;
    public String body;

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)(\\s+\\d+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @Setup
    public void load() throws IOException {
        body = eightGpuScrape();
        bytes = body.getBytes(StandardCharsets.UTF_8).length;
        lines = (int) body.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count();
    }

    /** The real L4 scrape's first exposition, with its GPU replicated as GPUs 0..7 of one host. */
    public static String eightGpuScrape() throws IOException {
        String l4;
        try (InputStream in = DcgmParseBenchmark.class.getResourceAsStream("/dcgm/l4-aws.prom")) {
            l4 = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> first = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String line : l4.split("\n")) {
            if (line.startsWith("DCGM_FI_") && seen.add(line.substring(0, line.indexOf('{')))) {
                first.add(line);
            }
        }
        StringBuilder b = new StringBuilder();
        for (String line : first) {
            b.append("# TYPE ").append(line, 0, line.indexOf('{')).append(" gauge\n");
            for (int g = 0; g < 8; g++) {
                b.append(line.replace("gpu=\"0\"", "gpu=\"" + g + "\"").replace("device=\"nvidia0\"", "device=\"nvidia" + g + "\""))
                        .append('\n');
            }
        }
        return b.toString();
    }

    @Benchmark
    public void vigilParser(Blackhole bh) {
        bh.consume(DcgmScrape.toSamples(body, 1L, new DcgmScrape.Placement("c", "r", "k", "h"),
                new OriginStamper("bench", 1)));
    }

    @Benchmark
    public void vigilParserOnly(Blackhole bh) {
        bh.consume(PrometheusTextParser.parse(body, (name, labels, value) -> bh.consume(value), new ArrayList<>()));
    }

    /** Baseline: a regular expression per line and per label, values into a map per GPU. */
    @Benchmark
    public void regexBaseline(Blackhole bh) {
        Map<String, Map<String, Double>> gpus = new HashMap<>();
        for (String line : body.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#') continue;
            Matcher m = LINE.matcher(line);
            if (!m.matches()) continue;
            Map<String, String> labels = new HashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) labels.put(l.group(1), l.group(2));
            }
            gpus.computeIfAbsent(labels.get("Hostname") + "/" + labels.get("gpu"), k -> new HashMap<>())
                    .put(m.group(1), Double.parseDouble(m.group(4)));
        }
        bh.consume(gpus);
    }
}
