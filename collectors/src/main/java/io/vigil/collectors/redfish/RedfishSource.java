package io.vigil.collectors.redfish;

import static io.vigil.collectors.redfish.RedfishValues.bool;
import static io.vigil.collectors.redfish.RedfishValues.count;
import static io.vigil.collectors.redfish.RedfishValues.isType;
import static io.vigil.collectors.redfish.RedfishValues.number;
import static io.vigil.collectors.redfish.RedfishValues.reading;
import static io.vigil.collectors.redfish.RedfishValues.seconds;
import static io.vigil.collectors.redfish.RedfishValues.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.Source;
import io.vigil.collectors.redfish.RedfishClient.Deadline;
import io.vigil.collectors.redfish.RedfishClient.ErrorReason;
import io.vigil.collectors.redfish.RedfishClient.ResourceException;
import io.vigil.model.CoolingSample;
import io.vigil.model.GpuSample;
import io.vigil.model.PowerSample;
import io.vigil.model.TelemetryRecord;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads power, cooling and GPUs from one Redfish service — a server or GPU-baseboard BMC, a rack PDU, a power shelf
 * or a coolant distribution unit — finding everything by following links from {@code /redfish/v1} and checking each
 * resource's {@code @odata.type}, never by vendor paths:
 * <ul>
 *   <li>{@code Systems/*}/{@code Processors} with {@code ProcessorType: GPU} → one {@code REDFISH} GPU sample per GPU:
 *       clocks, voltage and throttle durations from {@code ProcessorMetrics} (and NVIDIA's OEM part), ECC and row
 *       remapping from the GPU's {@code Memory}/{@code MemoryMetrics}, temperatures, power and energy from the
 *       {@code Sensors} of the GPU's own chassis (a sensor with {@code ReadingBasis: Headroom} is a distance to a
 *       limit and is not taken as a temperature). The sample carries the BMC's {@code UUID} and serial number, by
 *       which it meets the same GPU's NVML or DCGM samples.</li>
 *   <li>{@code PowerEquipment/RackPDUs} → a {@code RACK_PDU} power sample; {@code PowerEquipment/PowerShelves} → a
 *       {@code POWER_SHELF} sample and one {@code PSU} sample per power supply.</li>
 *   <li>{@code ThermalEquipment/CDUs} → a {@code CDU} cooling sample, leak detectors included.</li>
 *   <li>every other chassis: input power ({@code EnvironmentMetrics}, else the older {@code Power}) → a
 *       {@code HOST_PSU} sample; its power supplies ({@code PowerSubsystem/PowerSupplies}, else the older
 *       {@code Power.PowerSupplies}) → {@code PSU} samples; air, fans, cold-plate coolant and leak detectors
 *       ({@code ThermalSubsystem}, else {@code Thermal}) → a {@code CHASSIS} cooling sample.</li>
 *   <li>{@code TelemetryService/MetricReports}, when offered: a metrics resource whose readings the reports carry
 *       is read from them instead of by its own request.</li>
 * </ul>
 * Rack and row come from the resource's {@code Location.Placement}, else from the chassis it is contained by (a
 * rack or a blade enclosure), else from the configuration.
 *
 * <p>Fault isolation: only an unreadable service root fails the scrape. Any other resource that fails (HTTP error,
 * bad JSON, timeout, wrong type) costs only the readings under it; it is counted by reason and logged once when it
 * starts failing and once when it recovers. The whole scrape ends by its deadline.
 */
public final class RedfishSource implements Source {
    private static final Logger LOG = LoggerFactory.getLogger(RedfishSource.class);

    /** Where the service's equipment stands, from the inventory; used where Redfish does not say. */
    public record Placement(String cluster, String row, String rack, String host) {}

    /** Chassis types of parts inside a host rather than a host or enclosure. */
    private static final Set<String> COMPONENT_CHASSIS = Set.of("Module", "Component", "Card", "Cartridge", "Expansion");
    private static final String EXPAND = "?$expand=.($levels=1)";

    private final RedfishService client;
    private final Placement placement;
    private final OriginStamper origin;
    private final InstantSource clock;
    private final Duration deadline;
    private final Map<ErrorReason, AtomicLong> errorCounts = new EnumMap<>(ErrorReason.class);
    /** Readings that disagree with each other or with the configuration, by kind; each logged once. */
    private final Map<String, AtomicLong> warnings = new java.util.concurrent.ConcurrentHashMap<>();
    private final Set<String> placementWarned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Power devices whose input disagrees with the sum of their supplies' now; logged when that starts and ends. */
    private final Set<String> powerMismatch = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Map<String, ErrorReason> failing = Map.of();
    private volatile List<String> lastErrors = List.of();
    private final Discovery discovery;
    /** Structural resources (collections, systems, chassis, memory) by request key, kept for {@link Discovery#rediscover}. */
    private final Map<String, Cached> structure = new java.util.concurrent.ConcurrentHashMap<>();
    /** The reading resources the last scrape read, asked for all at once at the start of the next. */
    private volatile List<String> lastReadings = List.of();

    private record Cached(JsonNode doc, long atMs) {}

    /** Whether a kept layout resource is younger than {@link Discovery#rediscover} by this source's clock. */
    private boolean fresh(Cached c) {
        return c != null && clock.millis() - c.atMs() < discovery.rediscover().toMillis();
    }

    /**
     * How the service's layout is found. Everything a scrape needs is found by walking links; what the walk finds
     * of the layout (collections, systems, chassis, memory — resources without readings) is kept for
     * {@code rediscover} and not asked again, and the resources with readings the last scrape read are asked for
     * all at once, within the concurrency limit, when the next scrape starts. {@code expand} uses
     * {@code $expand=.($levels=1)} on collections where the service says it supports it. A BMC costs then about
     * one round of its reading resources per scrape instead of a walk of its whole tree, one level at a time.
     *
     * @param rediscover how long the layout is kept; zero walks everything every scrape
     */
    public record Discovery(Duration rediscover, boolean expand) {
        public static Discovery defaults() {
            return new Discovery(Duration.ofMinutes(10), true);
        }

        /** Every scrape walks the whole tree, one level at a time, without {@code $expand}: the baseline. */
        public static Discovery walkEverything() {
            return new Discovery(Duration.ZERO, false);
        }
    }

    /** Resource types that hold no readings: safe to keep between scrapes. */
    private static final Set<String> STRUCTURAL = Set.of("ComputerSystemCollection", "ComputerSystem",
            "ProcessorCollection", "MemoryCollection", "Memory", "ChassisCollection", "Chassis", "PowerEquipment",
            "ThermalEquipment", "PowerDistributionCollection", "CoolingUnitCollection", "TelemetryService",
            "MetricReportCollection", "PowerSubsystem", "ThermalSubsystem", "SensorCollection",
            "LeakDetectorCollection", "PowerSupplyCollection", "CoolantConnectorCollection", "FanCollection",
            "CircuitCollection");

    public RedfishSource(RedfishService client, Placement placement, OriginStamper origin, InstantSource clock) {
        this(client, placement, origin, clock, client.timeout().multipliedBy(2));
    }

    /** @param deadline how long one scrape of this service may take in all: connect, headers and bodies */
    public RedfishSource(RedfishService client, Placement placement, OriginStamper origin, InstantSource clock,
                         Duration deadline) {
        this(client, placement, origin, clock, deadline, Discovery.defaults());
    }

    public RedfishSource(RedfishService client, Placement placement, OriginStamper origin, InstantSource clock,
                         Duration deadline, Discovery discovery) {
        this.discovery = discovery;
        this.client = client;
        this.placement = placement;
        this.origin = origin;
        this.clock = clock;
        this.deadline = deadline;
        for (ErrorReason r : ErrorReason.values()) errorCounts.put(r, new AtomicLong());
    }

    @Override
    public String name() {
        return "redfish " + client.base();
    }

    @Override
    public Duration deadline() {
        return deadline;
    }

    @Override
    public Map<String, Long> resourceErrorCounts() {
        Map<String, Long> out = new LinkedHashMap<>();
        errorCounts.forEach((r, n) -> out.put(r.label(), n.get()));
        return out;
    }

    @Override
    public List<String> lastResourceErrors() {
        return lastErrors;
    }

    @Override
    public Map<String, Long> readingWarnings() {
        Map<String, Long> out = new java.util.TreeMap<>();
        warnings.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @Override
    public List<TelemetryRecord> scrape() throws ScrapeException, InterruptedException {
        Walk w = new Walk(Deadline.in(deadline), clock.millis());
        // The service root, and with it every reading resource the last scrape read: one wave of requests.
        List<String> wave = new ArrayList<>();
        wave.add("/redfish/v1");
        wave.addAll(lastReadings);
        List<Object> answers = client.getAll(wave, w.deadline);
        Object first = answers.get(0);
        if (first instanceof RedfishClient.NotFound e) {
            throw new ScrapeException(client.base() + ": no Redfish service root at /redfish/v1", e);
        } else if (first instanceof ResourceException e) {
            throw RedfishClient.scrapeFailure(client.base(), e);
        }
        JsonNode root = (JsonNode) first;
        for (int i = 1; i < wave.size(); i++) {
            w.fetched.put(wave.get(i), answers.get(i));
        }
        JsonNode expand = root.path("ProtocolFeaturesSupported").path("ExpandQuery");
        w.expand = discovery.expand()
                && (bool(expand.path("Levels")) == Boolean.TRUE || bool(expand.path("ExpandAll")) == Boolean.TRUE);
        try {
            w.walk(root);
            lastReadings = List.copyOf(w.readings);
        } finally {
            account(w.errors);
        }
        return w.out;
    }

    /** Counts this scrape's resource errors and logs each resource once when it starts failing and once when it is back. */
    private synchronized void account(Map<String, ResourceException> errors) {
        Map<String, ErrorReason> now = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        errors.forEach((path, e) -> {
            errorCounts.get(e.reason()).incrementAndGet();
            now.put(path, e.reason());
            lines.add(e.reason().label() + " " + e.getMessage());
            if (failing.get(path) != e.reason()) {
                LOG.warn("{}: resource {} failed ({}): {}; its readings are skipped, the rest of the target is kept",
                        client.base(), path, e.reason().label(), e.getMessage());
            }
        });
        for (String path : failing.keySet()) {
            if (!now.containsKey(path)) {
                LOG.info("{}: resource {} is readable again", client.base(), path);
            }
        }
        failing = now;
        lastErrors = List.copyOf(lines);
    }

    /** One scrape: its deadline, the resources that failed, and what it produced. */
    private final class Walk {
        final Deadline deadline;
        final long ts;
        final List<TelemetryRecord> out = new ArrayList<>();
        final Map<String, ResourceException> errors = new LinkedHashMap<>();
        final Set<String> claimedChassis = new HashSet<>();
        /** GPUs already read in this scrape, by URI and by UUID: a baseboard linked from two systems is read once. */
        final Set<String> seenGpus = new HashSet<>();
        final MetricReportReadings reports = new MetricReportReadings();
        /** What this scrape has asked for, by request key: a document, or the exception it ended with. */
        final Map<String, Object> fetched = new java.util.HashMap<>();
        /** Request keys of the reading resources this scrape read, in order. */
        final java.util.LinkedHashSet<String> readings = new java.util.LinkedHashSet<>();
        boolean expand;

        Walk(Deadline deadline, long ts) {
            this.deadline = deadline;
            this.ts = ts;
        }

        void walk(JsonNode root) throws InterruptedException {
            prefetchLinks(List.of(root.path("TelemetryService"), root.path("PowerEquipment"),
                    root.path("ThermalEquipment")), false);
            prefetchLinks(List.of(root.path("Systems"), root.path("Chassis")), expand);
            Optional<JsonNode> telemetry = follow(root.path("TelemetryService"), "TelemetryService");
            if (telemetry.isPresent()) {
                for (JsonNode report : members(telemetry.get().path("MetricReports"), "MetricReport")) {
                    reports.add(report);
                }
            }
            for (JsonNode system : members(root.path("Systems"), "ComputerSystem")) {
                gpus(system);
            }
            Optional<JsonNode> power = follow(root.path("PowerEquipment"), "PowerEquipment");
            if (power.isPresent()) {
                for (JsonNode pdu : members(power.get().path("RackPDUs"), "PowerDistribution")) {
                    claim(pdu.path("Links").path("Chassis"));
                    out.add(rackPdu(pdu));
                }
                for (JsonNode shelf : members(power.get().path("PowerShelves"), "PowerDistribution")) {
                    claim(shelf.path("Links").path("Chassis"));
                    powerShelf(shelf);
                }
            }
            Optional<JsonNode> thermal = follow(root.path("ThermalEquipment"), "ThermalEquipment");
            if (thermal.isPresent()) {
                for (JsonNode cdu : members(thermal.get().path("CDUs"), "CoolingUnit")) {
                    claim(cdu.path("Links").path("Chassis"));
                    out.add(cdu(cdu));
                }
            }
            List<JsonNode> hosts = new ArrayList<>();
            for (JsonNode chassis : members(root.path("Chassis"), "Chassis")) {
                if (!claimedChassis.contains(RedfishClient.linkTarget(chassis))) hosts.add(chassis);
            }
            List<JsonNode> level = new ArrayList<>();
            for (JsonNode c : hosts) {
                for (String part : List.of("EnvironmentMetrics", "Power", "PowerSubsystem", "ThermalSubsystem", "Thermal")) {
                    level.add(c.path(part));
                }
                level.add(c.path("Links").path("ContainedBy"));
            }
            prefetchLinks(level, false);
            List<JsonNode> collections = new ArrayList<>(), singles = new ArrayList<>();
            for (JsonNode c : hosts) {
                Optional<JsonNode> ts = follow(c.path("ThermalSubsystem"), "ThermalSubsystem");
                if (ts.isPresent()) {
                    singles.add(ts.get().path("ThermalMetrics"));
                    singles.add(ts.get().path("LeakDetection"));
                    collections.add(ts.get().path("Fans"));
                    collections.add(ts.get().path("CoolantConnectors"));
                }
                follow(c.path("PowerSubsystem"), "PowerSubsystem").ifPresent(ps -> collections.add(ps.path("PowerSupplies")));
                collections.add(c.path("LeakDetectors"));
            }
            prefetchLinks(singles, false);
            prefetchLinks(collections, expand);
            for (JsonNode chassis : hosts) {
                chassis(chassis);
            }
        }

        // ---- GPUs on a baseboard -----------------------------------------------------------------------------

        private void gpus(JsonNode system) throws InterruptedException {
            List<JsonNode> gpus = new ArrayList<>();
            for (JsonNode p : members(system.path("Processors"), "Processor")) {
                if ("GPU".equalsIgnoreCase(p.path("ProcessorType").asText(""))
                        && !"Absent".equals(p.path("Status").path("State").asText(""))) {
                    String uri = RedfishClient.linkTarget(p);
                    String uuid = text(p.path("UUID"));
                    boolean seen = (uri != null && seenGpus.contains("uri:" + uri))
                            || (uuid != null && seenGpus.contains("uuid:" + uuid.toLowerCase(java.util.Locale.ROOT)));
                    if (seen) continue; // the same GPU linked from another system
                    if (uri != null) seenGpus.add("uri:" + uri);
                    if (uuid != null) seenGpus.add("uuid:" + uuid.toLowerCase(java.util.Locale.ROOT));
                    gpus.add(p);
                }
            }
            gpus.sort(java.util.Comparator.comparing(p -> p.path("Id").asText("")));
            // Breadth first: each level of every GPU's resources is asked for at once.
            List<JsonNode> level = new ArrayList<>();
            for (JsonNode p : gpus) {
                level.add(p.path("Metrics"));
                level.add(p.path("EnvironmentMetrics"));
                level.addAll(links(p.path("Links").path("Memory")));
                level.addAll(links(p.path("Links").path("Chassis")));
            }
            prefetchLinks(level, false);
            List<JsonNode> next = new ArrayList<>(), sensors = new ArrayList<>();
            for (JsonNode p : gpus) {
                for (JsonNode m : links(p.path("Links").path("Memory"))) {
                    follow(m, "Memory").ifPresent(mem -> next.add(mem.path("Metrics")));
                }
                for (JsonNode c : links(p.path("Links").path("Chassis"))) {
                    follow(c, "Chassis").ifPresent(ch -> sensors.add(ch.path("Sensors")));
                }
            }
            prefetchLinks(next, false);
            prefetchLinks(sensors, expand);
            prefetchMembers(sensors, "Sensor");
            int position = 0;
            for (JsonNode p : gpus) {
                out.add(gpu(p, position++));
            }
        }

        private GpuSample gpu(JsonNode p, int position) throws InterruptedException {
            GpuSample.Builder b = GpuSample.builder().ts(ts).cluster(placement.cluster()).row(row(p)).rack(rack(p))
                    .host(placement.host()).source(GpuSample.Source.REDFISH).state(GpuSample.GpuState.OK)
                    .gpu(gpuIndex(p, position)).model(text(p.path("Model"))).serial(text(p.path("SerialNumber")));
            String uuid = text(p.path("UUID"));
            if (uuid != null) b.uuid(uuid.regionMatches(true, 0, "GPU-", 0, 4) ? uuid : "GPU-" + uuid);
            if ("UnavailableOffline".equals(p.path("Status").path("State").asText(""))) b.state(GpuSample.GpuState.LOST);

            Long eccCorrected = null, eccUncorrected = null;
            Optional<JsonNode> metrics = readings(p.path("Metrics"), "ProcessorMetrics");
            if (metrics.isPresent()) {
                JsonNode m = metrics.get();
                b.smClockMHz(number(m.path("OperatingSpeedMHz")));
                b.coreVoltageV(reading(m.path("CoreVoltage")));
                b.powerThrottleSeconds(seconds(m.path("PowerLimitThrottleDuration")));
                b.thermalThrottleSeconds(seconds(m.path("ThermalLimitThrottleDuration")));
                JsonNode pcie = m.path("PCIeErrors");
                b.pcieReplays(count(pcie.path("ReplayCount")));
                b.pcieCorrectableErrors(count(pcie.path("CorrectableErrorCount")));
                b.pcieUncorrectableErrors(sum(count(pcie.path("FatalErrorCount")), count(pcie.path("NonFatalErrorCount"))));
                JsonNode cache = m.path("CacheMetricsTotal").path("LifeTime");
                eccCorrected = count(cache.path("CorrectableECCErrorCount"));
                eccUncorrected = count(cache.path("UncorrectableECCErrorCount"));
                JsonNode nv = m.path("Oem").path("Nvidia");
                b.hwThrottleSeconds(seconds(nv.path("HardwareViolationThrottleDuration")));
                b.swThrottleSeconds(seconds(nv.path("GlobalSoftwareViolationThrottleDuration")));
                b.gpuUtilPct(number(nv.path("SMUtilizationPercent")));
                b.smActivePct(number(nv.path("SMActivityPercent")));
                b.tensorActivePct(number(nv.path("TensorCoreActivityPercent")));
                b.dramActivePct(number(nv.path("DRAMBandwidthUtilizationPercent")));
            }
            List<JsonNode> memories = new ArrayList<>();
            for (JsonNode link : p.path("Links").path("Memory")) {
                follow(link, "Memory").ifPresent(memories::add);
            }
            memories.addAll(members(p.path("Memory"), "Memory"));
            double memMiB = 0;
            Boolean remapFailed = null, remapPending = null;
            Long remappedCorrectable = null, remappedUncorrectable = null;
            for (JsonNode mem : memories) {
                Double cap = number(mem.path("CapacityMiB"));
                if (cap != null) memMiB += cap;
                // Row remapping: NVIDIA puts the flags in the Memory resource's Oem.Nvidia and the counts under
                // Oem.Nvidia.RowRemapping; some firmware puts them in MemoryMetrics' Oem.Nvidia instead. The Memory
                // resource is kept with the layout (re-read every `rediscover`, 10 min): a pending remap is a
                // maintenance signal, and reading four more resources per tray every scrape cost 4 % of the 500-BMC
                // fleet's scrapes their interval (docs/benchmarks.md).
                JsonNode memNv = mem.path("Oem").path("Nvidia");
                Optional<JsonNode> mm = readings(mem.path("Metrics"), "MemoryMetrics");
                JsonNode mNv = mm.map(m -> m.path("Oem").path("Nvidia")).orElse(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
                remapFailed = either(remapFailed, either(bool(memNv.path("RowRemappingFailed")),
                        either(bool(mNv.path("RowRemappingFailed")), bool(memNv.path("RowRemapping").path("RowRemappingFailed")))));
                remapPending = either(remapPending, either(bool(memNv.path("RowRemappingPending")),
                        either(bool(mNv.path("RowRemappingPending")), bool(memNv.path("RowRemapping").path("RowRemappingPending")))));
                remappedCorrectable = sum(remappedCorrectable, firstCount(mNv.path("CorrectableRowRemappingCount"),
                        mNv.path("RowRemapping").path("CorrectableRowRemappingCount"),
                        memNv.path("RowRemapping").path("CorrectableRowRemappingCount"),
                        memNv.path("CorrectableRowRemappingCount")));
                remappedUncorrectable = sum(remappedUncorrectable, firstCount(mNv.path("UncorrectableRowRemappingCount"),
                        mNv.path("RowRemapping").path("UncorrectableRowRemappingCount"),
                        memNv.path("RowRemapping").path("UncorrectableRowRemappingCount"),
                        memNv.path("UncorrectableRowRemappingCount")));
                if (mm.isEmpty()) continue;
                JsonNode life = mm.get().path("LifeTime");
                eccCorrected = sum(eccCorrected, count(life.path("CorrectableECCErrorCount")));
                eccUncorrected = sum(eccUncorrected, count(life.path("UncorrectableECCErrorCount")));
                Double memClock = number(mm.get().path("OperatingSpeedMHz"));
                if (memClock != null) b.memClockMHz(memClock);
            }
            b.rowRemapFailed(remapFailed).rowRemapPending(remapPending)
                    .remappedRowsCorrectable(remappedCorrectable).remappedRowsUncorrectable(remappedUncorrectable);
            if (memMiB > 0) b.memTotalMiB(memMiB);
            b.eccCorrected(eccCorrected).eccUncorrected(eccUncorrected);

            Optional<JsonNode> env = readings(p.path("EnvironmentMetrics"), "EnvironmentMetrics");
            Double tempC = null, memTempC = null, powerW = null, energyJ = null;
            if (env.isPresent()) {
                tempC = reading(env.get().path("TemperatureCelsius"));
                powerW = reading(env.get().path("PowerWatts"));
                Double kwh = reading(env.get().path("EnergykWh"));
                if (kwh != null) energyJ = kwh * 3.6e6;
                Double limit = number(env.get().path("PowerLimitWatts").path("SetPoint"));
                b.powerLimitW(limit);
            }
            for (JsonNode chassisLink : links(p.path("Links").path("Chassis"))) {
                String id = RedfishClient.linkTarget(chassisLink);
                claimedChassis.add(id);
                Optional<JsonNode> chassis = follow(chassisLink, "Chassis");
                if (chassis.isEmpty()) continue;
                for (JsonNode sensor : members(chassis.get().path("Sensors"), "Sensor")) {
                    if ("Headroom".equals(sensor.path("ReadingBasis").asText(""))) continue;
                    if (!"Enabled".equals(sensor.path("Status").path("State").asText("Enabled"))) continue;
                    Double v = number(sensor.path("Reading"));
                    if (v == null) continue;
                    String type = sensor.path("ReadingType").asText("");
                    String where = (sensor.path("PhysicalContext").asText("") + " " + sensor.path("Id").asText("")
                            + " " + sensor.path("Name").asText("")).toLowerCase(java.util.Locale.ROOT);
                    boolean memory = where.contains("memory") || where.contains("dram") || where.contains("hbm");
                    switch (type) {
                        case "Temperature" -> {
                            if (memory) { if (memTempC == null) memTempC = v; }
                            else if (tempC == null) tempC = v;
                        }
                        case "Power" -> { if (!memory && powerW == null) powerW = v; }
                        case "EnergyJoules" -> { if (!memory && energyJ == null) energyJ = v; }
                        case "EnergykWh" -> { if (!memory && energyJ == null) energyJ = v * 3.6e6; }
                        default -> { }
                    }
                }
            }
            return b.gpuTempC(tempC).memTempC(memTempC).powerW(powerW).energyJ(energyJ).origin(origin.next()).build();
        }

        /** The BMC's slot ordinal where it gives one, else the GPU's position among the system's GPUs by id. */
        private int gpuIndex(JsonNode p, int position) {
            Double ordinal = number(p.path("Location").path("PartLocation").path("LocationOrdinalValue"));
            return ordinal != null && ordinal >= 0 ? ordinal.intValue() : position;
        }

        // ---- power equipment -----------------------------------------------------------------------------------

        private PowerSample rackPdu(JsonNode pdu) throws InterruptedException {
            Double watts = readings(pdu.path("Metrics"), "PowerDistributionMetrics")
                    .map(m -> reading(m.path("PowerWatts"))).orElse(null);
            Double capacity = number(pdu.path("PowerCapacityVA"));
            return new PowerSample(ts, placement.cluster(), row(pdu), rack(pdu), placement.host(), PowerSample.Source.RACK_PDU,
                    deviceName(pdu), watts, capacity, mainsCurrents(pdu), origin.next());
        }

        private void powerShelf(JsonNode shelf) throws InterruptedException {
            String name = deviceName(shelf);
            Double watts = readings(shelf.path("Metrics"), "PowerDistributionMetrics")
                    .map(m -> reading(m.path("PowerWatts"))).orElse(null);
            List<Double> phases = mainsCurrents(shelf);
            Double capacity = number(shelf.path("PowerCapacityVA"));
            List<JsonNode> supplies = new ArrayList<>(members(shelf.path("PowerSupplies"), "PowerSupply"));
            List<JsonNode> sensors = new ArrayList<>();
            for (JsonNode chassisLink : links(shelf.path("Links").path("Chassis"))) {
                Optional<JsonNode> chassis = follow(chassisLink, "Chassis");
                if (chassis.isEmpty()) continue;
                Optional<JsonNode> subsystem = powerSubsystem(chassis.get());
                if (subsystem.isPresent()) {
                    if (capacity == null) capacity = number(subsystem.get().path("CapacityWatts"));
                    if (supplies.isEmpty()) supplies.addAll(members(subsystem.get().path("PowerSupplies"), "PowerSupply"));
                }
                if (chassis.get().has("Sensors")) sensors.addAll(members(chassis.get().path("Sensors"), "Sensor"));
            }
            if (watts == null) watts = chassisInput(sensors);
            String row = row(shelf), rack = rack(shelf);
            int shelfAt = out.size();
            double[] suppliesIn = supplies(supplies, sensors, name, row, rack);
            watts = crossChecked(name, watts, suppliesIn);
            out.add(shelfAt, new PowerSample(ts, placement.cluster(), row, rack, placement.host(),
                    PowerSample.Source.POWER_SHELF, name, watts, capacity, phases, origin.next()));
        }

        /**
         * The device's input against the sum of its supplies' inputs, when every present supply gave one: over 10 %
         * apart, one of them is wrong, which is
         * logged when it starts and ends and counted ({@code power_mismatch}); the device's own reading is kept. With
         * no reading of its own, the supplies' sum is its input.
         */
        private Double crossChecked(String device, Double watts, double[] suppliesIn) {
            if (suppliesIn[1] == 0) return watts;
            double sum = suppliesIn[0];
            if (watts == null) return sum;
            // Only a full count can be compared: a shelf whose other supplies give no input reading is not wrong.
            if (suppliesIn.length > 2 && suppliesIn[1] < suppliesIn[2]) return watts;
            boolean apart = Math.abs(watts - sum) > 0.10 * Math.max(watts, sum) && Math.max(watts, sum) > 50;
            if (apart && powerMismatch.add(device)) {
                warnings.computeIfAbsent("power_mismatch", k -> new AtomicLong()).incrementAndGet();
                LOG.warn("{}: {} reports {} W input but its {} supplies' inputs add up to {} W (over 10 % apart): one"
                        + " of the readings is wrong; the device's own is published", client.base(), device,
                        Math.round(watts), (int) suppliesIn[1], Math.round(sum));
            } else if (!apart && powerMismatch.remove(device)) {
                LOG.info("{}: {} input and its supplies' inputs agree again", client.base(), device);
            }
            return watts;
        }

        /**
         * A chassis's {@code PowerSubsystem}. A link that leads to another type (a BMC bug seen in the wild) is
         * counted as {@code wrong_type}; the schema's own URI for it, {@code <chassis>/PowerSubsystem}, is tried next.
         */
        private Optional<JsonNode> powerSubsystem(JsonNode chassis) throws InterruptedException {
            Optional<JsonNode> s = follow(chassis.path("PowerSubsystem"), "PowerSubsystem");
            String self = RedfishClient.linkTarget(chassis);
            String canonical = self == null ? null : self.replaceAll("/+$", "") + "/PowerSubsystem";
            String linked = RedfishClient.linkTarget(chassis.path("PowerSubsystem"));
            if (s.isEmpty() && canonical != null && linked != null && !canonical.equals(linked)
                    && errors.containsKey(linked) && errors.get(linked).reason() == ErrorReason.WRONG_TYPE) {
                s = get(canonical, "PowerSubsystem", false);
                if (s.isPresent()) {
                    // Worked around: the readings are all there, so the bad link is no failure of the scrape.
                    LOG.debug("{}: {} links PowerSubsystem to {}, which is not one; read {} instead", client.base(),
                            self, linked, canonical);
                    errors.remove(linked);
                }
            }
            return s;
        }

        /**
         * Every supply as its own {@code PSU} record, named uniquely; returns the sum of their inputs, how many gave
         * one, and how many are present. {@code sensors} are the parent chassis's, where a supply's readings may be instead of on it.
         */
        private double[] supplies(List<JsonNode> supplies, List<JsonNode> sensors, String parent, String row,
                                  String rack) throws InterruptedException {
            Map<String, Integer> names = new java.util.HashMap<>();
            for (JsonNode psu : supplies) names.merge(PowerSensors.supplyName(psu), 1, Integer::sum);
            double sum = 0;
            int n = 0, present = 0;
            for (JsonNode psu : supplies) {
                if (!"Absent".equals(psu.path("Status").path("State").asText(""))) present++;
                String name = PowerSensors.supplyName(psu);
                // Six supplies all called "Power Supply" are six devices: their ids tell them apart.
                if (names.get(name) > 1) name = text(psu.path("Id")) != null ? text(psu.path("Id")) : name;
                Double in = psu(psu, sensors, parent + "/" + name, row, rack);
                if (in != null) {
                    sum += in;
                    n++;
                }
            }
            return new double[] {sum, n, present};
        }

        /** One supply's record; returns its input power, or null. */
        private Double psu(JsonNode psu, List<JsonNode> sensors, String device, String row, String rack)
                throws InterruptedException {
            String state = psu.path("Status").path("State").asText("Enabled");
            if (state.equals("Absent")) return null;
            Double in = null, outW = null, volts = null;
            Optional<JsonNode> m = readings(psu.path("Metrics"), "PowerSupplyMetrics");
            if (m.isPresent()) {
                in = excerpt(m.get().path("InputPowerWatts"));
                outW = excerpt(m.get().path("OutputPowerWatts"));
                volts = excerpt(m.get().path("InputVoltage"));
            }
            // The older Power resource's supplies carry their readings inline; some services link a sensor there.
            if (in == null) in = excerpt(psu.path("PowerInputWatts"));
            if (in == null) in = excerpt(psu.path("InputPowerWatts"));
            if (outW == null) outW = excerpt(psu.path("LastPowerOutputWatts"));
            if (outW == null) outW = excerpt(psu.path("PowerOutputWatts"));
            if (outW == null) outW = excerpt(psu.path("OutputPowerWatts"));
            if (volts == null) volts = excerpt(psu.path("LineInputVoltage"));
            if (volts == null) volts = excerpt(psu.path("InputVoltage"));
            // Else the parent's sensors named for this supply (psu3_power_in, PSU3 Output Power).
            int number = PowerSensors.supplyNumberOfId(text(psu.path("Id")));
            if ((in == null || outW == null) && number >= 0) {
                for (JsonNode sensor : sensors) {
                    if (!PowerSensors.isPowerReading(sensor) || PowerSensors.supplyNumber(sensor) != number) continue;
                    Double v = number(sensor.path("Reading"));
                    if (v == null) continue;
                    if (PowerSensors.isOutput(sensor)) { if (outW == null) outW = v; }
                    else if (PowerSensors.isInput(sensor) && in == null) in = v;
                }
            }
            Double capacity = PowerSensors.supplyCapacity(psu);
            if (in == null && outW == null && volts == null && capacity == null) return null; // nothing to say
            Double efficiency = in != null && outW != null && in > 0 && outW <= in ? 100.0 * outW / in : null;
            out.add(new PowerSample(ts, placement.cluster(), row, rack, placement.host(), PowerSample.Source.PSU,
                    device, in, capacity, null, origin.next(), outW, volts, efficiency));
            return in;
        }

        /**
         * A reading given as a number, an excerpt with {@code Reading}, or an excerpt that only links its sensor
         * ({@code DataSourceUri}), which is then read.
         */
        private Double excerpt(JsonNode node) throws InterruptedException {
            Double v = reading(node);
            if (v != null || node == null || !node.isObject() || node.has("Reading")) return v;
            String uri = text(node.path("DataSourceUri"));
            if (uri == null) return null;
            return get(uri, "Sensor", false).map(sensor -> number(sensor.path("Reading"))).orElse(null);
        }

        private List<Double> mainsCurrents(JsonNode equipment) throws InterruptedException {
            List<Double> phases = new ArrayList<>();
            for (JsonNode main : members(equipment.path("Mains"), "Circuit")) {
                JsonNode poly = main.path("PolyPhaseCurrentAmps");
                for (String line : List.of("Line1", "Line2", "Line3")) {
                    Double a = reading(poly.path(line));
                    if (a != null) phases.add(a);
                }
                Double single = reading(main.path("CurrentAmps"));
                if (poly.isMissingNode() && single != null) phases.add(single);
            }
            return phases.isEmpty() ? null : phases;
        }

        // ---- cooling ---------------------------------------------------------------------------------------------

        private CoolingSample cdu(JsonNode cdu) throws InterruptedException {
            Double supply = null, ret = null, flow = null, dp = null;
            List<JsonNode> secondary = members(cdu.path("SecondaryCoolantConnectors"), "CoolantConnector");
            if (!secondary.isEmpty()) {
                JsonNode c = secondary.get(0);
                supply = reading(c.path("SupplyTemperatureCelsius"));
                ret = reading(c.path("ReturnTemperatureCelsius"));
                flow = reading(c.path("FlowLitersPerMinute"));
                dp = reading(c.path("DeltaPressurekPa"));
                Double sp = reading(c.path("SupplyPressurekPa")), rp = reading(c.path("ReturnPressurekPa"));
                if (dp == null && sp != null && rp != null) dp = sp - rp;
            }
            List<CoolingSample.LeakDetector> leaks = leakDetectors(cdu);
            return new CoolingSample(ts, placement.cluster(), row(cdu), rack(cdu), CoolingSample.Source.CDU,
                    deviceName(cdu), supply, ret, flow, dp, leakDetected(leaks), null, null, null, null, origin.next(),
                    leaks);
        }

        /**
         * Every leak detector of a chassis or CDU, wherever the service lists it: the {@code LeakDetectors}
         * collection on the chassis itself (DMTF 2025.4's place), and under the {@code LeakDetection} link (the
         * older place, still served): its {@code LeakDetectors} collection and its inline {@code LeakDetectorGroups}.
         * A detector reached by two of these is read once (by URI, then by id). Null when the service lists none.
         */
        private List<CoolingSample.LeakDetector> leakDetectors(JsonNode owner) throws InterruptedException {
            Map<String, CoolingSample.LeakDetector> found = new LinkedHashMap<>();
            Set<String> uris = new HashSet<>();
            boolean listed = false;
            List<JsonNode> detectors = new ArrayList<>();
            if (!owner.path("LeakDetectors").isMissingNode()) {
                listed = true;
                detectors.addAll(members(owner.path("LeakDetectors"), "LeakDetector"));
            }
            JsonNode link = owner.path("LeakDetection");
            if (link.isMissingNode() && owner.has("ThermalSubsystem")) {
                link = follow(owner.path("ThermalSubsystem"), "ThermalSubsystem").map(t -> t.path("LeakDetection"))
                        .orElse(link);
            }
            Optional<JsonNode> ld = link.isMissingNode() ? Optional.empty() : follow(link, "LeakDetection");
            if (ld.isPresent()) {
                listed = true;
                detectors.addAll(members(ld.get().path("LeakDetectors"), "LeakDetector"));
                for (JsonNode group : ld.get().path("LeakDetectorGroups")) {
                    for (JsonNode d : group.path("Detectors")) detectors.add(d);
                }
            }
            for (JsonNode d : detectors) {
                String uri = RedfishClient.linkTarget(d);
                if (uri != null && !uris.add(uri)) continue;
                CoolingSample.LeakDetector r = LeakDetectorReading.read(d);
                if (r != null) found.putIfAbsent(r.name(), r);
            }
            if (!listed || found.isEmpty()) return null;
            return List.copyOf(found.values());
        }

        // ---- server chassis ------------------------------------------------------------------------------------

        private void chassis(JsonNode chassis) throws InterruptedException {
            if (chassis.path("Links").path("Processors").size() > 0 && COMPONENT_CHASSIS.contains(chassis.path("ChassisType").asText(""))) {
                return; // a GPU or CPU module: its readings belong to the processor, not to a host
            }
            chassis = withContainingPlacement(chassis);
            String device = (placement.host() == null ? "" : placement.host() + "/") + chassis.path("Id").asText("chassis");
            Optional<JsonNode> env = readings(chassis.path("EnvironmentMetrics"), "EnvironmentMetrics");
            Optional<JsonNode> legacyPower = readings(chassis.path("Power"), "Power");
            Double watts = env.map(e -> reading(e.path("PowerWatts"))).orElse(null);
            JsonNode control = legacyPower.map(p -> p.path("PowerControl").path(0)).orElse(null);
            if (watts == null && control != null) watts = number(control.path("PowerConsumedWatts"));
            if (watts == null && control != null) watts = number(control.path("PowerMetrics").path("AverageConsumedWatts"));
            Double capacity = control == null ? null : number(control.path("PowerCapacityWatts"));
            Optional<JsonNode> subsystem = chassis.has("PowerSubsystem") ? powerSubsystem(chassis) : Optional.empty();
            if (capacity == null) capacity = subsystem.map(p -> number(p.path("CapacityWatts"))).orElse(null);
            SensorSummary sensors = null;
            List<JsonNode> sensorList = chassis.has("Sensors") ? members(chassis.path("Sensors"), "Sensor") : List.of();
            if (watts == null && chassis.has("Sensors")) {
                sensors = sensorSummary(sensorList);
                watts = sensors.powerW();
            }
            List<JsonNode> supplyList = new ArrayList<>();
            if (subsystem.isPresent()) {
                supplyList.addAll(members(subsystem.get().path("PowerSupplies"), "PowerSupply"));
            } else if (legacyPower.isPresent()) {
                legacyPower.get().path("PowerSupplies").forEach(supplyList::add);
            }
            String row = row(chassis), rack = rack(chassis);
            int hostAt = out.size(); // the chassis's own record goes before its supplies'
            double[] suppliesIn = supplies(supplyList, sensorList, device, row, rack);
            boolean shelf = PowerSensors.isPowerShelf(chassis);
            watts = crossChecked(device, watts, shelf || watts == null ? suppliesIn : new double[] {0, 0});
            // A module, card or component inside a host draws part of the host's power: it is not a host's input.
            if (watts != null && (shelf || !COMPONENT_CHASSIS.contains(chassis.path("ChassisType").asText("")))) {
                out.add(hostAt, new PowerSample(ts, placement.cluster(), row, rack, placement.host(),
                        shelf ? PowerSample.Source.POWER_SHELF : PowerSample.Source.HOST_PSU, device, watts, capacity,
                        null, origin.next()));
            }

            Double intake = null, exhaust = null, supply = null, ret = null, flow = null;
            List<CoolingSample.LeakDetector> leaks = null;
            List<Double> fans = new ArrayList<>();
            Optional<JsonNode> thermalSubsystem = follow(chassis.path("ThermalSubsystem"), "ThermalSubsystem");
            if (thermalSubsystem.isPresent()) {
                JsonNode ts = thermalSubsystem.get();
                Optional<JsonNode> metrics = readings(ts.path("ThermalMetrics"), "ThermalMetrics");
                if (metrics.isPresent()) {
                    JsonNode summary = metrics.get().path("TemperatureSummaryCelsius");
                    intake = reading(summary.path("Intake"));
                    exhaust = reading(summary.path("Exhaust"));
                }
                for (JsonNode fan : members(ts.path("Fans"), "Fan")) {
                    Double rpm = number(fan.path("SpeedPercent").path("SpeedRPM"));
                    if (rpm != null) fans.add(rpm);
                }
                double flowSum = 0;
                boolean anyFlow = false;
                for (JsonNode c : members(ts.path("CoolantConnectors"), "CoolantConnector")) {
                    if (supply == null) supply = reading(c.path("SupplyTemperatureCelsius"));
                    Double r = reading(c.path("ReturnTemperatureCelsius"));
                    if (r != null) ret = ret == null ? r : Math.max(ret, r);
                    Double f = reading(c.path("FlowLitersPerMinute"));
                    if (f != null) {
                        flowSum += f;
                        anyFlow = true;
                    }
                }
                if (anyFlow) flow = flowSum;
            }
            leaks = leakDetectors(chassis);
            Optional<JsonNode> legacyThermal = readings(chassis.path("Thermal"), "Thermal");
            if (legacyThermal.isPresent()) {
                for (JsonNode t : legacyThermal.get().path("Temperatures")) {
                    String context = t.path("PhysicalContext").asText("");
                    Double c = number(t.path("ReadingCelsius"));
                    if (intake == null && context.equals("Intake")) intake = c;
                    if (exhaust == null && context.equals("Exhaust")) exhaust = c;
                }
                if (fans.isEmpty()) {
                    for (JsonNode f : legacyThermal.get().path("Fans")) {
                        Double rpm = number(f.path("Reading"));
                        if (rpm != null && "RPM".equals(f.path("ReadingUnits").asText("RPM"))) fans.add(rpm);
                    }
                }
            }
            if (fans.isEmpty() && env.isPresent()) {
                for (JsonNode f : env.get().path("FanSpeedsPercent")) {
                    Double rpm = number(f.path("SpeedRPM"));
                    if (rpm != null) fans.add(rpm);
                }
            }
            if (intake == null && exhaust == null && fans.isEmpty() && chassis.has("Sensors")) {
                if (sensors == null) sensors = sensorSummary(sensorList);
                intake = sensors.intakeC();
                exhaust = sensors.exhaustC();
                fans.addAll(sensors.fanRpm());
            }
            if (intake != null || exhaust != null || !fans.isEmpty() || supply != null || leaks != null) {
                out.add(new CoolingSample(ts, placement.cluster(), row(chassis), rack(chassis),
                        CoolingSample.Source.CHASSIS, device, supply, ret, flow, null, leakDetected(leaks), intake,
                        exhaust, fans.isEmpty() ? null : fans, null, origin.next(), leaks));
            }
        }

        /**
         * What a chassis's {@code Sensors} say when its other resources do not: host input power (a {@code Power}
         * sensor in the {@code Chassis} context, else the sum of the supplies' input sensors), intake and exhaust
         * air, and fan speeds in RPM. Temperatures are told by {@code ReadingType} or, as some services leave it
         * out, by their unit ({@code Cel}); a {@code Headroom} or {@code Delta} reading is not a temperature.
         */
        private SensorSummary sensorSummary(List<JsonNode> sensors) {
            Double intake = null, exhaust = null;
            double supplies = 0;
            boolean anySupply = false;
            List<Double> fans = new ArrayList<>();
            for (JsonNode sensor : sensors) {
                if (!"Enabled".equals(sensor.path("Status").path("State").asText("Enabled"))) continue;
                String basis = sensor.path("ReadingBasis").asText("Zero");
                if (basis.equals("Headroom") || basis.equals("Delta")) continue;
                Double v = number(sensor.path("Reading"));
                if (v == null) continue;
                String type = sensor.path("ReadingType").asText("");
                String units = sensor.path("ReadingUnits").asText("");
                String context = sensor.path("PhysicalContext").asText("");
                if (PowerSensors.isPowerReading(sensor)) {
                    if (PowerSensors.isSupplySensor(sensor) && PowerSensors.isInput(sensor)
                            && !PowerSensors.isOutput(sensor)) {
                        supplies += v;
                        anySupply = true;
                    }
                } else if (type.equals("Temperature") || (type.isEmpty() && units.equals("Cel"))) {
                    if (context.equals("Intake") && intake == null) intake = v;
                    if (context.equals("Exhaust") && exhaust == null) exhaust = v;
                } else if (type.equals("Rotational") && units.equals("RPM")) {
                    fans.add(v);
                }
            }
            Double chassisPower = chassisInput(sensors);
            return new SensorSummary(chassisPower != null ? chassisPower : anySupply ? supplies : null, intake, exhaust,
                    fans);
        }

        /** The chassis's total input among its power sensors, by what each says it measures (see PowerSensors). */
        private Double chassisInput(List<JsonNode> sensors) {
            Double best = null;
            int bestScore = 0;
            for (JsonNode sensor : sensors) {
                if (!PowerSensors.isPowerReading(sensor)) continue;
                Double v = number(sensor.path("Reading"));
                int score = PowerSensors.chassisInputScore(sensor);
                if (v != null && score > bestScore) {
                    best = v;
                    bestScore = score;
                }
            }
            return best;
        }

        /**
         * A chassis without a rack in its own {@code Location} takes the placement of the chassis it is
         * {@code ContainedBy} — a blade takes its enclosure's, a server its rack's (a {@code Rack} chassis with no
         * placement lends its name) — following containment up to four levels.
         */
        private JsonNode withContainingPlacement(JsonNode chassis) throws InterruptedException {
            if (!chassis.path("Location").path("Placement").path("Rack").isMissingNode()) {
                return chassis;
            }
            JsonNode current = chassis;
            for (int level = 0; level < 4; level++) {
                Optional<JsonNode> parent = follow(current.path("Links").path("ContainedBy"), "Chassis");
                if (parent.isEmpty()) return chassis;
                JsonNode placementNode = parent.get().path("Location").path("Placement");
                String rack = text(placementNode.path("Rack"));
                if (rack == null && "Rack".equals(parent.get().path("ChassisType").asText())) {
                    rack = text(parent.get().path("Name"));
                    if (rack == null) rack = text(parent.get().path("Id"));
                }
                if (rack != null) {
                    ObjectNode copy = chassis.deepCopy();
                    // The chassis's own Location may be anything a BMC sends (a string, a number): only an object
                    // is kept and added to.
                    ObjectNode location = copy.get("Location") instanceof ObjectNode l ? l : copy.putObject("Location");
                    ObjectNode placed = location.get("Placement") instanceof ObjectNode p ? p : location.putObject("Placement");
                    placed.put("Rack", rack);
                    String row = text(placementNode.path("Row"));
                    if (row != null && placed.path("Row").isMissingNode()) placed.put("Row", row);
                    return copy;
                }
                current = parent.get();
            }
            return chassis;
        }

        // ---- reading resources, one failure at a time ---------------------------------------------------------

        /** A resource by link, checked to be of {@code type}; empty (and counted) when it fails. */
        Optional<JsonNode> follow(JsonNode link, String type) throws InterruptedException {
            String path = RedfishClient.linkTarget(link);
            if (path == null) {
                // An excerpt inlined in place of a link is already the resource.
                return link != null && link.isObject() && link.size() > 1 && RedfishValues.typed(link)
                        && isType(link, type) ? Optional.of(link) : Optional.empty();
            }
            if (link.size() > 1 && RedfishValues.typed(link) && isType(link, type)) {
                return Optional.of(link); // expanded inline
            }
            return get(path, type, false);
        }

        /** A metrics resource: from the telemetry service's reports when they carry it, else by its own request. */
        Optional<JsonNode> readings(JsonNode link, String type) throws InterruptedException {
            String path = RedfishClient.linkTarget(link);
            if (path != null) {
                Optional<JsonNode> fromReports = reports.document(path);
                if (fromReports.isPresent()) return fromReports;
            }
            return follow(link, type);
        }

        Optional<JsonNode> get(String path, String type, boolean expanded) throws InterruptedException {
            String key = expanded ? path + EXPAND : path;
            boolean structural = STRUCTURAL.contains(type) && !discovery.rediscover().isZero()
                    && !(expanded && !type.equals("ComputerSystemCollection") && !type.equals("ChassisCollection")
                            && !type.equals("MemoryCollection"));
            Object result = fetched.get(key);
            boolean kept = false;
            if (result == null && structural) {
                Cached c = structure.get(key);
                if (fresh(c)) {
                    result = c.doc();
                    kept = true;
                }
            }
            if (result == null) {
                try {
                    result = client.get(key, deadline);
                } catch (RedfishClient.NotFound | ResourceException e) {
                    result = e;
                }
                fetched.put(key, result);
            }
            if (structural && !kept && result instanceof JsonNode doc) {
                // Read from the service in this scrape: kept (again) from now on.
                structure.put(key, new Cached(doc, clock.millis()));
            } else if (!structural) {
                readings.add(key);
            }
            if (result instanceof ResourceException e) {
                errors.put(path, e);
                return Optional.empty();
            }
            if (!(result instanceof JsonNode node)) {
                return Optional.empty();
            }
            return checked(path, node, type);
        }

        /** Asks at once for what the links point at, except what this scrape has or the kept layout holds. */
        void prefetchLinks(List<JsonNode> links, boolean expanded) throws InterruptedException {
            List<String> keys = new ArrayList<>();
            for (JsonNode l : links) {
                String path = RedfishClient.linkTarget(l);
                if (path == null || reports.document(path).isPresent()) continue;
                String key = expanded ? path + EXPAND : path;
                if (!fresh(structure.get(key))) keys.add(key);
            }
            prefetch(keys);
        }

        /** Asks at once for the members, not given inline, of collections this scrape already read. */
        void prefetchMembers(List<JsonNode> collectionLinks, String type) throws InterruptedException {
            List<JsonNode> members = new ArrayList<>();
            for (JsonNode l : collectionLinks) {
                String path = RedfishClient.linkTarget(l);
                if (path == null) continue;
                Object c = fetched.get(expand ? path + EXPAND : path);
                if (c == null && fresh(structure.get(path))) c = structure.get(path).doc();
                if (!(c instanceof JsonNode collection)) continue;
                for (JsonNode m : collection.path("Members")) {
                    if (m.size() <= 1) members.add(m);
                }
            }
            prefetchLinks(members, false);
        }

        /** Asks for every request key not yet fetched at once, within the service's concurrency limit. */
        void prefetch(java.util.Collection<String> keys) throws InterruptedException {
            List<String> missing = new ArrayList<>();
            for (String k : keys) {
                if (!fetched.containsKey(k)) missing.add(k);
            }
            if (missing.isEmpty()) return;
            List<Object> results = client.getAll(missing, deadline);
            for (int i = 0; i < missing.size(); i++) {
                fetched.put(missing.get(i), results.get(i));
            }
        }

        private Optional<JsonNode> checked(String path, JsonNode node, String type) {
            if (!node.isObject()) {
                errors.put(path, new ResourceException(ErrorReason.WRONG_TYPE, path, "not a JSON object", null));
                return Optional.empty();
            }
            if (RedfishValues.typed(node) && !isType(node, type)) {
                errors.put(path, new ResourceException(ErrorReason.WRONG_TYPE, path,
                        "expected a " + type + ", found " + node.path("@odata.type").asText(), null));
                return Optional.empty();
            }
            return Optional.of(node);
        }

        /**
         * The members of the collection a link points to, each checked to be of {@code type}. With
         * {@code $expand} the members come inline in one request; the rest are read in parallel, within the
         * service's concurrency limit. A member that fails is counted and left out.
         */
        List<JsonNode> members(JsonNode collectionLink, String type) throws InterruptedException {
            String path = RedfishClient.linkTarget(collectionLink);
            if (path == null) return List.of();
            Optional<JsonNode> collection = get(path, type + "Collection", expand);
            if (collection.isEmpty()) return List.of();
            JsonNode list = collection.get().path("Members");
            if (!list.isArray()) {
                if (!list.isMissingNode()) {
                    errors.put(path, new ResourceException(ErrorReason.WRONG_TYPE, path, "Members is not a list", null));
                }
                return List.of();
            }
            List<JsonNode> out = new ArrayList<>();
            List<String> toFetch = new ArrayList<>();
            for (JsonNode m : list) {
                String id = RedfishClient.linkTarget(m);
                if (m.size() > 1 && RedfishValues.typed(m)) {
                    checked(id == null ? path : id, m, type).ifPresent(out::add);
                } else if (id != null) {
                    toFetch.add(id);
                }
            }
            if (!toFetch.isEmpty()) {
                List<String> uncached = new ArrayList<>();
                for (String id : toFetch) {
                    if (!STRUCTURAL.contains(type) || !fresh(structure.get(id))) uncached.add(id);
                }
                prefetch(uncached);
                for (String id : toFetch) {
                    get(id, type, false).ifPresent(out::add);
                }
            }
            return out;
        }

        private void claim(JsonNode links) {
            for (JsonNode l : links) {
                String id = RedfishClient.linkTarget(l);
                if (id != null) claimedChassis.add(id);
            }
        }
    }

    /** A chassis's readings as its {@code Sensors} give them; null where they do not. */
    private record SensorSummary(Double powerW, Double intakeC, Double exhaustC, List<Double> fanRpm) {}

    private static List<JsonNode> links(JsonNode node) {
        List<JsonNode> out = new ArrayList<>();
        if (node.isArray()) node.forEach(out::add);
        else if (node.isObject()) out.add(node);
        return out;
    }

    private static Boolean leakDetected(List<CoolingSample.LeakDetector> leaks) {
        if (leaks == null) return null;
        return leaks.stream().anyMatch(d -> d.state() != CoolingSample.LeakDetector.State.OK);
    }

    /** Null-safe: absent plus absent is absent (never an unboxed null). */
    static Long sum(Long a, Long b) {
        if (a == null) return b;
        if (b == null) return a;
        return Long.valueOf(a.longValue() + b.longValue());
    }

    private static Boolean either(Boolean a, Boolean b) {
        if (a == null) return b;
        if (b == null) return a;
        return a || b;
    }

    private static Long firstCount(JsonNode... nodes) {
        for (JsonNode n : nodes) {
            Long c = count(n);
            if (c != null) return c;
        }
        return null;
    }

    /** The row: the target's configuration where it gives one, else what the resource reports. */
    private String row(JsonNode resource) {
        return placed("row", placement.row(), text(resource.path("Location").path("Placement").path("Row")), resource);
    }

    /** The rack: the target's configuration where it gives one, else what the resource reports. */
    private String rack(JsonNode resource) {
        return placed("rack", placement.rack(), text(resource.path("Location").path("Placement").path("Rack")), resource);
    }

    private String placed(String what, String configured, String reported, JsonNode resource) {
        if (configured == null) return reported;
        if (reported != null && !reported.equals(configured)) {
            String where = resource.path("@odata.id").asText(resource.path("Id").asText("?")) + " " + what;
            if (placementWarned.add(where)) {
                warnings.computeIfAbsent("placement_mismatch", k -> new AtomicLong()).incrementAndGet();
                LOG.warn("{}: {} reports {} {} but the configuration says {}; the configuration's is used",
                        client.base(), resource.path("@odata.id").asText(resource.path("Id").asText("a resource")),
                        what, reported, configured);
            }
        }
        return configured;
    }

    private static String deviceName(JsonNode resource) {
        String name = text(resource.path("Name"));
        return name != null ? name : resource.path("Id").asText("unknown");
    }
}
