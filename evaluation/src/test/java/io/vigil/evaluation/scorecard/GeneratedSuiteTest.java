package io.vigil.evaluation.scorecard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.evaluation.scorecard.GeneratedSuite.Case;
import io.vigil.evaluation.scorecard.GeneratedSuite.Kind;
import io.vigil.model.TelemetryRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GeneratedSuiteTest {

    @Test
    void theSameSeedDrawsTheSameScenariosAndAnotherSeedOthers() {
        List<String> a = GeneratedSuite.draw(40, 5).stream().map(c -> c.scenario().description()).toList();
        List<String> b = GeneratedSuite.draw(40, 5).stream().map(c -> c.scenario().description()).toList();
        List<String> c = GeneratedSuite.draw(40, 6).stream().map(x -> x.scenario().description()).toList();
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
        assertThat(GeneratedSuite.draw(40, 5)).extracting(x -> x.scenario().name()).doesNotHaveDuplicates();
    }

    @Test
    void everyKindIsDrawnAtSizesOfItsLadderWithItsExpectation() {
        List<Case> cases = GeneratedSuite.draw(140, 9);
        Map<Kind, List<Case>> byKind = cases.stream().collect(Collectors.groupingBy(Case::kind));
        assertThat(byKind.keySet()).containsExactlyInAnyOrder(Kind.values());
        for (Case c : cases) {
            assertThat(Arrays.stream(c.kind().ladder).anyMatch(m -> m == c.magnitude())).as(c.scenario().name())
                    .isTrue();
            assertThat(c.scenario().negative()).as(c.scenario().name()).isEqualTo(c.kind() == Kind.NONE);
        }
        // The ladders run from below each threshold to well above it: more than one size is drawn per kind.
        for (Kind k : List.of(Kind.STRAGGLER_CLOCK, Kind.COLD_PLATE, Kind.CDU_FLOW_LOSS, Kind.HOST_DOWN)) {
            assertThat(byKind.get(k).stream().map(Case::magnitude).distinct().count()).as(k.name()).isGreaterThan(2);
        }
        // Clock-event reasons are drawn for throttled GPUs, none among them.
        assertThat(byKind.get(Kind.STRAGGLER_CLOCK)).extracting(Case::reason).contains(
                io.vigil.evaluation.field.FieldWorkload.Reason.NONE,
                io.vigil.evaluation.field.FieldWorkload.Reason.SW_THERMAL);
        assertThatThrownBy(() -> GeneratedSuite.draw(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSensitivityIsTheSmallestSizeFromWhichEveryLargerOneIsFound() {
        List<GeneratedScorecard.Point> points = List.of(new GeneratedScorecard.Point(0.05, 4, 0),
                new GeneratedScorecard.Point(0.1, 4, 4), new GeneratedScorecard.Point(0.15, 0, 0),
                new GeneratedScorecard.Point(0.2, 3, 3));
        assertThat(GeneratedScorecard.sensitivity(points)).isEqualTo(0.1);
        // A miss above a found size moves the sensitivity up past it.
        assertThat(GeneratedScorecard.sensitivity(List.of(new GeneratedScorecard.Point(0.1, 4, 4),
                new GeneratedScorecard.Point(0.2, 4, 3), new GeneratedScorecard.Point(0.3, 2, 2)))).isEqualTo(0.3);
        assertThat(GeneratedScorecard.sensitivity(List.of(new GeneratedScorecard.Point(0.3, 2, 1)))).isNull();
    }

    @Test
    void everyArrivalModeDeliversEveryRecordOnceAndKeepsEachPartitionsOrder() {
        List<Scenario> suite = GeneratedSuite.draw(3, 2).stream().map(Case::scenario).toList();
        Map<Integer, List<TelemetryRecord>> recorded = new HashMap<>();
        ScenarioFeed feed = new ScenarioFeed(suite);
        while (feed.hasNext()) {
            TelemetryRecord r = feed.next();
            recorded.computeIfAbsent(Arrival.partitionOf(r), p -> new ArrayList<>()).add(r);
        }
        List<Integer> firstPartitions = new ArrayList<>();
        for (Arrival mode : Arrival.values()) {
            Map<Integer, List<TelemetryRecord>> delivered = new HashMap<>();
            Iterator<Arrival.Delivery> it = mode.deliver(new ScenarioFeed(suite), 42);
            int switches = 0, last = -1;
            while (it.hasNext()) {
                Arrival.Delivery d = it.next();
                delivered.computeIfAbsent(d.partition(), p -> new ArrayList<>()).add(d.record());
                if (d.partition() != last) switches++;
                last = d.partition();
            }
            assertThat(delivered).as(mode.name()).isEqualTo(recorded);
            firstPartitions.add(switches);
        }
        // Real time switches partitions with nearly every record; a backlog's fetches much less often.
        assertThat(firstPartitions.get(0)).isGreaterThan(10 * firstPartitions.get(1));
    }
}
