/** The application log on stderr, as text or as one JSON object per line ({@code server.logFormat}). */
package io.infergate.server.logging;
