package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.evaluation.field.FieldSuite;
import io.vigil.evaluation.scorecard.Scenario;
import io.vigil.evaluation.scorecard.Scorecard;
import io.vigil.evaluation.scorecard.Scorer;
import io.vigil.evaluation.scorecard.StepTimeReplay;
import io.vigil.model.WireFormat;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The detection scorecard, as {@code ./vigil scorecard} runs it: every labelled scenario — the simulator's and the
 * independent field fleet's, with clock offsets, bursty late delivery, omitted fields, uneven cohorts, mixed GPU
 * models, an elastic job, several faults at once — plus a one-hour healthy soak of 256 GPUs, through the production
 * detection job on a MiniCluster, the static-threshold baseline beside it.
 */
class ScorecardITCase {

    @Test
    void everyDetectorMeetsItsGoalsOnDataItWasNotDesignedOnAndTheBaselineIsScoredBesideIt() throws Exception {
        List<Scenario> suite = new ArrayList<>(Scorecard.suite());
        suite.add(FieldSuite.soak(1));
        Scorecard.Result r = Scorecard.run(suite);
        assertThat(r.scenarios()).hasSizeGreaterThanOrEqualTo(30);
        // Late and bursty reporters within the tolerance are judged, not dead-lettered.
        assertThat(r.deadLetters()).isZero();
        List<Scorer.Row> vigil = r.rows().stream().filter(x -> !x.baseline()).toList();
        assertThat(vigil).extracting(Scorer.Row::detector).containsExactlyInAnyOrder("straggler", "sync-stall",
                "thermal", "cooling", "leak", "power", "silence", "gpu-lost", "xid");
        assertThat(vigil).allSatisfy(row -> {
            assertThat(row.expected()).as(row.detector()).isPositive();
            assertThat(row.f1()).as(row.detector() + " F1").isGreaterThanOrEqualTo(0.95);
            assertThat(row.pagePrecision()).as(row.detector() + " page precision").isGreaterThanOrEqualTo(0.95);
            assertThat(row.falsePages()).as(row.detector() + " false pages").isZero();
        });
        // Event-time latency from the fault's start. The goal is 10 s for stragglers; with the settle windows
        // and the minimum duration that keep clock offsets and group switches from paging, and the wait for late
        // reporters in the field scenarios, it is not met yet (docs/benchmarks.md): this bounds what holds today.
        assertThat(row(vigil, "straggler").latencyP95Seconds()).isLessThanOrEqualTo(20.0);
        assertThat(row(vigil, "thermal").latencyP95Seconds()).isLessThanOrEqualTo(10.0);
        assertThat(row(vigil, "cooling").latencyP95Seconds()).isLessThanOrEqualTo(10.0);
        // A leak fires on the first sample that reports it: within one sample interval of the fault.
        assertThat(row(vigil, "leak").latencyP95Seconds()).isLessThanOrEqualTo(5.0);
        assertThat(row(vigil, "sync-stall").latencyP95Seconds()).isLessThanOrEqualTo(60.0 + 5.0);
        // Every found fault's alert resolved within two minutes of the fault's end: what the README states per
        // detector (N good samples or windows once the evidence is gone) plus the time a GPU or a coolant loop
        // takes to cool down. XID holds for 10 minutes without recurrence, by design.
        assertThat(vigil).filteredOn(row -> !row.detector().equals("xid"))
                .allSatisfy(row -> assertThat(row.resolveP95Seconds()).as(row.detector() + " resolution")
                        .isNotNull().isLessThanOrEqualTo(120.0));
        assertThat(r.scenarios()).allSatisfy(s -> {
            if (s.negative()) assertThat(s.pages()).as(s.scenario() + " pages").isZero();
            else assertThat(s.pages()).as(s.scenario() + " pages").isPositive();
            assertThat(s.unexpected()).as(s.scenario()).isEmpty();
            assertThat(s.missed()).as(s.scenario()).isEmpty();
            // Every alert ends while its scenario runs, but XID's, which holds for 10 minutes without recurrence.
            assertThat(s.unresolved()).as(s.scenario()).allSatisfy(u -> assertThat(u).startsWith("XID"));
        });
        // The baseline ran on the same scenarios, and per-GPU rules flood: more pages than root causes.
        List<Scorer.Row> baseline = r.rows().stream().filter(Scorer.Row::baseline).toList();
        assertThat(baseline).hasSameSizeAs(vigil);
        assertThat(baseline.stream().mapToInt(Scorer.Row::pages).sum())
                .isGreaterThan(vigil.stream().mapToInt(Scorer.Row::pages).sum());
        // The JSON form has the documented keys.
        var json = WireFormat.mapper().readTree(Scorecard.json(r));
        assertThat(json.get(0).fieldNames()).toIterable().contains("detector", "baseline", "precision", "recall", "f1",
                "latencyP50Seconds", "latencyP95Seconds", "incidents", "pages", "pagePrecision",
                "falsePagesPer1kGpuHours", "falsePages", "unresolved", "resolveP95Seconds");
    }

    static Scorer.Row row(List<Scorer.Row> rows, String detector) {
        return rows.stream().filter(x -> x.detector().equals(detector)).findFirst().orElseThrow();
    }

    @Test
    void realStepTimesPageOnlyWhereTheDataChanges() throws Exception {
        java.nio.file.Path dir = StepTimeReplay.defaultDir();
        if ("true".equals(System.getenv("CI"))) {
            // CI lays shared/ beside the clone: missing data there is a broken setup, not a reason to skip.
            assertThat(dir).as("shared step-time data").isDirectory();
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(dir), "no data at " + dir);
        List<StepTimeReplay.JobResult> jobs = StepTimeReplay.run(dir);
        assertThat(jobs).extracting(StepTimeReplay.JobResult::job).contains("job_1_norm", "job_2_norm");
        // Every page is on a change of the paged rank's own step time; job 1's emerging straggler is one page,
        // job 2's persistent per-worker skew none.
        assertThat(jobs).allSatisfy(j -> assertThat(j.pagesWithAChange()).as(j.job()).isEqualTo(j.pages()));
        assertThat(jobs).filteredOn(j -> j.job().equals("job_1_norm")).singleElement()
                .satisfies(j -> assertThat(j.pages()).isEqualTo(1));
        assertThat(jobs).filteredOn(j -> j.job().equals("job_2_norm")).singleElement()
                .satisfies(j -> assertThat(j.pages()).isZero());
    }

    @Test
    void theSameRecordingGivesTheSameAlertsInRealTimeAsABacklogWithItsPartitionsShuffledAndAcrossARestart() throws Exception {
        // The independent field scenarios: clock offsets, bursty late reporters, several faults at once.
        List<Scenario> suite = FieldSuite.all();
        io.vigil.evaluation.scorecard.ArrivalInvariance.Result r = io.vigil.evaluation.scorecard.ArrivalInvariance
                .run(suite, Scorecard.scored(io.vigil.detection.DetectionConfig.defaults()), null);
        // 34 of 34 agreed in every CLI run and in four CI runs; a fifth CI run had one scenario differ (a straggler
        // in real time only, field-throttled-gpu against the backlog): which scenarios differ depends on how the
        // partitions are scheduled (README, "What Vigil does not do yet"). At most one may; what differs is printed.
        System.out.println("fixed-suite arrival differences: " + r.differences());
        assertThat(r.differences()).hasSizeLessThanOrEqualTo(1);
        // Not agreement on nothing: every mode found the faults, and dead-lettered nothing.
        assertThat(r.detections().values()).allSatisfy(d -> {
            assertThat(d.alerts()).hasSizeGreaterThan(10);
            assertThat(d.deadLetters()).isZero();
        });
    }

    @Test
    @org.junit.jupiter.api.Tag("long")
    void theGeneratedScorecardDrawsItsScenariosAndReportsCurvesPrecisionAndArrivalInvariance() throws Exception {
        var report = io.vigil.evaluation.scorecard.GeneratedScorecard.run(14, 11,
                List.of(io.vigil.evaluation.scorecard.Arrival.values()), null);
        assertThat(report.scenarios()).isEqualTo(14);
        // One curve per fault kind, each with the kind's ladder of sizes.
        assertThat(report.curves()).extracting(c -> c.kind().name()).containsExactly("STRAGGLER_CLOCK",
                "STRAGGLER_STEP", "COLD_PLATE", "OVERHEATING", "CDU_FLOW_LOSS", "HOST_DOWN");
        assertThat(report.curves()).allSatisfy(c -> assertThat(c.points()).hasSize(c.kind().ladder.length));
        assertThat(report.curves().stream().mapToInt(c -> c.points().stream()
                .mapToInt(io.vigil.evaluation.scorecard.GeneratedScorecard.Point::scenarios).sum()).sum())
                .as("every drawn fault on its curve").isEqualTo(12);
        // Arrival invariance on generated scenarios is not proven to be 1 (README "What Vigil does not do yet").
        // Two CI runs of this draw had 12 and 13 of 14 agree, by a false straggler on steps read after their window
        // closed and a cold plate in one mode; both mechanisms have since been removed (late steps carried, peers
        // never newer than the sample, partitions' idleness on the input-activity clock) and 150 scenarios agreed
        // in all four modes, but which scenarios differ depended on scheduling, so the bound stays until CI has
        // shown otherwise. What differs is printed.
        System.out.println("arrival differences: " + report.differences());
        assertThat(report.arrivalInvariance()).isGreaterThanOrEqualTo(12 / 14.0);
        assertThat(report.pages()).isPositive();
        var json = WireFormat.mapper().readTree(io.vigil.evaluation.scorecard.GeneratedScorecard.json(report));
        assertThat(json.get("overall").fieldNames()).toIterable().contains("recall", "pagePrecision",
                "arrivalInvariance", "falsePagesPer1kGpuHours");
        assertThat(json.get("curves").get(0).get("points").get(0).fieldNames()).toIterable()
                .contains("magnitude", "scenarios", "found", "recall");
    }
}
