package io.vigil.dashboard.layout;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.model.WireFormat;
import io.vigil.storage.query.AlertRow;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** ECharts options for time series: lines over time, alert episodes shaded with their type. */
public final class TimeSeriesChart {

    /** One line: its name and points ({@code time}, {@code value}) as the history queries return them. */
    public record Line(String name, List<Map<String, Object>> points, boolean emphasised) {}

    private TimeSeriesChart() {}

    public static ObjectNode option(String title, String unit, List<Line> lines, List<AlertRow> alerts, Instant to) {
        ObjectNode o = WireFormat.mapper().createObjectNode();
        o.putObject("title").put("text", title);
        ((ObjectNode) o.get("title")).putObject("textStyle").put("fontSize", 13);
        o.putObject("tooltip").put("trigger", "axis");
        o.putObject("legend").put("top", 20).put("type", "scroll");
        o.putObject("grid").put("left", 50).put("right", 20).put("top", 55).put("bottom", 30);
        o.putObject("xAxis").put("type", "time").putObject("axisLabel").put("hideOverlap", true);
        o.putObject("yAxis").put("type", "value").put("name", unit).put("scale", true);
        ArrayNode series = o.putArray("series");
        boolean first = true;
        for (Line l : lines) {
            ObjectNode s = series.addObject().put("name", l.name()).put("type", "line").put("showSymbol", false);
            s.putObject("lineStyle").put("width", l.emphasised() ? 3 : 1).put("opacity", l.emphasised() ? 1 : 0.6);
            ArrayNode data = s.putArray("data");
            for (Map<String, Object> p : l.points()) {
                Object v = p.get("value");
                if (v == null) continue;
                data.addArray().add(String.valueOf(p.get("time"))).add(((Number) v).doubleValue());
            }
            if (first && alerts != null && !alerts.isEmpty()) {
                // Alert episodes as shaded bands on the first line, named by type and severity.
                ArrayNode areas = s.putObject("markArea").put("silent", false).putArray("data");
                ((ObjectNode) s.get("markArea")).putObject("itemStyle").put("color", "rgba(211,47,47,0.12)");
                for (AlertRow a : alerts) {
                    ArrayNode pair = areas.addArray();
                    pair.addObject().put("name", a.type() + " " + a.severity().toLowerCase())
                            .put("xAxis", a.startsAt().toString());
                    pair.addObject().put("xAxis", (a.endsAt() == null ? to : a.endsAt()).toString());
                }
            }
            first = false;
        }
        return o;
    }
}
