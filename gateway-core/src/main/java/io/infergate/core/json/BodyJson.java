package io.infergate.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;

/** The parser settings for reading a client's request body, shared by every reader of it here. */
final class BodyJson {

    /**
     * Names and numbers are read whole even where they are skipped; the body's size is capped before
     * it gets here, so a limit on their length would guard nothing and only turn a valid body into
     * one that is not JSON. Skipped strings are never read whole; the depth limit stays, as nesting
     * costs memory.
     */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNameLength(Integer.MAX_VALUE)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .build())
            .build();

    private BodyJson() {}
}
