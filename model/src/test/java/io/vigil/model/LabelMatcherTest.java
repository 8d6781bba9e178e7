package io.vigil.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelMatcherTest {

    @Test
    void parsesAlertmanagersSyntaxAndMatchesWholeValues() {
        assertThat(LabelMatcher.parse("team=\"ml\"").matches(Map.of("team", "ml"))).isTrue();
        assertThat(LabelMatcher.parse("team = ml").matches(Map.of("team", "ml2"))).isFalse();
        assertThat(LabelMatcher.parse("type=~\"COOLING|POWER\"").matches(Map.of("type", "POWER"))).isTrue();
        assertThat(LabelMatcher.parse("type=~\"COOL\"").matches(Map.of("type", "COOLING"))).as("anchored").isFalse();
        assertThat(LabelMatcher.parse("rack!~\"r0[12]\"").matches(Map.of("rack", "r03"))).isTrue();
        assertThat(LabelMatcher.parse("team!=\"ml\"").matches(Map.of())).isTrue();
        assertThat(LabelMatcher.parse("team=\"\"").matches(Map.of())).as("a missing label reads as empty").isTrue();
        assertThat(LabelMatcher.parse("summary=\"a \\\"quoted\\\" word\"").value()).isEqualTo("a \"quoted\" word");
        LabelMatcher m = LabelMatcher.parse("x=~\"a.*\"");
        assertThat(LabelMatcher.parse(m.toString())).isEqualTo(m);
    }

    @Test
    void refusesWhatItCannotMean() {
        assertThatThrownBy(() -> LabelMatcher.parse("team~ml")).hasMessageContaining("not a matcher");
        assertThatThrownBy(() -> LabelMatcher.parse("team=~\"(\"")).hasMessageContaining("bad regex");
        assertThatThrownBy(() -> LabelMatcher.parse("9x=\"a\"")).hasMessageContaining("not a matcher");
    }

    @Test
    void silencesCoverOnlyWhileActiveAndOnlyWhatAllTheirMatchersMatch() {
        Instant t = Instant.parse("2026-11-30T10:00:00Z");
        Silence s = new Silence("s", Silence.Kind.SILENCE, List.of(LabelMatcher.parse("rack=\"r1\""),
                LabelMatcher.parse("type=\"THERMAL\"")), null, t, t.plusSeconds(60), "ana", null, t);
        assertThat(s.problem()).isNull();
        assertThat(s.covers(Map.of("rack", "r1", "type", "THERMAL"), t.plusSeconds(30))).isTrue();
        assertThat(s.covers(Map.of("rack", "r1", "type", "POWER"), t.plusSeconds(30))).isFalse();
        assertThat(s.covers(Map.of("rack", "r1", "type", "THERMAL"), t.plusSeconds(60))).as("ended").isFalse();
        assertThat(s.covers(Map.of("rack", "r1", "type", "THERMAL"), t.minusSeconds(1))).as("not begun").isFalse();
        assertThat(new Silence("s", Silence.Kind.SILENCE, List.of(), null, t, t.plusSeconds(1), null, null, t).problem())
                .contains("matcher");
        assertThat(new Silence("a", Silence.Kind.ACK, List.of(), null, t, null, null, null, t).problem())
                .contains("incident");
    }
}
