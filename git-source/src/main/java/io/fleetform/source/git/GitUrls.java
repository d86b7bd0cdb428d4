package io.fleetform.source.git;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/** Repository locations: which are URLs, and how to show one without its credentials. */
public final class GitUrls {
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");
    /** {@code git@host:org/repo.git}: scp-like ssh (not a Windows drive letter). */
    private static final Pattern SCP = Pattern.compile("^[^/\\\\:@]+@[^/\\\\:]+:.*");

    private GitUrls() {
    }

    /** True for {@code file://}, {@code git://}, {@code ssh://}, {@code https://} and scp-like ssh; false for a path. */
    public static boolean isUrl(String location) {
        return SCHEME.matcher(location).matches() || SCP.matcher(location).matches();
    }

    /**
     * The location with any password or token removed: for http(s) the whole user part goes
     * (tokens are often passed as the user name), for ssh only a password; query and fragment go.
     */
    public static String withoutCredentials(String location) {
        if (!SCHEME.matcher(location).matches()) {
            int at = location.indexOf('@');
            int colon = location.indexOf(':');
            if (SCP.matcher(location).matches() && colon >= 0 && colon < at) {
                return location.substring(at + 1);
            }
            return location;
        }
        try {
            URI uri = new URI(location);
            String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            String user = uri.getRawUserInfo();
            if (user == null && uri.getRawQuery() == null && uri.getRawFragment() == null) {
                return location;
            }
            String keptUser = null;
            if (user != null && !scheme.startsWith("http")) {
                int colon = user.indexOf(':');
                keptUser = colon >= 0 ? user.substring(0, colon) : user;
            }
            return new URI(scheme, keptUser, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
        } catch (URISyntaxException | RuntimeException e) {
            // Not a URI Java can take apart: keep only what follows the last '@' of the authority.
            int schemeEnd = location.indexOf("://") + 3;
            int at = location.lastIndexOf('@');
            return at > schemeEnd ? location.substring(0, schemeEnd) + location.substring(at + 1) : location;
        }
    }
}
