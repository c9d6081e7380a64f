package dev.clipsearch.hub;

import java.util.regex.Pattern;

/** The allow patterns of {@link HfHub#downloadSnapshot}: Python fnmatch globs. */
final class Globs {

    private Globs() {}

    /**
     * Python's fnmatch.translate (case-sensitive), plus huggingface_hub's "folder/" means
     * "folder/*".
     */
    static Pattern fnmatch(String glob) {
        String g = glob.endsWith("/") ? glob + "*" : glob;
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else if (c == '[') {
                int j = i + 1;
                if (j < g.length() && g.charAt(j) == '!') {
                    j++;
                }
                if (j < g.length() && g.charAt(j) == ']') {
                    j++;
                }
                while (j < g.length() && g.charAt(j) != ']') {
                    j++;
                }
                if (j >= g.length()) {
                    re.append("\\[");
                } else {
                    String body = g.substring(i + 1, j).replace("\\", "\\\\");
                    if (body.startsWith("!")) {
                        body = "^" + body.substring(1);
                    } else if (body.startsWith("^")) {
                        body = "\\" + body;
                    }
                    re.append('[').append(body).append(']');
                    i = j;
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
