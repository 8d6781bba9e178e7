package io.vigil.collectors.dcgm;

import io.vigil.collectors.OriginStamper;
import io.vigil.model.GpuSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns one dcgm-exporter {@code /metrics} body into one {@link GpuSample} per GPU. The GPU is identified by the
 * {@code Hostname} and {@code gpu} labels (the target's configured host when {@code Hostname} is absent); UUID and
 * model come from {@code UUID} and {@code modelName}. Lines of a MIG instance ({@code GPU_I_ID} label) make a
 * sample of their own, with {@code migInstance} set.
 */
public final class DcgmScrape {

    /** Where the scraped GPUs stand: the inventory's cluster, row and rack, and the host to assume. */
    public record Placement(String cluster, String row, String rack, String host) {}

    /** The GPU samples of one scrape and what was left out. */
    public record Result(List<GpuSample> samples, List<PrometheusTextParser.ParseError> errors,
                         Set<String> unmappedFields) {}

    private DcgmScrape() {}

    public static Result toSamples(CharSequence body, long ts, Placement placement, OriginStamper origin) {
        Map<String, Gpu> gpus = new LinkedHashMap<>();
        Set<String> unmapped = new TreeSet<>();
        List<PrometheusTextParser.ParseError> errors = new ArrayList<>();
        PrometheusTextParser.parse(body, (name, labels, value) -> {
            if (!name.startsWith("DCGM_FI_")) {
                return;
            }
            String gpuLabel = labels.get("gpu");
            if (!smallIndex(gpuLabel)) {
                errors.add(new PrometheusTextParser.ParseError(0, name + " has no numeric 'gpu' label"));
                return;
            }
            String hostLabel = labels.get("Hostname");
            String host = hostLabel == null || hostLabel.isEmpty() ? placement.host() : hostLabel;
            String instance = labels.get("GPU_I_ID");
            Integer mig = smallIndex(instance) ? Integer.valueOf(instance) : null;
            Gpu gpu = gpus.computeIfAbsent(host + "/" + gpuLabel + "/" + mig, k -> new Gpu(host, gpuLabel, mig, labels));
            switch (name) {
                case DcgmMetrics.FB_USED -> gpu.fbUsed = value;
                case DcgmMetrics.FB_FREE -> gpu.fbFree = value;
                case DcgmMetrics.FB_RESERVED -> gpu.fbReserved = value;
                default -> { }
            }
            if (!DcgmMetrics.apply(name, value, gpu.builder) && !DcgmMetrics.isMapped(name)) {
                unmapped.add(name);
            }
        }, errors);

        List<GpuSample> samples = new ArrayList<>(gpus.size());
        gpus.values().stream().sorted(Comparator.comparing((Gpu g) -> g.host).thenComparingInt(g -> g.index)
                        .thenComparingInt(g -> g.mig == null ? -1 : g.mig))
                .forEach(g -> {
                    if (!Double.isNaN(g.fbUsed) && !Double.isNaN(g.fbFree)) {
                        g.builder.memTotalMiB(g.fbUsed + g.fbFree + (Double.isNaN(g.fbReserved) ? 0 : g.fbReserved));
                    }
                    samples.add(g.builder.ts(ts).cluster(placement.cluster()).row(placement.row())
                            .rack(placement.rack()).origin(origin.next()).build());
                });
        return new Result(samples, errors, unmapped);
    }

    /**
     * One to three digits: a GPU or MIG index. (Checked by hand: {@code String.matches} compiles its pattern on
     * every call, and this runs once per line of every scrape.)
     */
    static boolean smallIndex(String s) {
        if (s == null || s.isEmpty() || s.length() > 3) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    private static final class Gpu {
        final String host;
        final int index;
        final Integer mig;
        final GpuSample.Builder builder = GpuSample.builder();
        double fbUsed = Double.NaN, fbFree = Double.NaN, fbReserved = Double.NaN;

        Gpu(String host, String gpuLabel, Integer mig, PrometheusTextParser.Labels labels) {
            this.host = host;
            this.index = Integer.parseInt(gpuLabel);
            this.mig = mig;
            builder.host(host).gpu(index).migInstance(mig).uuid(labels.get("UUID")).model(labels.get("modelName"))
                    .source(GpuSample.Source.DCGM).driverVersion(nonEmpty(labels.get("DCGM_FI_DRIVER_VERSION")))
                    .pod(nonEmpty(labels.get("pod"))).namespace(nonEmpty(labels.get("namespace")))
                    .container(nonEmpty(labels.get("container")))
                    .state(GpuSample.GpuState.OK);
        }

        private static String nonEmpty(String v) {
            return v == null || v.isEmpty() ? null : v;
        }
    }
}
