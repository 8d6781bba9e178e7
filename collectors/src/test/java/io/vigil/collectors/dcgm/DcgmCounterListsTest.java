package io.vigil.collectors.dcgm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * dcgm-exporter's own counter lists (default and profiling, from the shared test data): every counter they enable
 * is either mapped to the model or deliberately left out, with the reason here. A new counter in those lists fails
 * this test until someone decides.
 */
class DcgmCounterListsTest {

    static final Path DIR = Path.of(System.getProperty("vigil.testdata", "../../shared/testdata"), "dcgm-exporter");

    /** Counters with no place in the GPU sample yet, and why. */
    static final Map<String, String> LEFT_OUT = Map.ofEntries(
            Map.entry("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", "link health counter; no field in the model yet"),
            Map.entry("DCGM_FI_DEV_MEM_COPY_UTIL", "memory-controller utilisation; not in the model"),
            Map.entry("DCGM_FI_DEV_ENC_UTIL", "video encoder; irrelevant to training"),
            Map.entry("DCGM_FI_DEV_DEC_UTIL", "video decoder; irrelevant to training"),
            Map.entry("DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", "cumulative counter; NVLink rates come from PROF_NVLINK_*"),
            Map.entry("DCGM_FI_DEV_VGPU_LICENSE_STATUS", "vGPU licensing"),
            Map.entry("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", "row remapping; no field in the model yet"),
            Map.entry("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", "row remapping; no field in the model yet"),
            Map.entry("DCGM_FI_DEV_ROW_REMAP_FAILURE", "row remapping; no field in the model yet"),
            Map.entry("DCGM_FI_DRIVER_VERSION", "a label, not a value"),
            Map.entry("DCGM_FI_PROF_GR_ENGINE_ACTIVE", "graphics engine; SM and tensor activity are what detection uses"),
            Map.entry("DCGM_FI_PROF_DRAM_ACTIVE", "memory bandwidth; not in the model yet"));

    static Set<String> enabledCounters(String file) throws Exception {
        Set<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(DIR.resolve(file))) {
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("#")) continue;
            names.add(t.substring(0, t.indexOf(',')).trim());
        }
        return names;
    }

    @Test
    void everyEnabledCounterIsMappedOrDeliberatelyLeftOut() throws Exception {
        assertThat(DIR).as("shared test data expected beside the repository").isDirectory();
        for (String list : new String[] {"default-counters.csv", "dcp-metrics-included.csv"}) {
            Set<String> counters = enabledCounters(list);
            assertThat(counters).as(list).isNotEmpty();
            for (String c : counters) {
                assertThat(DcgmMetrics.isMapped(c) || LEFT_OUT.containsKey(c))
                        .as("%s in %s is neither mapped nor listed as left out", c, list).isTrue();
            }
        }
    }

    @Test
    void theCountersDetectionNeedsAreMapped() {
        for (String c : new String[] {"DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_SM_CLOCK",
                "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_PROF_SM_ACTIVE", "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE",
                "DCGM_FI_DEV_CLOCKS_EVENT_REASONS", "DCGM_FI_DEV_XID_ERRORS", "DCGM_FI_PROF_NVLINK_TX_BYTES"}) {
            assertThat(DcgmMetrics.isMapped(c)).as(c).isTrue();
        }
    }
}
