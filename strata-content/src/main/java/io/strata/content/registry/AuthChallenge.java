package io.strata.content.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code WWW-Authenticate} challenge: a scheme ({@code bearer}, {@code basic}, lowercase)
 * and its parameters ({@code realm}, {@code service}, {@code scope}).
 */
record AuthChallenge(String scheme, Map<String, String> params) {

    /** Parses a header value; a header may hold several challenges. Unparseable parts are skipped. */
    static List<AuthChallenge> parse(String header) {
        var out = new ArrayList<AuthChallenge>();
        int i = 0;
        int n = header.length();
        while (i < n) {
            while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == ',')) {
                i++;
            }
            int start = i;
            while (i < n && header.charAt(i) != ' ' && header.charAt(i) != ',') {
                i++;
            }
            if (start == i) {
                break;
            }
            String scheme = header.substring(start, i).toLowerCase(Locale.ROOT);
            var params = new LinkedHashMap<String, String>();
            while (i < n) {
                int save = i;
                while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == ',')) {
                    i++;
                }
                int ks = i;
                while (i < n && header.charAt(i) != '=' && header.charAt(i) != ' ' && header.charAt(i) != ',') {
                    i++;
                }
                if (i >= n || header.charAt(i) != '=') {
                    i = save; // not a parameter: the next challenge's scheme
                    break;
                }
                String key = header.substring(ks, i).toLowerCase(Locale.ROOT);
                i++;
                var value = new StringBuilder();
                if (i < n && header.charAt(i) == '"') {
                    i++;
                    while (i < n && header.charAt(i) != '"') {
                        if (header.charAt(i) == '\\' && i + 1 < n) {
                            i++;
                        }
                        value.append(header.charAt(i++));
                    }
                    i++;
                } else {
                    while (i < n && header.charAt(i) != ',' && header.charAt(i) != ' ') {
                        value.append(header.charAt(i++));
                    }
                }
                params.put(key, value.toString());
            }
            out.add(new AuthChallenge(scheme, Map.copyOf(params)));
        }
        return out;
    }
}
