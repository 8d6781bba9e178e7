package io.vigil.collectors.dcgm;

import java.util.List;

/**
 * A streaming parser of the Prometheus text exposition format (version 0.0.4), as dcgm-exporter serves it. It
 * scans characters once, with no regular expressions, and hands each sample to a {@link SampleHandler}; comment
 * lines ({@code # HELP}, {@code # TYPE}) and blank lines are skipped. A malformed line is reported with its
 * number and skipped, so one bad line never loses the rest of a scrape.
 */
public final class PrometheusTextParser {

    /** Receives samples. {@code labels} is reused between calls: copy what you keep. */
    public interface SampleHandler {
        void sample(String name, Labels labels, double value);
    }

    /** A line that could not be parsed. */
    public record ParseError(int line, String message) {}

    /** The labels of the current sample, as parallel name/value arrays. */
    public static final class Labels {
        private String[] names = new String[16];
        private String[] values = new String[16];
        private int size;

        void clear() {
            size = 0;
        }

        void add(String name, String value) {
            if (size == names.length) {
                names = java.util.Arrays.copyOf(names, size * 2);
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            names[size] = name;
            values[size] = value;
            size++;
        }

        public int size() {
            return size;
        }

        public String name(int i) {
            return names[i];
        }

        public String value(int i) {
            return values[i];
        }

        /** The value of label {@code name}, or null. */
        public String get(String name) {
            for (int i = 0; i < size; i++) {
                if (names[i].equals(name)) {
                    return values[i];
                }
            }
            return null;
        }
    }

    private PrometheusTextParser() {}

    /** Parses {@code text}; returns the number of samples handed over and appends problems to {@code errors}. */
    public static int parse(CharSequence text, SampleHandler handler, List<ParseError> errors) {
        Labels labels = new Labels();
        StringBuilder buf = new StringBuilder(64);
        int n = text.length();
        int pos = 0;
        int line = 0;
        int samples = 0;
        while (pos < n) {
            line++;
            int end = pos;
            while (end < n && text.charAt(end) != '\n') end++;
            int next = end + 1;
            int lineEnd = end > pos && text.charAt(end - 1) == '\r' ? end - 1 : end;
            int p = skipSpaces(text, pos, lineEnd);
            if (p < lineEnd && text.charAt(p) != '#') {
                try {
                    labels.clear();
                    int nameEnd = p;
                    while (nameEnd < lineEnd && isNameChar(text.charAt(nameEnd))) nameEnd++;
                    if (nameEnd == p) throw new IllegalArgumentException("expected a metric name");
                    String name = text.subSequence(p, nameEnd).toString();
                    p = skipSpaces(text, nameEnd, lineEnd);
                    if (p < lineEnd && text.charAt(p) == '{') {
                        p = parseLabels(text, p + 1, lineEnd, labels, buf);
                        p = skipSpaces(text, p, lineEnd);
                    }
                    int valueEnd = p;
                    while (valueEnd < lineEnd && text.charAt(valueEnd) != ' ' && text.charAt(valueEnd) != '\t') valueEnd++;
                    if (valueEnd == p) throw new IllegalArgumentException("expected a value");
                    double value = parseValue(text, p, valueEnd);
                    // An optional timestamp may follow; dcgm-exporter does not send one and the scrape time is used.
                    handler.sample(name, labels, value);
                    samples++;
                } catch (IllegalArgumentException e) {
                    errors.add(new ParseError(line, e.getMessage()));
                }
            }
            pos = next;
        }
        return samples;
    }

    private static int parseLabels(CharSequence t, int p, int end, Labels labels, StringBuilder buf) {
        while (true) {
            p = skipSpaces(t, p, end);
            if (p >= end) throw new IllegalArgumentException("unterminated label set");
            if (t.charAt(p) == '}') return p + 1;
            int nameEnd = p;
            while (nameEnd < end && isNameChar(t.charAt(nameEnd))) nameEnd++;
            if (nameEnd == p) throw new IllegalArgumentException("expected a label name at column " + (p + 1));
            String name = t.subSequence(p, nameEnd).toString();
            p = skipSpaces(t, nameEnd, end);
            if (p >= end || t.charAt(p) != '=') throw new IllegalArgumentException("expected '=' after label " + name);
            p = skipSpaces(t, p + 1, end);
            if (p >= end || t.charAt(p) != '"') throw new IllegalArgumentException("expected '\"' for label " + name);
            p++;
            buf.setLength(0);
            boolean closed = false;
            while (p < end) {
                char c = t.charAt(p++);
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && p < end) {
                    char e = t.charAt(p++);
                    buf.append(e == 'n' ? '\n' : e);
                } else {
                    buf.append(c);
                }
            }
            if (!closed) throw new IllegalArgumentException("unterminated value of label " + name);
            labels.add(name, buf.toString());
            p = skipSpaces(t, p, end);
            if (p < end && t.charAt(p) == ',') p++;
        }
    }

    private static double parseValue(CharSequence t, int from, int to) {
        String s = t.subSequence(from, to).toString();
        switch (s) {
            case "NaN": return Double.NaN;
            case "+Inf": case "Inf": return Double.POSITIVE_INFINITY;
            case "-Inf": return Double.NEGATIVE_INFINITY;
            default:
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a number: '" + s + "'");
                }
        }
    }

    private static int skipSpaces(CharSequence t, int p, int end) {
        while (p < end && (t.charAt(p) == ' ' || t.charAt(p) == '\t')) p++;
        return p;
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':';
    }
}
