package io.vigil.collectors.bench;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code ./vigil bench collectors}: runs the collector benchmarks and prints scrapes/s, samples/s and MB/s for each,
 * with the ratio to the regex baseline measured in the same run.
 */
public final class BenchmarkMain {

    public static void main(String[] args) throws Exception {
        DcgmParseBenchmark probe = new DcgmParseBenchmark();
        probe.load();
        Options opts = new OptionsBuilder().include(DcgmParseBenchmark.class.getName()).build();
        Collection<RunResult> results = new Runner(opts).run();
        double baseline = results.stream().filter(r -> r.getParams().getBenchmark().endsWith("regexBaseline"))
                .mapToDouble(r -> r.getPrimaryResult().getScore()).findFirst().orElse(Double.NaN);
        System.out.println();
        System.out.printf(Locale.ROOT, "Input: one 8-GPU dcgm-exporter scrape, %d sample lines, %d bytes%n",
                DcgmParseBenchmark.lines, DcgmParseBenchmark.bytes);
        System.out.printf(Locale.ROOT, "%-18s %14s %16s %10s %12s%n", "benchmark", "scrapes/s", "samples/s", "MB/s",
                "vs baseline");
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
            double score = r.getPrimaryResult().getScore();
            System.out.printf(Locale.ROOT, "%-18s %14.0f %16.0f %10.1f %11.2fx   (+/- %.0f scrapes/s)%n", name, score,
                    score * DcgmParseBenchmark.lines, score * DcgmParseBenchmark.bytes / 1e6, score / baseline,
                    r.getPrimaryResult().getScoreError());
        }
    }
}
