package io.vigil.collectors.redfish;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.Source;
import io.vigil.model.CoolingSample;
import io.vigil.model.PowerSample;
import io.vigil.model.TelemetryRecord;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads power and cooling from one Redfish service — a server BMC, a rack PDU or a coolant distribution unit —
 * finding everything by following links from {@code /redfish/v1}, never by assumed paths:
 * <ul>
 *   <li>{@code PowerEquipment/RackPDUs}: load ({@code Metrics.PowerWatts}), capacity, per-phase mains current →
 *       a {@code RACK_PDU} power sample;</li>
 *   <li>{@code ThermalEquipment/CDUs}: secondary (rack-side) loop supply/return temperature, flow and pressure,
 *       leak detectors → a {@code CDU} cooling sample;</li>
 *   <li>every other chassis: input power ({@code EnvironmentMetrics}, else the older {@code Power}) → a
 *       {@code HOST_PSU} power sample; intake/exhaust air and fans ({@code ThermalSubsystem}, else the older
 *       {@code Thermal}), cold-plate coolant and leak detection → a {@code CHASSIS} cooling sample.</li>
 * </ul>
 * Rack and row come from the resource's {@code Location.Placement} where present, else from the configuration.
 * A missing optional resource is skipped; an unreachable service fails the scrape.
 */
public final class RedfishSource implements Source {

    /** Where the service's equipment stands, from the inventory; used where Redfish does not say. */
    public record Placement(String cluster, String row, String rack, String host) {}

    private final RedfishClient client;
    private final Placement placement;
    private final OriginStamper origin;
    private final InstantSource clock;

    public RedfishSource(RedfishClient client, Placement placement, OriginStamper origin, InstantSource clock) {
        this.client = client;
        this.placement = placement;
        this.origin = origin;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "redfish " + client.base();
    }

    @Override
    public List<TelemetryRecord> scrape() throws ScrapeException, InterruptedException {
        long ts = clock.millis();
        JsonNode root;
        try {
            root = client.get("/redfish/v1");
        } catch (RedfishClient.NotFound e) {
            throw new ScrapeException(client.base() + ": no Redfish service root at /redfish/v1", e);
        }
        List<TelemetryRecord> out = new ArrayList<>();
        Set<String> equipmentChassis = new HashSet<>();

        Optional<JsonNode> power = client.follow(root.path("PowerEquipment"));
        if (power.isPresent()) {
            for (JsonNode pdu : members(power.get().path("RackPDUs"))) {
                links(pdu.path("Links").path("Chassis"), equipmentChassis);
                out.add(rackPdu(pdu, ts));
            }
        }
        Optional<JsonNode> thermal = client.follow(root.path("ThermalEquipment"));
        if (thermal.isPresent()) {
            for (JsonNode cdu : members(thermal.get().path("CDUs"))) {
                links(cdu.path("Links").path("Chassis"), equipmentChassis);
                out.add(cdu(cdu, ts));
            }
        }
        for (JsonNode chassis : members(root.path("Chassis"))) {
            if (!equipmentChassis.contains(chassis.path("@odata.id").asText())) {
                chassis(chassis, ts, out);
            }
        }
        return out;
    }

    private PowerSample rackPdu(JsonNode pdu, long ts) throws ScrapeException, InterruptedException {
        Double watts = client.follow(pdu.path("Metrics")).map(m -> reading(m.path("PowerWatts"))).orElse(null);
        List<Double> phases = new ArrayList<>();
        for (JsonNode main : members(pdu.path("Mains"))) {
            JsonNode poly = main.path("PolyPhaseCurrentAmps");
            for (String line : List.of("Line1", "Line2", "Line3")) {
                Double a = reading(poly.path(line));
                if (a != null) phases.add(a);
            }
            Double single = reading(main.path("CurrentAmps"));
            if (poly.isMissingNode() && single != null) phases.add(single);
        }
        Double capacity = number(pdu.path("PowerCapacityVA"));
        return new PowerSample(ts, placement.cluster(), row(pdu), rack(pdu), null, PowerSample.Source.RACK_PDU,
                deviceName(pdu), watts, capacity, phases.isEmpty() ? null : phases, origin.next());
    }

    private CoolingSample cdu(JsonNode cdu, long ts) throws ScrapeException, InterruptedException {
        Double supply = null, ret = null, flow = null, dp = null;
        List<JsonNode> secondary = members(cdu.path("SecondaryCoolantConnectors"));
        if (!secondary.isEmpty()) {
            JsonNode c = secondary.get(0);
            supply = reading(c.path("SupplyTemperatureCelsius"));
            ret = reading(c.path("ReturnTemperatureCelsius"));
            flow = reading(c.path("FlowLitersPerMinute"));
            dp = reading(c.path("DeltaPressurekPa"));
            Double sp = reading(c.path("SupplyPressurekPa")), rp = reading(c.path("ReturnPressurekPa"));
            if (dp == null && sp != null && rp != null) dp = sp - rp;
        }
        Boolean leak = client.follow(cdu.path("LeakDetection")).map(RedfishSource::leak).orElse(null);
        return new CoolingSample(ts, placement.cluster(), row(cdu), rack(cdu), CoolingSample.Source.CDU,
                deviceName(cdu), supply, ret, flow, dp, leak, null, null, null, null, origin.next());
    }

    private void chassis(JsonNode chassis, long ts, List<TelemetryRecord> out) throws ScrapeException, InterruptedException {
        chassis = withContainingRack(chassis);
        String device = (placement.host() == null ? "" : placement.host() + "/") + chassis.path("Id").asText("chassis");
        Optional<JsonNode> env = client.follow(chassis.path("EnvironmentMetrics"));
        Optional<JsonNode> legacyPower = client.follow(chassis.path("Power"));
        Double watts = env.map(e -> reading(e.path("PowerWatts"))).orElse(null);
        JsonNode control = legacyPower.map(p -> p.path("PowerControl").path(0)).orElse(null);
        if (watts == null && control != null) watts = number(control.path("PowerConsumedWatts"));
        Double capacity = control == null ? null : number(control.path("PowerCapacityWatts"));
        if (capacity == null) {
            capacity = client.follow(chassis.path("PowerSubsystem")).map(p -> number(p.path("CapacityWatts"))).orElse(null);
        }
        if (watts != null) {
            out.add(new PowerSample(ts, placement.cluster(), row(chassis), rack(chassis), placement.host(),
                    PowerSample.Source.HOST_PSU, device, watts, capacity, null, origin.next()));
        }

        Double intake = null, exhaust = null, supply = null, ret = null, flow = null;
        Boolean leak = null;
        List<Double> fans = new ArrayList<>();
        Optional<JsonNode> subsystem = client.follow(chassis.path("ThermalSubsystem"));
        if (subsystem.isPresent()) {
            Optional<JsonNode> metrics = client.follow(subsystem.get().path("ThermalMetrics"));
            if (metrics.isPresent()) {
                JsonNode summary = metrics.get().path("TemperatureSummaryCelsius");
                intake = reading(summary.path("Intake"));
                exhaust = reading(summary.path("Exhaust"));
            }
            for (JsonNode fan : members(subsystem.get().path("Fans"))) {
                Double rpm = number(fan.path("SpeedPercent").path("SpeedRPM"));
                if (rpm != null) fans.add(rpm);
            }
            double flowSum = 0;
            boolean anyFlow = false;
            for (JsonNode c : members(subsystem.get().path("CoolantConnectors"))) {
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
            Optional<JsonNode> leakDetection = client.follow(subsystem.get().path("LeakDetection"));
            if (leakDetection.isPresent()) leak = leak(leakDetection.get());
        }
        Optional<JsonNode> legacyThermal = client.follow(chassis.path("Thermal"));
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
        if (intake != null || exhaust != null || !fans.isEmpty() || supply != null || leak != null) {
            out.add(new CoolingSample(ts, placement.cluster(), row(chassis), rack(chassis),
                    CoolingSample.Source.CHASSIS, device, supply, ret, flow, null, leak, intake, exhaust,
                    fans.isEmpty() ? null : fans, null, origin.next()));
        }
    }

    /**
     * A server chassis inside a rack chassis ({@code Links.ContainedBy} pointing at a {@code ChassisType: Rack})
     * takes that rack's name when its own {@code Location} does not say.
     */
    private JsonNode withContainingRack(JsonNode chassis) throws ScrapeException, InterruptedException {
        if (!chassis.path("Location").path("Placement").path("Rack").isMissingNode()) {
            return chassis;
        }
        Optional<JsonNode> parent = client.follow(chassis.path("Links").path("ContainedBy"));
        if (parent.isEmpty() || !"Rack".equals(parent.get().path("ChassisType").asText())) {
            return chassis;
        }
        String rack = parent.get().path("Location").path("Placement").path("Rack")
                .asText(parent.get().path("Name").asText(parent.get().path("Id").asText(null)));
        if (rack == null) {
            return chassis;
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = chassis.deepCopy();
        copy.withObject("/Location").withObject("/Placement").put("Rack", rack);
        String row = parent.get().path("Location").path("Placement").path("Row").asText(null);
        if (row != null && copy.path("Location").path("Placement").path("Row").isMissingNode()) {
            copy.withObject("/Location").withObject("/Placement").put("Row", row);
        }
        return copy;
    }

    /** Members of the collection a link points to, each fetched; missing members are skipped. */
    private List<JsonNode> members(JsonNode collectionLink) throws ScrapeException, InterruptedException {
        Optional<JsonNode> collection = client.follow(collectionLink);
        List<JsonNode> out = new ArrayList<>();
        if (collection.isPresent()) {
            for (JsonNode m : collection.get().path("Members")) {
                client.follow(m).ifPresent(out::add);
            }
        }
        return out;
    }

    /** Any detector not in state OK means a leak; null when the resource lists no detector. */
    private static Boolean leak(JsonNode leakDetection) {
        boolean any = false;
        for (JsonNode group : leakDetection.path("LeakDetectorGroups")) {
            for (JsonNode d : group.path("Detectors")) {
                any = true;
                String state = d.path("DetectorState").asText("OK");
                if (!state.equals("OK")) return true;
            }
        }
        return any ? Boolean.FALSE : null;
    }

    private static void links(JsonNode array, Set<String> into) {
        for (JsonNode l : array) {
            String id = l.path("@odata.id").asText(null);
            if (id != null) into.add(id);
        }
    }

    private String row(JsonNode resource) {
        String r = resource.path("Location").path("Placement").path("Row").asText(null);
        return r != null ? r : placement.row();
    }

    private String rack(JsonNode resource) {
        String r = resource.path("Location").path("Placement").path("Rack").asText(null);
        return r != null ? r : placement.rack();
    }

    private static String deviceName(JsonNode resource) {
        String name = resource.path("Name").asText(null);
        return name != null ? name : resource.path("Id").asText("unknown");
    }

    /** A Redfish excerpt's {@code Reading}, or a plain number. */
    private static Double reading(JsonNode node) {
        return node.isObject() ? number(node.path("Reading")) : number(node);
    }

    private static Double number(JsonNode node) {
        return node != null && node.isNumber() ? node.asDouble() : null;
    }
}
