package io.vigil.collectors.bench;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code ./vigil bench collectors}: runs the collector benchmarks with JMH's allocation profiler and prints, for
 * each, its rate, its allocation per operation and its ratio to the baseline measured in the same run.
 */
public final class BenchmarkMain {

    public static void main(String[] args) throws Exception {
        DcgmParseBenchmark probe = new DcgmParseBenchmark();
        probe.load();
        Options opts = new OptionsBuilder()
                .include(BenchmarkMain.class.getPackageName() + ".*Benchmark")
                .addProfiler("gc")
                .jvmArgsAppend("-Dvigil.fake.nvml=" + System.getProperty("vigil.fake.nvml",
                        "collectors/target/fake-nvml/libnvidia-ml.so.1"))
                .build();
        Collection<RunResult> results = new Runner(opts).run();

        System.out.println();
        System.out.printf(Locale.ROOT, "dcgm-exporter parsing — one 8-GPU scrape, %d sample lines, %d bytes%n",
                DcgmParseBenchmark.lines, DcgmParseBenchmark.bytes);
        double regex = score(results, "regexBaseline");
        for (String b : new String[] {"regexBaseline", "vigilParser", "vigilParserOnly"}) {
            double s = score(results, b);
            System.out.printf(Locale.ROOT, "  %-20s %10.0f scrapes/s %12.0f samples/s %8.1f MB/s %8.2fx  %8.0f B/scrape%n",
                    b, s, s * DcgmParseBenchmark.lines, s * DcgmParseBenchmark.bytes / 1e6, s / regex, alloc(results, b));
        }
        System.out.println("JSON encoding — one fully populated GPU sample");
        double baseline = score(results, "defaultObjectMapper");
        for (String b : new String[] {"defaultObjectMapper", "vigilEncoder"}) {
            double s = score(results, b);
            System.out.printf(Locale.ROOT, "  %-20s %10.0f samples/s %8.2fx  %8.0f B/sample%n", b, s, s / baseline,
                    alloc(results, b));
        }
        System.out.println("dcgm-exporter collection end to end — HTTP, parse, map, encode; collector threads' CPU");
        System.out.println("  " + CollectorLoadHarness.measure(30));
        double us = score(results, "scrapeAndEncode");
        if (!Double.isNaN(us)) {
            System.out.println("NVML agent — one scrape of 8 GPUs plus encoding (fake libnvidia-ml)");
            System.out.printf(Locale.ROOT, "  %-20s %10.1f us/scrape = %.3f%% of one core at 1 Hz  %8.0f B/scrape%n",
                    "scrapeAndEncode", us, us / 1e6 * 100, alloc(results, "scrapeAndEncode"));
        }
        System.exit(0);
    }

    private static RunResult find(Collection<RunResult> results, String name) {
        return results.stream().filter(r -> r.getParams().getBenchmark().endsWith("." + name)).findFirst().orElse(null);
    }

    private static double score(Collection<RunResult> results, String name) {
        RunResult r = find(results, name);
        return r == null ? Double.NaN : r.getPrimaryResult().getScore();
    }

    private static double alloc(Collection<RunResult> results, String name) {
        RunResult r = find(results, name);
        if (r == null) return Double.NaN;
        Result<?> a = r.getSecondaryResults().get("gc.alloc.rate.norm");
        return a == null ? Double.NaN : a.getScore();
    }
}
