package io.vigil.dashboard.overview;

import io.vigil.dashboard.readside.FleetSnapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames shared by every open overview: the layout and the encoded cells depend only on the snapshot, the mode and
 * the filter, so with the shared refresher N sessions looking at the same thing cost one encoding per second, not N.
 * Holds the last few snapshots' frames (by identity) only.
 */
public final class HeatmapCache {

    private record Key(FleetSnapshot snapshot, HeatmapFrame.Mode mode, String filter, String layoutSignature) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.snapshot == snapshot && k.mode == mode && k.filter.equals(filter)
                    && k.layoutSignature.equals(layoutSignature);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(snapshot) * 31 + mode.hashCode() * 17 + filter.hashCode()
                    + layoutSignature.hashCode();
        }
    }

    private static final int MAX = 32;
    private final Map<Key, Object> entries = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Object> eldest) {
            return size() > MAX;
        }
    };

    /** The last layout built per mode: reused while the site's GPUs stay the same (nearly always). */
    private final Map<HeatmapFrame.Mode, HeatmapFrame.Layout> lastLayout = new java.util.EnumMap<>(HeatmapFrame.Mode.class);

    public synchronized HeatmapFrame.Layout layout(FleetSnapshot s, HeatmapFrame.Mode mode) {
        return (HeatmapFrame.Layout) entries.computeIfAbsent(new Key(s, mode, "", ""), k -> {
            List<FleetSnapshot.Gpu> order = HeatmapFrame.order(s);
            String signature = HeatmapFrame.signature(s, order, mode);
            HeatmapFrame.Layout last = lastLayout.get(mode);
            // Same places: keep the JSON (cells are then taken by position, or looked up by key without a placement).
            HeatmapFrame.Layout layout = last != null && last.signature().equals(signature) ? last
                    : new HeatmapFrame.Layout(order, HeatmapFrame.json(order, mode), signature, s.placement());
            lastLayout.put(mode, layout);
            return layout;
        });
    }

    /** The base64 cells of {@code layout} for this snapshot, mode and filter. */
    public synchronized String cells(HeatmapFrame.Layout layout, FleetSnapshot s, HeatmapFrame.Mode mode, String filter) {
        String f = filter == null ? "" : filter.trim();
        return (String) entries.computeIfAbsent(new Key(s, mode, "cells:" + f, layout.signature()),
                k -> HeatmapFrame.base64(HeatmapFrame.cells(layout, s, mode, f)));
    }
}
