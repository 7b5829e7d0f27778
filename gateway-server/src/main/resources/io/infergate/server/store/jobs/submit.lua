-- Stores a new queued job and its request, unless its tenant has maxQueuedPerTenant waiting or
-- maxJobs are queued or running. ARGV: prefix, id, tenant, route, doc, request, maxQueuedPerTenant, maxJobs
local p, id, tenant, route = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local job = p .. 'job:' .. id
if redis.call('EXISTS', job) == 1 then return 'duplicate_id' end
if tonumber(redis.call('GET', p .. 'queued:' .. tenant) or '0') >= tonumber(ARGV[7]) then
  return 'tenant_queue_full'
end
local active = redis.call('HMGET', p .. 'active', 'queued', 'running')
if tonumber(active[1] or '0') + tonumber(active[2] or '0') >= tonumber(ARGV[8]) then return 'store_full' end
local seq = redis.call('INCR', p .. 'seq')
redis.call('HSET', job, 'doc', ARGV[5], 'req', ARGV[6], 'status', 'queued', 'tenant', tenant, 'route', route,
  'seq', seq, 'ver', 1)
redis.call('ZADD', p .. 'jobs:' .. tenant, seq, id)
redis.call('RPUSH', p .. 'queue:' .. route, id)
redis.call('INCR', p .. 'queued:' .. tenant)
redis.call('HINCRBY', p .. 'active', 'queued', 1)
return 'accepted'
