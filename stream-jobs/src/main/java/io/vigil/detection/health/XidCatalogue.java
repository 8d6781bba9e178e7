package io.vigil.detection.health;

import io.vigil.model.AlertEvent.Severity;
import java.util.Map;

/**
 * Severity of NVIDIA XID errors, after NVIDIA's published XID catalogue (docs.nvidia.com/deploy/xid-errors): the
 * ones that mean the GPU or its memory, links or firmware failed and need a reset, drain or replacement are
 * CRITICAL; the ones that usually recover or only warn of wear are WARNING; the ones a user's program causes
 * (illegal address, out-of-range access, a killed context) are INFO: visible, never paging.
 */
public final class XidCatalogue {

    /** A catalogue entry: what the code means, and how bad it is. */
    public record Entry(Severity severity, String meaning) {}

    private static final Map<Integer, Entry> ENTRIES = Map.ofEntries(
            Map.entry(13, new Entry(Severity.INFO, "graphics engine exception (usually the application)")),
            Map.entry(31, new Entry(Severity.INFO, "GPU memory page fault (usually the application)")),
            Map.entry(43, new Entry(Severity.INFO, "GPU stopped processing (application fault)")),
            Map.entry(45, new Entry(Severity.INFO, "preemptive cleanup after a killed context")),
            Map.entry(48, new Entry(Severity.CRITICAL, "double-bit ECC error")),
            Map.entry(61, new Entry(Severity.CRITICAL, "internal micro-controller breakpoint")),
            Map.entry(62, new Entry(Severity.CRITICAL, "internal micro-controller halt")),
            Map.entry(63, new Entry(Severity.WARNING, "ECC page retirement or row remapping recorded")),
            Map.entry(64, new Entry(Severity.CRITICAL, "ECC page retirement or row remapping failed")),
            Map.entry(69, new Entry(Severity.CRITICAL, "graphics engine class error")),
            Map.entry(74, new Entry(Severity.CRITICAL, "NVLink error")),
            Map.entry(79, new Entry(Severity.CRITICAL, "GPU has fallen off the bus")),
            Map.entry(92, new Entry(Severity.WARNING, "high single-bit ECC error rate")),
            Map.entry(94, new Entry(Severity.WARNING, "contained ECC error (the affected process was stopped)")),
            Map.entry(95, new Entry(Severity.CRITICAL, "uncontained ECC error")),
            Map.entry(109, new Entry(Severity.WARNING, "context switch timeout")),
            Map.entry(119, new Entry(Severity.CRITICAL, "GSP RPC timeout")),
            Map.entry(120, new Entry(Severity.CRITICAL, "GSP error")),
            Map.entry(121, new Entry(Severity.WARNING, "C2C link corrected error")),
            Map.entry(140, new Entry(Severity.CRITICAL, "unrecovered ECC error")));

    private XidCatalogue() {}

    /** The entry for {@code xid}; codes the catalogue does not list are WARNING, to be looked at. */
    public static Entry lookup(int xid) {
        return ENTRIES.getOrDefault(xid, new Entry(Severity.WARNING, "see NVIDIA's XID catalogue"));
    }
}
