package io.fleetform.engine.address;

import java.util.regex.Pattern;

/**
 * {@code --target}/{@code --exclude} patterns: an address, or one with {@code *} wildcards
 * ({@code zone.s1*}, {@code zone.*.service.logic*}). A pattern also matches everything under
 * what it names, so {@code zone.s1} selects the zone and all its instances.
 */
public record AddressPattern(String text) {

    public boolean matches(ResourceAddress address) {
        String value = address.value();
        if (!text.contains("*")) {
            return new ResourceAddress(text).contains(address);
        }
        Pattern regex = Pattern.compile(toRegex(text) + "([.\\[].*)?");
        return regex.matcher(value).matches();
    }

    private static String toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            regex.append(c == '*' ? ".*" : Pattern.quote(String.valueOf(c)));
        }
        return regex.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
