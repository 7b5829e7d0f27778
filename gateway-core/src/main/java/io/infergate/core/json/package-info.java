/** Edits to JSON request bodies that leave every byte but the edited value as the client sent it. */
package io.infergate.core.json;
