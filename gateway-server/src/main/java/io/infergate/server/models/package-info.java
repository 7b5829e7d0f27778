/** The gateway's own {@code GET /v1/models}: the models its routes serve by name. */
package io.infergate.server.models;
