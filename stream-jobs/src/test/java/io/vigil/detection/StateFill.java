package io.vigil.detection;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;

/**
 * Sets every public field of a state object to a value unlike its default (nested state objects too), so that a
 * round trip through a hand-written serializer shows any field the serializer forgets. Maps are left to the caller.
 */
public final class StateFill {
    private StateFill() {}

    public static <T> T filled(T o, int seed) throws Exception {
        int i = seed;
        for (Field f : o.getClass().getFields()) {
            if (Modifier.isStatic(f.getModifiers())) continue;
            i++;
            Class<?> t = f.getType();
            if (t == int.class) f.setInt(o, 1000 + i);
            else if (t == long.class) f.setLong(o, 1_000_000_000_000L + i);
            else if (t == double.class) f.setDouble(o, i + 0.25);
            else if (t == boolean.class) f.setBoolean(o, true);
            else if (t == String.class) f.set(o, "s" + i);
            else if (t == Integer.class) f.set(o, 2000 + i);
            else if (Map.class.isAssignableFrom(t)) continue;
            else f.set(o, filled(t.getConstructor().newInstance(), 100 * i));
        }
        return o;
    }
}
