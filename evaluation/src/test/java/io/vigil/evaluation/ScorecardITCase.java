package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.launcher.scorecard.ScenarioSuite;
import io.vigil.launcher.scorecard.Scorecard;
import io.vigil.launcher.scorecard.Scorer;
import io.vigil.model.WireFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The detection scorecard, as {@code ./vigil scorecard} runs it: every labelled scenario through the production
 * detection job on a MiniCluster, the static-threshold baseline beside it. This is each detector's MiniCluster test
 * and holds the goals: F1 at least 0.95 per detector, p95 latency within 10 s for stragglers and thermal and
 * within the stall threshold plus 5 s for stalls, at most one page per root cause and none on the hard negatives.
 */
class ScorecardITCase {

    @Test
    void everyDetectorMeetsItsGoalsAndTheBaselineIsScoredBesideIt() throws Exception {
        Scorecard.Result r = Scorecard.run(ScenarioSuite.all());
        assertThat(r.scenarios()).hasSizeGreaterThanOrEqualTo(20);
        assertThat(r.deadLetters()).isZero();
        List<Scorer.Row> vigil = r.rows().stream().filter(x -> !x.baseline()).toList();
        assertThat(vigil).extracting(Scorer.Row::detector).containsExactlyInAnyOrder("straggler", "sync-stall",
                "thermal", "cooling", "power", "silence", "gpu-lost", "xid");
        assertThat(vigil).allSatisfy(row -> {
            assertThat(row.expected()).as(row.detector()).isPositive();
            assertThat(row.f1()).as(row.detector() + " F1").isGreaterThanOrEqualTo(0.95);
        });
        assertThat(row(vigil, "straggler").latencyP95Seconds()).isLessThanOrEqualTo(10.0);
        assertThat(row(vigil, "thermal").latencyP95Seconds()).isLessThanOrEqualTo(10.0);
        assertThat(row(vigil, "sync-stall").latencyP95Seconds()).isLessThanOrEqualTo(60.0 + 5.0);
        assertThat(r.scenarios()).allSatisfy(s -> {
            assertThat(s.pages()).as(s.scenario() + " pages").isEqualTo(s.negative() ? 0 : 1);
            assertThat(s.unexpected()).as(s.scenario()).isEmpty();
            assertThat(s.missed()).as(s.scenario()).isEmpty();
        });
        // The baseline ran on the same scenarios, and per-GPU rules flood: more pages than root causes.
        List<Scorer.Row> baseline = r.rows().stream().filter(Scorer.Row::baseline).toList();
        assertThat(baseline).hasSameSizeAs(vigil);
        assertThat(baseline.stream().mapToInt(Scorer.Row::pages).sum())
                .isGreaterThan(vigil.stream().mapToInt(Scorer.Row::pages).sum());
        // The JSON form has the documented keys.
        var json = WireFormat.mapper().readTree(Scorecard.json(r));
        assertThat(json.get(0).fieldNames()).toIterable().contains("detector", "baseline", "precision", "recall", "f1",
                "latencyP50Seconds", "latencyP95Seconds", "incidents", "pages");
    }

    static Scorer.Row row(List<Scorer.Row> rows, String detector) {
        return rows.stream().filter(x -> x.detector().equals(detector)).findFirst().orElseThrow();
    }
}
