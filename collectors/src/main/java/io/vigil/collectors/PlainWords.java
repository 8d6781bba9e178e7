package io.vigil.collectors;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Failures said in plain words for the logs and for {@code vigil collect}'s status: what went wrong and where, never
 * a Java exception's type name (an operator reading "SocketTimeoutException Read timed out" learns less than "no
 * answer within 2000 ms").
 */
public final class PlainWords {

    private PlainWords() {}

    /** A network or I/O failure: what happened, with the detail that helps (host, port, TLS reason). */
    public static String of(Throwable e) {
        if (e == null) return "unknown failure";
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t instanceof java.util.concurrent.ExecutionException)) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? "" : firstLine(t.getMessage()).trim();
        if (t instanceof java.net.SocketTimeoutException) return "no answer within the read timeout";
        if (t instanceof java.net.http.HttpTimeoutException) return "no answer within the timeout";
        if (t instanceof java.net.ConnectException) return "connection refused" + (m.isEmpty() || m.startsWith("Connection refused") ? "" : " (" + m + ")");
        if (t instanceof java.net.UnknownHostException) return "unknown host " + m;
        if (t instanceof java.net.NoRouteToHostException) return "no route to host";
        if (t instanceof javax.net.ssl.SSLHandshakeException) {
            if (m.contains("PKIX") || m.contains("certification path")) {
                return "TLS handshake failed: the certificate is not trusted (give the target a trust store, or"
                        + " insecure: true)";
            }
            return "TLS handshake failed" + (m.isEmpty() ? "" : ": " + stripTypes(m));
        }
        if (t instanceof javax.net.ssl.SSLException) return "TLS error" + (m.isEmpty() ? "" : ": " + stripTypes(m));
        if (t instanceof java.net.SocketException) return m.isEmpty() ? "connection failed" : "connection failed: " + stripTypes(m);
        if (t instanceof java.io.EOFException) return "the connection closed before the answer ended";
        if (t instanceof JsonProcessingException j) return json(j);
        if (t instanceof java.io.IOException) return m.isEmpty() ? "input/output failure" : stripTypes(m);
        if (t instanceof InterruptedException) return "interrupted";
        return m.isEmpty() ? "unexpected failure" : stripTypes(m);
    }

    /** A body that is not JSON: the parser's complaint, without its source excerpt, and the byte it stopped at. */
    public static String json(JsonProcessingException e) {
        String problem = e.getOriginalMessage() == null ? "unreadable" : firstLine(e.getOriginalMessage());
        int excerpt = problem.indexOf(" (for ");
        if (excerpt > 0) problem = problem.substring(0, excerpt);
        JsonLocation at = e.getLocation();
        long offset = at == null ? -1 : at.getByteOffset() >= 0 ? at.getByteOffset() : at.getCharOffset();
        return "not JSON: " + problem + (offset >= 0 ? " at byte " + offset : "");
    }

    /** Removes Java type names ({@code sun.security.Foo: }, {@code java.io.IOException: }) from a message. */
    static String stripTypes(String s) {
        return s.replaceAll("\\b([a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(Exception|Error)\\b:?\\s*", "")
                .replaceAll("\\b[A-Z][A-Za-z0-9]*(Exception|Error)\\b:?\\s*", "").trim();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
