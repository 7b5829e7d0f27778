package io.infergate.sim;

/**
 * A parsed generation request, whatever its route.
 *
 * @param prompt            the text the model sees (chat: the templated conversation)
 * @param inputs            the text {@code return_full_text} prepends (the raw {@code inputs})
 * @param responseModel     the {@code model} the OpenAI routes answer with
 * @param seed              the request's sampling seed, if any (it varies the text)
 * @param validationError   TGI's validation message when the request is invalid, else null
 */
record GenerationRequest(Api api, boolean stream, String prompt, String inputs, int promptTokens, int maxNewTokens,
                         boolean details, boolean returnFullText, boolean includeUsage, String responseModel,
                         Long seed, String validationError) {

    int computeCharacters() {
        return prompt.codePointCount(0, prompt.length());
    }

    boolean valid() {
        return validationError == null;
    }
}
