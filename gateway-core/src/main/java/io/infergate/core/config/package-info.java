/** Immutable configuration records, validated as they are built, and the YAML binder that reports every problem by its path. */
package io.infergate.core.config;
