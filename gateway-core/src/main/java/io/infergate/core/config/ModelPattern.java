package io.infergate.core.config;

/**
 * One entry of a route's {@code match.model}: an exact model name, compared case-sensitively as the
 * OpenAI API does, or a glob in which each {@code *} stands for any run of characters
 * ({@code llama-*}). Among the routes at one path prefix an exact name is more specific than any
 * glob, and a glob with more fixed characters more specific than one with fewer.
 */
public record ModelPattern(String text) {

    /** The specificity of an exact name: above any glob's. */
    public static final int EXACT = Integer.MAX_VALUE;

    public ModelPattern {
        String problem = problem(text);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** What is wrong with {@code text} as a model name or glob, or null when nothing is. */
    public static String problem(String text) {
        if (text.isEmpty()) {
            return "must not be empty";
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                return '"' + text + "\" holds whitespace or a control character, which no model name has";
            }
        }
        if (text.chars().allMatch(c -> c == '*')) {
            return '"' + text + "\" matches every model: leave match.model out for a route that takes any model";
        }
        return null;
    }

    public boolean isGlob() {
        return text.indexOf('*') >= 0;
    }

    /** Whether {@code model} is this name, or matches this glob. */
    public boolean matches(String model) {
        return isGlob() ? globMatches(model) : text.equals(model);
    }

    /** How specific a match by this pattern is: {@link #EXACT} for a name, else its count of fixed characters. */
    public int specificity() {
        return isGlob() ? (int) text.chars().filter(c -> c != '*').count() : EXACT;
    }

    /** Each fixed part in order, the first at the start and the last at the end unless a {@code *} frees them. */
    private boolean globMatches(String model) {
        String[] parts = text.split("\\*", -1);
        if (!model.startsWith(parts[0])) {
            return false;
        }
        int at = parts[0].length();
        for (int i = 1; i < parts.length - 1; i++) {
            int found = model.indexOf(parts[i], at);
            if (found < 0) {
                return false;
            }
            at = found + parts[i].length();
        }
        String last = parts[parts.length - 1];
        return model.length() - last.length() >= at && model.endsWith(last);
    }
}
