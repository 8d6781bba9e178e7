package io.vigil.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a GPU sample straight off the JSON tokens: GPU samples are nearly all of Vigil's traffic, and binding them
 * through Jackson's generic record creator cost twice as much as this. It accepts exactly what the generic path
 * accepts for well-formed records; on anything it does not expect (a wrong token type, an object where a number
 * belongs) it returns null and the caller falls back to the generic path, which names the problem.
 */
final class GpuSampleReader {

    private GpuSampleReader() {}

    /** The sample, or null if the record needs the careful path. The parser is positioned before the object. */
    static GpuSample read(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) return null;
        GpuSample.Builder b = GpuSample.builder();
        boolean hasTs = false;
        List<String> names = null;
        Long reasons = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_NULL) continue;
            switch (name) {
                case "ts" -> { if (v != JsonToken.VALUE_NUMBER_INT) return null; b.ts(p.getLongValue()); hasTs = true; }
                case "cluster" -> b.cluster(text(p, v));
                case "row" -> b.row(text(p, v));
                case "rack" -> b.rack(text(p, v));
                case "host" -> b.host(text(p, v));
                case "gpu" -> b.gpu(integer(p, v));
                case "migInstance" -> b.migInstance(integer(p, v));
                case "uuid" -> b.uuid(text(p, v));
                case "model" -> b.model(text(p, v));
                case "jobId" -> b.jobId(text(p, v));
                case "rank" -> b.rank(integer(p, v));
                case "pod" -> b.pod(text(p, v));
                case "namespace" -> b.namespace(text(p, v));
                case "container" -> b.container(text(p, v));
                case "state" -> {
                    String s = text(p, v);
                    if ("OK".equals(s)) b.state(GpuSample.GpuState.OK);
                    else if ("LOST".equals(s)) b.state(GpuSample.GpuState.LOST);
                    else return null;
                }
                case "gpuUtilPct" -> b.gpuUtilPct(number(p, v));
                case "smActivePct" -> b.smActivePct(number(p, v));
                case "tensorActivePct" -> b.tensorActivePct(number(p, v));
                case "memUsedMiB" -> b.memUsedMiB(number(p, v));
                case "memTotalMiB" -> b.memTotalMiB(number(p, v));
                case "gpuTempC" -> b.gpuTempC(number(p, v));
                case "memTempC" -> b.memTempC(number(p, v));
                case "slowdownTempC" -> b.slowdownTempC(number(p, v));
                case "shutdownTempC" -> b.shutdownTempC(number(p, v));
                case "powerW" -> b.powerW(number(p, v));
                case "powerLimitW" -> b.powerLimitW(number(p, v));
                case "energyJ" -> b.energyJ(number(p, v));
                case "smClockMHz" -> b.smClockMHz(number(p, v));
                case "memClockMHz" -> b.memClockMHz(number(p, v));
                case "clockEventReasons" -> {
                    if (v != JsonToken.VALUE_NUMBER_INT) return null;
                    reasons = p.getLongValue();
                }
                case "clockEventNames" -> {
                    if (v != JsonToken.START_ARRAY) return null;
                    names = new ArrayList<>(4);
                    JsonToken e;
                    while ((e = p.nextToken()) == JsonToken.VALUE_STRING) names.add(p.getText());
                    if (e != JsonToken.END_ARRAY) return null;
                }
                case "eccCorrected" -> b.eccCorrected(longValue(p, v));
                case "eccUncorrected" -> b.eccUncorrected(longValue(p, v));
                case "lastXid" -> b.lastXid(integer(p, v));
                case "nvlinkTxBps" -> b.nvlinkTxBps(number(p, v));
                case "nvlinkRxBps" -> b.nvlinkRxBps(number(p, v));
                case "pcieTxBps" -> b.pcieTxBps(number(p, v));
                case "pcieRxBps" -> b.pcieRxBps(number(p, v));
                case "source" -> {
                    String src = text(p, v);
                    switch (src) {
                        case "NVML" -> b.source(GpuSample.Source.NVML);
                        case "DCGM" -> b.source(GpuSample.Source.DCGM);
                        case "REDFISH" -> b.source(GpuSample.Source.REDFISH);
                        default -> { return null; }
                    }
                }
                case "serial" -> b.serial(text(p, v));
                case "driverVersion" -> b.driverVersion(text(p, v));
                case "coreVoltageV" -> b.coreVoltageV(number(p, v));
                case "dramActivePct" -> b.dramActivePct(number(p, v));
                case "powerThrottleSeconds" -> b.powerThrottleSeconds(number(p, v));
                case "thermalThrottleSeconds" -> b.thermalThrottleSeconds(number(p, v));
                case "hwThrottleSeconds" -> b.hwThrottleSeconds(number(p, v));
                case "swThrottleSeconds" -> b.swThrottleSeconds(number(p, v));
                case "pcieReplays" -> b.pcieReplays(longValue(p, v));
                case "pcieCorrectableErrors" -> b.pcieCorrectableErrors(longValue(p, v));
                case "pcieUncorrectableErrors" -> b.pcieUncorrectableErrors(longValue(p, v));
                case "remappedRowsCorrectable" -> b.remappedRowsCorrectable(longValue(p, v));
                case "remappedRowsUncorrectable" -> b.remappedRowsUncorrectable(longValue(p, v));
                case "rowRemapPending" -> b.rowRemapPending(bool(p, v));
                case "rowRemapFailed" -> b.rowRemapFailed(bool(p, v));
                case "origin" -> {
                    Origin o = origin(p, v);
                    if (o == null) return null;
                    b.origin(o);
                }
                case "schema" -> { if (v != JsonToken.VALUE_STRING) return null; }
                default -> p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT || !hasTs || p.nextToken() != null) return null;
        if (reasons == null && names == null) {
            return b.build();
        }
        // As the generic path binds them: the mask and the names each as sent (absent names stay absent).
        GpuSample s = b.build();
        return new GpuSample(s.ts(), s.cluster(), s.row(), s.rack(), s.host(), s.gpu(), s.migInstance(), s.uuid(),
                s.model(), s.jobId(), s.rank(), s.pod(), s.namespace(), s.container(), s.state(), s.gpuUtilPct(),
                s.smActivePct(), s.tensorActivePct(), s.memUsedMiB(), s.memTotalMiB(), s.gpuTempC(), s.memTempC(),
                s.slowdownTempC(), s.shutdownTempC(), s.powerW(), s.powerLimitW(), s.energyJ(), s.smClockMHz(),
                s.memClockMHz(), reasons, names == null ? null : List.copyOf(names), s.eccCorrected(),
                s.eccUncorrected(), s.lastXid(), s.nvlinkTxBps(), s.nvlinkRxBps(), s.pcieTxBps(), s.pcieRxBps(),
                s.origin(), s.source(), s.serial(), s.driverVersion(), s.coreVoltageV(), s.dramActivePct(),
                s.powerThrottleSeconds(), s.thermalThrottleSeconds(), s.hwThrottleSeconds(), s.swThrottleSeconds(),
                s.pcieReplays(), s.pcieCorrectableErrors(), s.pcieUncorrectableErrors(), s.remappedRowsCorrectable(),
                s.remappedRowsUncorrectable(), s.rowRemapPending(), s.rowRemapFailed());
    }

    /** Signals "use the careful path" from inside a field. */
    private static final class Unusual extends IOException {
        Unusual() {
            super(null, null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private static final Unusual UNUSUAL = new Unusual();

    private static String text(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_STRING) throw UNUSUAL;
        return p.getText();
    }

    private static Integer integer(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT) throw UNUSUAL;
        return p.getIntValue();
    }

    private static Long longValue(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT) throw UNUSUAL;
        return p.getLongValue();
    }

    private static Boolean bool(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) throw UNUSUAL;
        return v == JsonToken.VALUE_TRUE;
    }

    private static Double number(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_FLOAT && v != JsonToken.VALUE_NUMBER_INT) throw UNUSUAL;
        return p.getDoubleValue();
    }

    private static Origin origin(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_OBJECT) return null;
        String collector = null;
        Long boot = null, seq = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken f = p.nextToken();
            switch (name) {
                case "collector" -> collector = text(p, f);
                case "bootEpochMs" -> boot = longValue(p, f);
                case "sequence" -> seq = longValue(p, f);
                default -> p.skipChildren();
            }
        }
        return collector == null || boot == null || seq == null ? null : new Origin(collector, boot, seq);
    }
}
