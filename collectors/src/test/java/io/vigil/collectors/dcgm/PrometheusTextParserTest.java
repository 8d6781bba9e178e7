package io.vigil.collectors.dcgm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PrometheusTextParserTest {

    record Sample(String name, Map<String, String> labels, double value) {}

    static List<Sample> parse(String text, List<PrometheusTextParser.ParseError> errors) {
        List<Sample> out = new ArrayList<>();
        PrometheusTextParser.parse(text, (name, labels, value) -> {
            Map<String, String> copy = new TreeMap<>();
            for (int i = 0; i < labels.size(); i++) copy.put(labels.name(i), labels.value(i));
            out.add(new Sample(name, copy, value));
        }, errors);
        return out;
    }

    @Test
    void parsesSamplesLabelsAndSpecialValuesAndSkipsComments() {
        List<PrometheusTextParser.ParseError> errors = new ArrayList<>();
        List<Sample> s = parse("""
                # HELP up Whether up.
                # TYPE up gauge
                up 1

                temp{gpu="0",Hostname="n1"} 31.5
                esc{a="quote \\" backslash \\\\ newline \\n end",b=""} -2e3 1712345678000
                spaced { x = "1" , y="2", } +Inf
                nan{} NaN
                neg -Inf\r
                """, errors);
        assertThat(errors).isEmpty();
        assertThat(s).extracting(Sample::name).containsExactly("up", "temp", "esc", "spaced", "nan", "neg");
        assertThat(s.get(1).labels()).containsEntry("gpu", "0").containsEntry("Hostname", "n1");
        assertThat(s.get(1).value()).isEqualTo(31.5);
        assertThat(s.get(2).labels()).containsEntry("a", "quote \" backslash \\ newline \n end").containsEntry("b", "");
        assertThat(s.get(2).value()).isEqualTo(-2000.0);
        assertThat(s.get(3).labels()).containsEntry("x", "1").containsEntry("y", "2");
        assertThat(s.get(3).value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(s.get(4).value()).isNaN();
        assertThat(s.get(5).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void aMalformedLineIsReportedAndTheRestIsKept() {
        List<PrometheusTextParser.ParseError> errors = new ArrayList<>();
        List<Sample> s = parse("""
                good 1
                bad{gpu="0" 2
                {nolabel="x"} 3
                novalue{a="b"}
                notnum abc
                unterminated{a="b} 4
                alsogood 5
                """, errors);
        assertThat(s).extracting(Sample::name).containsExactly("good", "alsogood");
        assertThat(errors).extracting(PrometheusTextParser.ParseError::line).containsExactly(2, 3, 4, 5, 6);
        assertThat(errors.get(3).message()).contains("abc");
    }
}
