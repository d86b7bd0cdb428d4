package io.fleetform.provider.registry.auth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** A {@code WWW-Authenticate} challenge from a registry: what it wants before it answers. */
public sealed interface AuthChallenge permits AuthChallenge.Basic, AuthChallenge.Bearer, AuthChallenge.Other {

    String scheme();

    /** HTTP basic auth with the registry's own user database. */
    record Basic(String realm) implements AuthChallenge {
        @Override
        public String scheme() {
            return "Basic";
        }
    }

    /**
     * The token flow: get a token from {@code realm} for {@code service} and {@code scopes}, then
     * retry with it. A registry asks for several scopes at once, e.g. for a cross-repository mount.
     *
     * @param error set when a token was sent but judged insufficient, e.g. {@code insufficient_scope}
     */
    record Bearer(String realm, String service, List<String> scopes, String error) implements AuthChallenge {
        public Bearer {
            Objects.requireNonNull(realm, "realm");
            service = service == null ? "" : service;
            scopes = List.copyOf(scopes);
            error = error == null ? "" : error;
        }

        @Override
        public String scheme() {
            return "Bearer";
        }
    }

    /** A scheme this client does not speak; kept so the error can name it. */
    record Other(String scheme, Map<String, String> params) implements AuthChallenge {
        public Other {
            params = Map.copyOf(params);
        }
    }

    /**
     * Parses every challenge in a header value. RFC 7235 separates both challenges and their
     * parameters with commas, and quoted values may contain commas, hence a small tokenizer rather
     * than a split.
     */
    static List<AuthChallenge> parse(String header) {
        List<AuthChallenge> result = new ArrayList<>();
        if (header == null) {
            return result;
        }
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        for (String item : splitTopLevel(header)) {
            String trimmed = item.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int space = indexOfWhitespace(trimmed);
            int eq = trimmed.indexOf('=');
            boolean startsChallenge = eq < 0 || (space >= 0 && space < eq);
            if (startsChallenge) {
                if (scheme != null) {
                    result.add(build(scheme, params));
                }
                scheme = space < 0 ? trimmed : trimmed.substring(0, space);
                params = new LinkedHashMap<>();
                trimmed = space < 0 ? "" : trimmed.substring(space + 1).strip();
                eq = trimmed.indexOf('=');
            }
            if (eq > 0 && scheme != null) {
                params.put(trimmed.substring(0, eq).strip().toLowerCase(Locale.ROOT), unquote(trimmed.substring(eq + 1).strip()));
            }
        }
        if (scheme != null) {
            result.add(build(scheme, params));
        }
        return result;
    }

    private static AuthChallenge build(String scheme, Map<String, String> params) {
        if (scheme.equalsIgnoreCase("basic")) {
            return new Basic(params.getOrDefault("realm", ""));
        }
        if (scheme.equalsIgnoreCase("bearer") && params.containsKey("realm")) {
            String scope = params.getOrDefault("scope", "").strip();
            List<String> scopes = scope.isEmpty() ? List.of() : List.of(scope.split("\\s+"));
            return new Bearer(params.get("realm"), params.get("service"), scopes, params.get("error"));
        }
        return new Other(scheme, params);
    }

    private static List<String> splitTopLevel(String header) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (quoted && c == '\\' && i + 1 < header.length()) {
                current.append(c).append(header.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String unquote(String value) {
        if (value.length() < 2 || value.charAt(0) != '"' || value.charAt(value.length() - 1) != '"') {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 1; i < value.length() - 1; i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length() - 1) {
                c = value.charAt(++i);
            }
            out.append(c);
        }
        return out.toString();
    }
}
