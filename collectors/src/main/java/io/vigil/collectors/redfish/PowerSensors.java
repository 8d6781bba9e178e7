package io.vigil.collectors.redfish;

import static io.vigil.collectors.redfish.RedfishValues.number;
import static io.vigil.collectors.redfish.RedfishValues.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which power sensor of a chassis says what, by meaning rather than by order. A power shelf or server lists many
 * power sensors — hot-swap controllers, voltage regulators, each supply's input and output — and only one of them
 * is the chassis's total input. That one is told by what the sensor says of itself: a name or id with
 * {@code total} and {@code in}/{@code input} ({@code total_power_in}), {@code chassis} and {@code input}
 * ({@code power_chassis_input_power}), or the {@code Chassis} context with an {@code Input} sub-context; a
 * component's sensor (hot-swap controller, regulator, GPU, CPU, memory, fan) or an output never is.
 */
final class PowerSensors {

    private static final Pattern COMPONENT = Pattern.compile(
            "(^|[^a-z])(hsc|hot.?swap|vr|vrm|gpu|cpu|dimm|mem|memory|fan|nic|bmc|aux|stby|standby|12v|54v|48v)([^a-z]|$)");
    private static final Pattern SUPPLY = Pattern.compile("(psu|ps|supply|powersupply)[_ -]?(\\d+)");
    private static final Pattern INPUT = Pattern.compile("(^|[^a-z])(in|input|ac.?in)([^a-z]|$)");
    private static final Pattern OUTPUT = Pattern.compile("(^|[^a-z])(out|output)([^a-z]|$)");

    private PowerSensors() {}

    /** A sensor that measures power in watts, enabled, as an absolute reading (not headroom or a delta). */
    static boolean isPowerReading(JsonNode sensor) {
        if (!"Enabled".equals(sensor.path("Status").path("State").asText("Enabled"))) return false;
        String basis = sensor.path("ReadingBasis").asText("Zero");
        if (basis.equals("Headroom") || basis.equals("Delta")) return false;
        String type = sensor.path("ReadingType").asText("");
        return type.equals("Power") || (type.isEmpty() && sensor.path("ReadingUnits").asText("").equals("W"));
    }

    static String label(JsonNode sensor) {
        return (sensor.path("Id").asText("") + " " + sensor.path("Name").asText("")).toLowerCase(Locale.ROOT)
                .replace('.', '_');
    }

    /** The number of the supply a sensor belongs to ({@code psu3_power_in} → 3), or -1. */
    static int supplyNumber(JsonNode sensor) {
        Matcher m = SUPPLY.matcher(label(sensor).replace("powersupply", "psu"));
        return m.find() ? Integer.parseInt(m.group(2)) : -1;
    }

    /** The number in a supply's id ({@code PSU_3}, {@code PowerSupply3}, {@code 3}), or -1. */
    static int supplyNumberOfId(String id) {
        if (id == null) return -1;
        Matcher m = Pattern.compile("(\\d+)\\s*$").matcher(id);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    static boolean isInput(JsonNode sensor) {
        String l = label(sensor).replace('_', ' ');
        return "Input".equals(sensor.path("PhysicalSubContext").asText("")) || INPUT.matcher(l).find();
    }

    static boolean isOutput(JsonNode sensor) {
        String l = label(sensor).replace('_', ' ');
        return "Output".equals(sensor.path("PhysicalSubContext").asText("")) || OUTPUT.matcher(l).find();
    }

    /** A supply's own sensor: the {@code PowerSupply} context, or a supply's number in its name. */
    static boolean isSupplySensor(JsonNode sensor) {
        return "PowerSupply".equals(sensor.path("PhysicalContext").asText("")) || supplyNumber(sensor) >= 0;
    }

    /**
     * How surely a power sensor is the chassis's total input: 0 when it is not (a component's, a supply's, an
     * output); higher is surer. Ties go to the first listed.
     */
    static int chassisInputScore(JsonNode sensor) {
        String l = label(sensor).replace('_', ' ');
        if (isSupplySensor(sensor) || isOutput(sensor) || COMPONENT.matcher(l).find()) return 0;
        String context = sensor.path("PhysicalContext").asText("");
        boolean total = l.contains("total"), input = isInput(sensor), chassis = l.contains("chassis");
        int score = (total ? 4 : 0) + (input ? 2 : 0) + (chassis ? 1 : 0)
                + (context.equals("Chassis") ? 1 : 0)
                + (context.equals("Chassis") && "Input".equals(sensor.path("PhysicalSubContext").asText("")) ? 2 : 0);
        // A sensor in the chassis context that names nothing else is the chassis's own power, as older layouts say.
        return score;
    }

    /** Whether a chassis is a rack power shelf (several supplies feeding a rack's bus bar), not a server. */
    static boolean isPowerShelf(JsonNode chassis) {
        String type = chassis.path("ChassisType").asText("");
        String label = (chassis.path("Id").asText("") + " " + chassis.path("Name").asText("") + " "
                + chassis.path("Model").asText("")).toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
        return type.equals("PowerStrip") || label.contains("powershelf") || label.contains("pwrshelf")
                || (type.equals("Shelf") && label.contains("power"));
    }

    /** A supply's rated capacity: {@code PowerCapacityWatts}, or {@code CapacityWatts} as some shelves name it. */
    static Double supplyCapacity(JsonNode psu) {
        Double c = number(psu.path("PowerCapacityWatts"));
        return c != null ? c : number(psu.path("CapacityWatts"));
    }

    /** The name a supply goes by in its records: its {@code Name}, else {@code MemberId}, {@code Id}. */
    static String supplyName(JsonNode psu) {
        for (String f : List.of("Name", "MemberId", "Id")) {
            String s = text(psu.path(f));
            if (s != null) return s;
        }
        return "psu";
    }
}
