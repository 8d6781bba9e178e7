package io.vigil.dashboard.jobs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.dashboard.overview.HeatmapFrame;
import io.vigil.dashboard.readside.FleetSnapshot;
import io.vigil.model.WireFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A job's ranks as a strip for the heatmap canvas, 32 ranks to a line, each coloured by how far its SM clock is
 * from the median of the job's GPUs (−20 % at one end of the scale, +20 % at the other, the median in the middle).
 */
public final class RankStrip {

    public static final int PER_LINE = 32;
    public static final double SPAN = 0.20;

    public record Strip(List<FleetSnapshot.Gpu> ranks, String layoutJson, byte[] cells, Double medianMHz) {}

    private RankStrip() {}

    public static Strip of(String job, List<FleetSnapshot.Gpu> all) {
        List<FleetSnapshot.Gpu> ranks = new ArrayList<>(all.stream().filter(g -> job.equals(g.status().jobId())).toList());
        ranks.sort(Comparator.comparing((FleetSnapshot.Gpu g) -> g.status().rank() == null ? Integer.MAX_VALUE
                : g.status().rank()).thenComparing(FleetSnapshot.Gpu::key));
        double[] clocks = ranks.stream().map(g -> g.status().smClockMHz()).filter(c -> c != null && !c.isNaN())
                .mapToDouble(Double::doubleValue).sorted().toArray();
        Double median = clocks.length == 0 ? null : clocks.length % 2 == 1 ? clocks[clocks.length / 2]
                : (clocks[clocks.length / 2 - 1] + clocks[clocks.length / 2]) / 2;
        ObjectNode root = WireFormat.mapper().createObjectNode();
        root.put("min", -SPAN * 100).put("max", SPAN * 100).put("unit", "% from the job's median clock");
        ArrayNode hosts = root.putArray("rows").addObject().put("name", "ranks").putArray("racks").addObject()
                .put("name", job).putArray("hosts");
        for (int i = 0; i < ranks.size(); i += PER_LINE) {
            hosts.addObject().put("name", "ranks " + i + "-" + Math.min(ranks.size() - 1, i + PER_LINE - 1))
                    .put("gpus", Math.min(PER_LINE, ranks.size() - i));
        }
        byte[] cells = new byte[ranks.size()];
        for (int i = 0; i < cells.length; i++) {
            Double c = ranks.get(i).status().smClockMHz();
            if (c == null || median == null || median == 0) {
                cells[i] = (byte) HeatmapFrame.NO_DATA;
            } else {
                double dev = Math.max(-SPAN, Math.min(SPAN, (c - median) / median));
                // Slower than the cohort is the hot end of the scale.
                cells[i] = (byte) Math.round((SPAN - dev) / (2 * SPAN) * 250);
            }
        }
        return new Strip(ranks, root.toString(), cells, median);
    }
}
