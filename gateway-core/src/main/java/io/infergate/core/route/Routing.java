package io.infergate.core.route;

import io.infergate.core.tenant.TenantDirectory;

/**
 * What a request is routed and identified by: one config's routes and its tenants. A reload
 * replaces both at once, so no request sees the routes of one file with the tenants of another.
 */
public record Routing(RouteTable routes, TenantDirectory tenants) {}
