package io.vigil.dashboard.overview;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.dashboard.readside.FleetSnapshot;
import io.vigil.dashboard.readside.GpuHealth;
import io.vigil.model.WireFormat;
import io.vigil.storage.query.GpuStatus;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * What the overview's canvas draws, computed from a {@link FleetSnapshot}: the layout (rows, racks, hosts and their
 * GPU counts; sent when it changes) and one byte per GPU in layout order (sent every refresh, base64). For 16,384
 * GPUs a frame is 16 KB of bytes, about 22 KB as base64.
 */
public final class HeatmapFrame {

    public static final int NO_DATA = 251;
    public static final int FILTERED = 255;

    /** What a cell's colour shows: health, or one metric on a fixed scale. */
    public enum Mode {
        HEALTH(null, 0, 0, ""),
        TEMPERATURE(GpuStatus::tempC, 20, 100, "°C"),
        POWER(GpuStatus::powerW, 0, 1200, "W"),
        UTILISATION(GpuStatus::utilPct, 0, 100, "%"),
        CLOCK(GpuStatus::smClockMHz, 0, 2200, "MHz");

        final Function<GpuStatus, Double> value;
        final double min, max;
        final String unit;

        Mode(Function<GpuStatus, Double> value, double min, double max, String unit) {
            this.value = value;
            this.min = min;
            this.max = max;
            this.unit = unit;
        }

        /** The scale's ends, e.g. "20 °C to 100 °C". */
        public String scaleText() {
            return String.format(Locale.ROOT, "%.0f %s to %.0f %s", min, unit, max, unit);
        }

        public String label() {
            return name().charAt(0) + name().substring(1).toLowerCase(Locale.ROOT);
        }
    }

    /** The GPUs in drawing order (row, rack, host, GPU), the layout as JSON, and its signature. */
    public record Layout(List<FleetSnapshot.Gpu> order, String json, String signature, long placement) {}

    private HeatmapFrame() {}

    public static Layout layout(FleetSnapshot snapshot, Mode mode) {
        List<FleetSnapshot.Gpu> order = order(snapshot);
        return new Layout(order, json(order, mode), signature(snapshot, order, mode), snapshot.placement());
    }

    /** The GPUs in drawing order (row, rack, host, GPU): the snapshot's own when its placement is known. */
    public static List<FleetSnapshot.Gpu> order(FleetSnapshot snapshot) {
        if (snapshot.placement() != FleetSnapshot.UNKNOWN_PLACEMENT) return snapshot.gpus();
        List<FleetSnapshot.Gpu> order = new ArrayList<>(snapshot.gpus());
        order.sort(Comparator.comparing(FleetSnapshot.Gpu::status, FleetSnapshot.DRAWING_ORDER));
        return order;
    }

    /**
     * Identifies a layout (the mode and every GPU's place) without building it: from the snapshot's placement when
     * known, otherwise a hash of every GPU's place.
     */
    public static String signature(FleetSnapshot snapshot, List<FleetSnapshot.Gpu> order, Mode mode) {
        if (snapshot.placement() != FleetSnapshot.UNKNOWN_PLACEMENT) {
            return mode.ordinal() + "p" + snapshot.placement() + ":" + order.size();
        }
        long h = mode.ordinal();
        for (FleetSnapshot.Gpu g : order) {
            var s = g.status();
            h = h * 1_000_003L + java.util.Objects.hash(s.cluster(), s.row(), s.rack(), s.host(), s.gpu());
        }
        return Long.toHexString(h) + ":" + order.size();
    }

    static String json(List<FleetSnapshot.Gpu> order, Mode mode) {
        ObjectNode root = WireFormat.mapper().createObjectNode();
        root.put("mode", mode.name().toLowerCase(Locale.ROOT));
        root.put("min", mode.min);
        root.put("max", mode.max);
        root.put("unit", mode.unit);
        ArrayNode legend = root.putArray("legend");
        for (GpuHealth h : GpuHealth.values()) legend.add(h.cssName());
        ArrayNode rows = root.putArray("rows");
        ObjectNode row = null, rack = null, host = null;
        for (FleetSnapshot.Gpu g : order) {
            GpuStatus s = g.status();
            if (row == null || !row.get("name").asText().equals(nz(s.row()))) {
                row = rows.addObject().put("name", nz(s.row()));
                row.putArray("racks");
                rack = null;
            }
            if (rack == null || !rack.get("name").asText().equals(nz(s.rack()))) {
                rack = ((ArrayNode) row.get("racks")).addObject().put("name", nz(s.rack()));
                rack.putArray("hosts");
                host = null;
            }
            if (host == null || !host.get("name").asText().equals(s.host())) {
                host = ((ArrayNode) rack.get("hosts")).addObject().put("name", s.host()).put("gpus", 0);
            }
            host.put("gpus", host.get("gpus").asInt() + 1);
        }
        return root.toString();
    }

    /**
     * One byte per GPU of {@code layout}, from the snapshot's current values (a GPU of the layout missing from the
     * snapshot is NO_DATA); GPUs the filter rejects are FILTERED. {@code filter} matches a job id or a team, or is
     * blank for all.
     */
    public static byte[] cells(Layout layout, FleetSnapshot snapshot, Mode mode, String filter) {
        // The same placement: the snapshot's GPUs are the layout's, in its order. Otherwise matched by key.
        boolean samePlaces = layout.placement() != FleetSnapshot.UNKNOWN_PLACEMENT
                && layout.placement() == snapshot.placement();
        java.util.Map<String, FleetSnapshot.Gpu> now = null;
        if (!samePlaces) {
            now = new java.util.HashMap<>(snapshot.gpus().size() * 2);
            for (FleetSnapshot.Gpu g : snapshot.gpus()) now.put(g.key(), g);
        }
        String f = filter == null ? "" : filter.trim();
        byte[] out = new byte[layout.order().size()];
        for (int i = 0; i < out.length; i++) {
            FleetSnapshot.Gpu g = samePlaces ? snapshot.gpus().get(i) : now.get(layout.order().get(i).key());
            int v;
            if (g == null) {
                v = NO_DATA;
            } else if (!f.isEmpty() && !f.equals(g.status().jobId()) && !f.equals(g.team())) {
                v = FILTERED;
            } else if (mode == Mode.HEALTH) {
                v = g.health().ordinal();
            } else {
                Double x = mode.value.apply(g.status());
                v = x == null || x.isNaN() ? NO_DATA
                        : (int) Math.round(Math.max(0, Math.min(1, (x - mode.min) / (mode.max - mode.min))) * 250);
            }
            out[i] = (byte) v;
        }
        return out;
    }

    public static String base64(byte[] cells) {
        return Base64.getEncoder().encodeToString(cells);
    }

    private static String nz(String s) {
        return FleetSnapshot.placeName(s);
    }
}
